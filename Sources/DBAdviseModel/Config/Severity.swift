/// How urgent a finding is. Ordered: `info` < `warning` < `critical`.
public enum Severity: String, Codable, Sendable, CaseIterable, Comparable {
    case info, warning, critical

    private var rank: Int {
        switch self {
        case .info: 0
        case .warning: 1
        case .critical: 2
        }
    }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

/// The rung of the scaling ladder a rule belongs to, cheapest step first; `tuning` is hygiene
/// that blocks scaling, not a step, and comes last. `allCases` is the ladder order.
public enum Strategy: String, Codable, Sendable, CaseIterable, Comparable {
    case vertical
    case readReplicas = "read-replicas"
    case partitioning
    case sharding
    case cqrs
    case cache
    case tuning

    /// Position on the ladder: recommendations are sorted by it.
    public var ladderPosition: Int { Strategy.allCases.firstIndex(of: self) ?? Strategy.allCases.count }

    /// A scaling step, as opposed to `tuning`.
    public var isScalingStep: Bool { self != .tuning }

    public static func < (lhs: Strategy, rhs: Strategy) -> Bool {
        lhs.ladderPosition < rhs.ladderPosition
    }

    /// How a person names the step in a sentence.
    public var displayName: String {
        switch self {
        case .vertical: "a larger machine (vertical scaling)"
        case .readReplicas: "read replicas"
        case .partitioning: "partitioning"
        case .sharding: "sharding"
        case .cqrs: "a separate read model (CQRS)"
        case .cache: "a cache in front of PostgreSQL"
        case .tuning: "tuning"
        }
    }
}

/// When the gate fails: on a breach at or above this severity, or never.
public enum FailOn: String, Codable, Sendable, CaseIterable {
    case never, warning, critical

    /// Whether a breach of this severity fails the gate.
    public func fails(on severity: Severity) -> Bool {
        switch self {
        case .never: false
        case .warning: severity >= .warning
        case .critical: severity >= .critical
        }
    }
}
