import DBAdviseModel
import Foundation

/// A named number a rule compares with that is not a config threshold (a heuristic's cut-off).
/// Declared as data on the rule so `dbadvise explain` prints it with its reason.
public struct RuleParameter: Codable, Sendable, Equatable {
    public var name: String
    public var value: Double
    public var unit: EvidenceUnit
    public var why: String

    public init(name: String, value: Double, unit: EvidenceUnit, why: String) {
        self.name = name
        self.value = value
        self.unit = unit
        self.why = why
    }
}

/// Everything `dbadvise rules` and `dbadvise explain` print about a rule.
public struct RuleDescription: Codable, Sendable, Equatable {
    /// Stable, kebab-case, prefixed by the rung (`partition-large-time-series`).
    public var id: String
    public var strategy: Strategy
    public var title: String
    /// Why the finding leads to this step, in plain sentences.
    public var rationale: String
    /// The PostgreSQL manual section or other source the rationale rests on (URLs).
    public var sources: [String]
    /// The config thresholds the rule reads.
    public var thresholds: [ThresholdKey]
    /// Heuristic cut-offs that are not config keys.
    public var parameters: [RuleParameter]
    /// The snapshot fields the rule reads, as snake_case paths (`activity.wait_event_types`).
    public var inputs: [String]

    public init(
        id: String, strategy: Strategy, title: String, rationale: String, sources: [String],
        thresholds: [ThresholdKey], parameters: [RuleParameter] = [], inputs: [String]
    ) {
        self.id = id
        self.strategy = strategy
        self.title = title
        self.rationale = rationale
        self.sources = sources
        self.thresholds = thresholds
        self.parameters = parameters
        self.inputs = inputs
    }
}

/// What a rule concluded: recommendations, or the measured reason it did not trigger
/// (which becomes the strategy's `not_recommended` entry when no rule of it triggers).
public enum RuleVerdict: Sendable, Equatable {
    case recommend([Recommendation])
    case notTriggered(reason: String, evidence: [Evidence])

    public var recommendations: [Recommendation] {
        if case let .recommend(list) = self { return list }
        return []
    }

    public var isTriggered: Bool { !recommendations.isEmpty }
}

/// One check of the scaling ladder. One rule, one file, one type; the type documents itself
/// through ``description``.
public protocol Rule: Sendable {
    static var description: RuleDescription { get }
    init()
    /// Pure: reads the context, returns a verdict. Never holds bare threshold numbers; asks
    /// `context.levels(key).severity(of:)`.
    func evaluate(_ context: RuleContext) -> RuleVerdict
}

extension Rule {
    public var ruleDescription: RuleDescription { Self.description }

    /// A recommendation stamped with this rule's id and strategy.
    public func recommendation(
        severity: Severity, target: String, title: String? = nil, summary: String,
        evidence: [Evidence], actions: [String]
    ) -> Recommendation {
        Recommendation(
            rule: Self.description.id, strategy: Self.description.strategy, severity: severity,
            target: target, title: title ?? Self.description.title, summary: summary,
            evidence: evidence, actions: actions)
    }

    /// Shorthand for the common "not triggered" verdict.
    public func pass(_ reason: String, _ evidence: [Evidence] = []) -> RuleVerdict {
        .notTriggered(reason: reason, evidence: evidence)
    }
}
