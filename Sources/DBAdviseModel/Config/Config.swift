import Foundation

/// What the primary runs on. PostgreSQL cannot see it, so the user says it (or names a
/// managed instance class); every field is optional and unknown stays nil. What a report
/// uses is ``ResolvedHardware``: these values, else the instance class's, else what the
/// collecting host could see, else the assumed ceiling.
public struct Hardware: Sendable, Equatable, Codable {
    /// A managed instance class, `aws:db.r6g.4xlarge`, `gcp:db-custom-16-65536`,
    /// `azure:Standard_E16ds_v5` (see ``InstanceCatalog``).
    public var instance: String?
    public var vcpus: Int?
    public var memoryGB: Double?
    public var storageGB: Double?
    /// The largest machine the team could move to: the vertical ceiling.
    public var maxVCPUs: Int?
    public var maxMemoryGB: Double?
    public var maxStorageGB: Double?
    /// The storage's provisioned IOPS limit.
    public var maxIOPS: Double?

    public init(
        instance: String? = nil, vcpus: Int? = nil, memoryGB: Double? = nil, storageGB: Double? = nil,
        maxVCPUs: Int? = nil, maxMemoryGB: Double? = nil, maxStorageGB: Double? = nil, maxIOPS: Double? = nil
    ) {
        self.instance = instance
        self.vcpus = vcpus
        self.memoryGB = memoryGB
        self.storageGB = storageGB
        self.maxVCPUs = maxVCPUs
        self.maxMemoryGB = maxMemoryGB
        self.maxStorageGB = maxStorageGB
        self.maxIOPS = maxIOPS
    }

    private enum CodingKeys: String, CodingKey {
        case instance
        case vcpus
        case memoryGB = "memory_gb"
        case storageGB = "storage_gb"
        case maxVCPUs = "max_vcpus"
        case maxMemoryGB = "max_memory_gb"
        case maxStorageGB = "max_storage_gb"
        case maxIOPS = "max_iops"
    }

    public var memoryBytes: Double? { memoryGB.map { $0 * ThresholdUnit.bytesPerGigabyte } }
    public var storageBytes: Double? { storageGB.map { $0 * ThresholdUnit.bytesPerGigabyte } }
    public var maxMemoryBytes: Double? {
        maxMemoryGB.map { $0 * ThresholdUnit.bytesPerGigabyte }
    }
    public var maxStorageBytes: Double? { maxStorageGB.map { $0 * ThresholdUnit.bytesPerGigabyte } }

    /// The keys `hardware:` accepts, in the order the sample documents them.
    public static let keys = [
        "instance", "vcpus", "memory_gb", "storage_gb", "max_vcpus", "max_memory_gb", "max_storage_gb", "max_iops",
    ]
}

/// `dbadvise.yml`: hardware, thresholds, gate, accepted findings. See ``Config/parse(_:file:)``
/// and `samples/dbadvise.yml` for every key and its default.
public struct Config: Sendable, Equatable {
    public var hardware: Hardware
    /// Only the keys the config set (missing warning/critical filled from the default).
    public var thresholds: [ThresholdKey: ThresholdLevels]
    public var failOn: FailOn
    /// When a rate counts as measured demand: windows and series.
    public var measurement = MeasurementPolicy()
    /// `history:`: how long a history directory keeps its full snapshot files.
    public var history = HistoryPolicy()
    /// `ignore:`: findings the team accepted, kept out of recommendations and the gate.
    public var ignore: [IgnoreEntry]
    /// Which file this is and how it was found; reports name it.
    public var origin: ConfigOrigin

    public static let defaultFailOn = FailOn.critical
    public static let topLevelKeys = ["hardware", "thresholds", "gate", "measurement", "history", "ignore"]
    public static let gateKeys = ["fail_on"]

    public init(
        hardware: Hardware = Hardware(), thresholds: [ThresholdKey: ThresholdLevels] = [:],
        failOn: FailOn = Config.defaultFailOn, ignore: [IgnoreEntry] = [],
        origin: ConfigOrigin = .defaults
    ) {
        self.hardware = hardware
        self.thresholds = thresholds
        self.failOn = failOn
        self.ignore = ignore
        self.origin = origin
    }

    /// The levels in effect for a key: the configured ones, else the default.
    public func levels(_ key: ThresholdKey) -> ThresholdLevels {
        thresholds[key] ?? key.defaultLevels(hardware: hardware)
    }

    /// Every key's levels in effect, in table order.
    public var allLevels: [ThresholdLevels] { ThresholdKey.allCases.map(levels) }
}

/// A config that cannot be used. The CLI maps every case to exit status 2.
public enum ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(file: String, reason: String)
    case syntax(file: String?, line: Int?, column: Int?, problem: String)
    /// A key that is unknown, of the wrong type or out of order; `keyPath` is dotted
    /// (`thresholds.table_size_gb.warning`).
    case invalid(file: String?, line: Int?, keyPath: String, problem: String)

    public var description: String {
        switch self {
        case let .unreadable(file, reason):
            return "cannot read config \(file): \(reason)"
        case let .syntax(file, line, column, problem):
            var place = file.map { "cannot read config \($0)" } ?? "cannot read config"
            if let line { place += ": line \(line)" }
            if let column { place += ", column \(column)" }
            return "\(place): \(problem)"
        case let .invalid(file, line, keyPath, problem):
            var place = file ?? "config"
            if let line { place += ":\(line)" }
            return "\(place): \(keyPath): \(problem)"
        }
    }

    /// The dotted key path of an invalid key, nil for unreadable or malformed files.
    public var keyPath: String? {
        if case let .invalid(_, _, keyPath, _) = self { return keyPath }
        return nil
    }
}
