import Foundation

/// Which way a measured value gets worse.
public enum ThresholdDirection: String, Codable, Sendable {
    /// Bigger is worse: sizes, rates, lag, saturation.
    case higherIsWorse = "higher_is_worse"
    /// Smaller is worse: the cache hit ratio. `warning` is then above `critical`.
    case lowerIsWorse = "lower_is_worse"
}

/// The unit a threshold is written in (in the config) and the unit rules measure in.
public enum ThresholdUnit: String, Codable, Sendable {
    /// Written in GB (decimals allowed: 0.05 = 50 MB), measured in bytes. 1 GB = 1024³ bytes,
    /// as `pg_size_pretty` counts.
    case gigabytes = "GB"
    case rowsPerSecond = "rows/s"
    case seconds
    case ratio
    case sessionsPerVCPU = "sessions/vCPU"
    case transactions
    /// Written in GB/day, measured in bytes/day (1 GB = 1024³ bytes).
    case gigabytesPerDay = "GB/day"
    case days

    public static let bytesPerGigabyte = 1_073_741_824.0

    /// The unit rules measure in and evidence is reported in.
    public var measuredUnit: EvidenceUnit {
        switch self {
        case .gigabytes: .bytes
        case .gigabytesPerDay: .bytesPerDay
        case .rowsPerSecond: .rowsPerSecond
        case .seconds: .seconds
        case .ratio: .ratio
        case .sessionsPerVCPU: .sessionsPerVCPU
        case .transactions: .transactions
        case .days: .days
        }
    }

    /// A configured value in the unit rules measure in (GB → bytes; others unchanged).
    public func measured(_ configured: Double) -> Double {
        switch self {
        case .gigabytes, .gigabytesPerDay: configured * Self.bytesPerGigabyte
        default: configured
        }
    }
}

/// The table of thresholds: every key the config's `thresholds:` accepts, with its unit,
/// direction and default levels. Rules read levels through ``Config/levels(_:)`` and never hold
/// the numbers themselves.
public enum ThresholdKey: String, Codable, Sendable, CaseIterable, CodingKeyRepresentable {
    case databaseSizeGB = "database_size_gb"
    case tableSizeGB = "table_size_gb"
    case partitionSizeGB = "partition_size_gb"
    case writesPerSecond = "writes_per_second"
    case replicationLagSeconds = "replication_lag_seconds"
    case cacheHitRatio = "cache_hit_ratio"
    case connectionsUsedRatio = "connections_used_ratio"
    case activeSessionsPerVCPU = "active_sessions_per_vcpu"
    // Beyond the contract's eight: hygiene limits read by the tuning rules.
    case deadTupleRatio = "dead_tuple_ratio"
    case transactionIDAge = "transaction_id_age"
    // Growth, judged only over a series of two or more snapshots of one database.
    case databaseGrowthGBPerDay = "database_growth_gb_per_day"
    case daysToCritical = "days_to_critical"

    public var unit: ThresholdUnit {
        switch self {
        case .databaseSizeGB, .tableSizeGB, .partitionSizeGB: .gigabytes
        case .writesPerSecond: .rowsPerSecond
        case .replicationLagSeconds: .seconds
        case .cacheHitRatio, .connectionsUsedRatio, .deadTupleRatio: .ratio
        case .activeSessionsPerVCPU: .sessionsPerVCPU
        case .transactionIDAge: .transactions
        case .databaseGrowthGBPerDay: .gigabytesPerDay
        case .daysToCritical: .days
        }
    }

    public var direction: ThresholdDirection {
        switch self {
        case .cacheHitRatio, .daysToCritical: .lowerIsWorse
        default: .higherIsWorse
        }
    }

    /// Ratios must lie in 0...1; everything else must not be negative.
    public var validRange: ClosedRange<Double> {
        unit == .ratio ? 0...1 : 0...Double.greatestFiniteMagnitude
    }

    /// The levels used when the config does not set this key. `table_size_gb` follows the
    /// server's memory when `hardware.memory_gb` is known.
    public func defaultLevels(hardware: Hardware) -> ThresholdLevels {
        let (warning, critical): (Double, Double) =
            switch self {
            case .databaseSizeGB: (1000, 10000)
            case .tableSizeGB:
                if let memory = hardware.memoryGB { (memory, memory * 10) } else { (100, 1000) }
            case .partitionSizeGB: (500, 2000)
            case .writesPerSecond: (5000, 20000)
            case .replicationLagSeconds: (5, 30)
            case .cacheHitRatio: (0.99, 0.95)
            case .connectionsUsedRatio: (0.7, 0.9)
            case .activeSessionsPerVCPU: (0.7, 1.0)
            case .deadTupleRatio: (0.2, 0.5)
            case .transactionIDAge: (200_000_000, 1_000_000_000)
            case .databaseGrowthGBPerDay: (10, 100)
            case .daysToCritical: (90, 30)
            }
        return ThresholdLevels(key: self, warning: warning, critical: critical)
    }

    /// What the key measures and where the default comes from, for `samples/dbadvise.yml`,
    /// `dbadvise explain` and the docs.
    public var summary: String {
        switch self {
        case .databaseSizeGB:
            "Size of the database (pg_database_size). Around 10 TB one machine's backups, "
                + "restores and vacuums become the bottleneck: the sharding threshold."
        case .tableSizeGB:
            "Size of one unpartitioned table with its indexes and TOAST. Default: the server's "
                + "memory (hardware.memory_gb), the manual's rule of thumb for when partitioning "
                + "pays off, else 100 GB."
        case .partitionSizeGB:
            "Size of one partition: past it, the partition is a table of its own that outgrows "
                + "memory."
        case .writesPerSecond:
            "Rows inserted, updated and deleted per second (pg_stat_database). Tens of "
                + "thousands sustained is where one primary's WAL stream becomes the limit."
        case .replicationLagSeconds:
            "How far the slowest standby trails the primary, in seconds of replay."
        case .cacheHitRatio:
            "blks_hit / (blks_hit + blks_read) over the interval. Lower is worse: warning is "
                + "above critical. Not judged (by the rules or the gate) over fewer than "
                + "\(Formatting.grouped(Int(Self.minimumBlocksForCacheHitRatio))) block accesses or "
                + "\(Int(Self.minimumBlocksPerSecondForCacheHitRatio)) a second, nor from a cold cache."
        case .connectionsUsedRatio:
            "Client connections / max_connections at the end of the interval."
        case .activeSessionsPerVCPU:
            "Average active sessions (pg_stat_activity, sampled) per vCPU of hardware.vcpus: "
                + "1.0 means every core is busy or waiting all the time."
        case .deadTupleRatio:
            "n_dead_tup / (n_live_tup + n_dead_tup) of a table of at least "
                + "\(Int(Self.minimumRowsForDeadTupleRatio)) rows; the warning default is "
                + "autovacuum_vacuum_scale_factor's 0.2."
        case .transactionIDAge:
            "age(datfrozenxid): transactions since the oldest unfrozen row. The gate's line; "
                + "the rule's own severity follows the server's autovacuum_freeze_max_age and the "
                + "wraparound limit (2^31, with the manual's 40 million and 3 million margins)."
        case .databaseGrowthGBPerDay:
            "How fast the database grows: the least-squares slope of pg_database_size over a "
                + "series of two or more snapshots, in GB per day."
        case .daysToCritical:
            "Days until a size threshold's critical level (database_size_gb, table_size_gb per "
                + "table, partition_size_gb per partition) is crossed at the measured growth rate "
                + "(least-squares over two or more snapshots). Lower is worse: warning is above "
                + "critical."
        }
    }

    /// The size keys whose critical level ``daysToCritical`` forecasts.
    public static let sizeKeys: [ThresholdKey] = [.databaseSizeGB, .tableSizeGB, .partitionSizeGB]

    /// Keys that need a series of two or more snapshots to be measured.
    public var needsSeries: Bool { self == .databaseGrowthGBPerDay || self == .daysToCritical }

    /// Tables smaller than this are not judged by their dead tuple ratio: autovacuum's own
    /// base threshold makes small tables noisy.
    public static let minimumRowsForDeadTupleRatio = 10_000.0

    /// A hit ratio over fewer shared-buffer accesses than this in the window is not judged:
    /// at 10,000 blocks (80 MB of page traffic) one miss in a hundred is a hundred reads, enough
    /// to tell 0.99 from 0.95; fewer, and a few catalog reads decide the ratio.
    public static let minimumBlocksForCacheHitRatio = 10_000.0
    /// … nor one over fewer than this many accesses per second: a database reading under
    /// 100 blocks (0.8 MB) a second is idle, and its ratio since a reset is its warm-up.
    public static let minimumBlocksPerSecondForCacheHitRatio = 100.0

    /// Keys bounded to 0…1 (ratios): a straight line through them would cross any level in
    /// time, so they are never forecast linearly.
    public var isBounded: Bool { unit == .ratio }
}

/// The warning and critical level of one threshold key, in the key's configured unit
/// (GB for sizes). Ask ``severity(of:)`` with the measured value (bytes for sizes).
public struct ThresholdLevels: Sendable, Equatable, Codable {
    public var key: ThresholdKey
    public var warning: Double
    public var critical: Double

    public init(key: ThresholdKey, warning: Double, critical: Double) {
        self.key = key
        self.warning = warning
        self.critical = critical
    }

    /// The warning level in the measured unit (bytes for sizes).
    public var measuredWarning: Double { key.unit.measured(warning) }
    /// The critical level in the measured unit (bytes for sizes).
    public var measuredCritical: Double { key.unit.measured(critical) }

    /// The severity of a measured value (bytes for sizes), or nil when it crosses no level.
    public func severity(of measured: Double) -> Severity? {
        switch key.direction {
        case .higherIsWorse:
            if measured >= measuredCritical { return .critical }
            if measured >= measuredWarning { return .warning }
        case .lowerIsWorse:
            if measured <= measuredCritical { return .critical }
            if measured <= measuredWarning { return .warning }
        }
        return nil
    }

    /// The level a value is compared with in evidence: critical once crossed, else warning.
    public func measuredLimit(for severity: Severity?) -> Double {
        severity == .critical ? measuredCritical : measuredWarning
    }

    /// Whether warning and critical are in the order the direction demands.
    public var isOrdered: Bool {
        switch key.direction {
        case .higherIsWorse: warning <= critical
        case .lowerIsWorse: warning >= critical
        }
    }
}
