import Foundation

/// What `dbadvise collect` writes: one database measured over one interval.
///
/// Keys are snake_case on disk (see ``SnapshotCoding``) and mirror the pg_stat_* column names.
/// Anything that could not be read is `nil`, and the reason is in ``unavailable``: unknown is
/// never written as 0.
public struct Snapshot: Codable, Sendable, Equatable {
    public static let currentSchemaVersion = 1
    public static let kindName = "dbadvise.snapshot"

    public var schemaVersion: Int = Snapshot.currentSchemaVersion
    public var kind: String = Snapshot.kindName
    public var tool: ToolInfo
    /// When sampling started and ended, and how rates were computed.
    public var interval: SampleInterval
    public var connection: ConnectionInfo
    public var redacted: Bool = false
    /// How a redacted snapshot's pseudonyms were made; nil when it is not redacted.
    public var redaction: Redaction?
    public var server: ServerInfo
    public var database: DatabaseStats?
    public var rates: Rates
    public var tables: [TableStats]?
    public var indexes: [IndexStats]?
    public var partitionedTables: [PartitionTree]?
    public var columnStats: [ColumnStats]?
    /// Foreign keys between user tables: the join paths the sharding advice follows.
    public var foreignKeys: [ForeignKey]?
    public var replication: Replication?
    public var wal: WalStats?
    public var checkpoints: CheckpointStats?
    public var activity: ActivitySummary?
    public var statements: StatementStats
    /// The machine dbadvise ran on, when it is the database server's (a local socket or a
    /// loopback address): its vCPUs and memory stand in for unconfigured hardware.
    public var host: HostInfo?
    /// Every section or item that could not be read, with the reason.
    public var unavailable: [Unavailable] = []

    private enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version"
        case kind
        case tool
        case interval
        case connection
        case redacted
        case redaction
        case server
        case database
        case rates
        case tables
        case indexes
        case partitionedTables = "partitioned_tables"
        case columnStats = "column_stats"
        case foreignKeys = "foreign_keys"
        case replication
        case wal
        case checkpoints
        case activity
        case statements
        case host
        case unavailable
    }

    public init(
        tool: ToolInfo, interval: SampleInterval, connection: ConnectionInfo, server: ServerInfo,
        database: DatabaseStats?, rates: Rates, tables: [TableStats]?, indexes: [IndexStats]?,
        partitionedTables: [PartitionTree]?, columnStats: [ColumnStats]?, foreignKeys: [ForeignKey]? = nil,
        replication: Replication?, wal: WalStats?, checkpoints: CheckpointStats?,
        activity: ActivitySummary?, statements: StatementStats, unavailable: [Unavailable]
    ) {
        self.tool = tool
        self.interval = interval
        self.connection = connection
        self.server = server
        self.database = database
        self.rates = rates
        self.tables = tables
        self.indexes = indexes
        self.partitionedTables = partitionedTables
        self.columnStats = columnStats
        self.foreignKeys = foreignKeys
        self.replication = replication
        self.wal = wal
        self.checkpoints = checkpoints
        self.activity = activity
        self.statements = statements
        self.unavailable = unavailable
    }
}

/// What the collecting machine could see of itself when the server runs on it.
public struct HostInfo: Codable, Sendable, Equatable {
    public var vcpus: Int
    public var memoryBytes: Int
    /// How the machine was known to be the server's: `local socket /run/postgresql`,
    /// `loopback 127.0.0.1`.
    public var reason: String

    private enum CodingKeys: String, CodingKey {
        case vcpus
        case memoryBytes = "memory_bytes"
        case reason
    }

    public init(vcpus: Int, memoryBytes: Int, reason: String) {
        self.vcpus = vcpus
        self.memoryBytes = memoryBytes
        self.reason = reason
    }

    /// This machine, when `connection` reached a server on it; nil otherwise.
    public static func local(of connection: ConnectionInfo) -> HostInfo? {
        let host = connection.host ?? ""
        let reason: String
        if host.isEmpty || host.hasPrefix("/") || host.hasPrefix("@") {
            reason = "local socket \(host.isEmpty ? "(default)" : host)"
        } else if ["localhost", "127.0.0.1", "::1"].contains(host) {
            reason = "loopback \(host)"
        } else {
            return nil
        }
        let info = ProcessInfo.processInfo
        let memory = info.physicalMemory > UInt64(Int.max) ? Int.max : Int(info.physicalMemory)
        return HostInfo(vcpus: max(1, info.activeProcessorCount), memoryBytes: memory, reason: reason)
    }
}

/// `collect --redact`: the key's id (not the key) and the one pseudonym analysis must know.
public struct Redaction: Codable, Sendable, Equatable {
    /// `hmac-sha256`: each name is replaced with `r_` + 12 base32 characters of its MAC.
    public var method: String
    /// Snapshots redacted with the same key carry the same id (``RedactionKey/id``).
    public var keyId: String
    /// The pseudonym of `public`, where unqualified names in statements resolve first.
    public var publicSchema: String

    private enum CodingKeys: String, CodingKey {
        case method
        case keyId = "key_id"
        case publicSchema = "public_schema"
    }

    public init(method: String = "hmac-sha256", keyId: String, publicSchema: String) {
        self.method = method
        self.keyId = keyId
        self.publicSchema = publicSchema
    }
}

public struct ToolInfo: Codable, Sendable, Equatable {
    public var name: String = "dbadvise"
    public var version: String
    public init(version: String) { self.version = version }
}

public struct SampleInterval: Codable, Sendable, Equatable {
    /// `delta`: rates are differences between the first and last sample over the interval.
    /// `since_reset`: `--interval 0`, rates are averages since the statistics were reset
    /// (or since the server started, when they never were).
    public enum Mode: String, Codable, Sendable { case delta, sinceReset = "since_reset" }
    public var mode: Mode
    public var requestedSeconds: Double
    public var startedAt: Date
    public var finishedAt: Date
    /// Seconds the rates are divided by: the measured time between the first and last sample,
    /// or the time since the reset in `since_reset` mode.
    public var rateSeconds: Double?
    public var activitySamples: Int

    private enum CodingKeys: String, CodingKey {
        case mode
        case requestedSeconds = "requested_seconds"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case rateSeconds = "rate_seconds"
        case activitySamples = "activity_samples"
    }

    public init(
        mode: Mode, requestedSeconds: Double, startedAt: Date, finishedAt: Date,
        rateSeconds: Double?, activitySamples: Int
    ) {
        self.mode = mode
        self.requestedSeconds = requestedSeconds
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.rateSeconds = rateSeconds
        self.activitySamples = activitySamples
    }
}

/// Read from libpq's accessors after connecting; never holds a password.
public struct ConnectionInfo: Codable, Sendable, Equatable {
    public var host: String?
    public var port: String?
    public var database: String?
    public var user: String?
    public init(host: String?, port: String?, database: String?, user: String?) {
        self.host = host
        self.port = port
        self.database = database
        self.user = user
    }
}

public struct Setting: Codable, Sendable, Equatable {
    public var name: String
    public var setting: String
    public var unit: String?
    /// The value in bytes for memory settings (`shared_buffers` 16384 × 8kB → 134217728).
    public var bytes: Int?
    /// The value in seconds for time settings.
    public var seconds: Double?
    public init(name: String, setting: String, unit: String?, bytes: Int?, seconds: Double?) {
        self.name = name
        self.setting = setting
        self.unit = unit
        self.bytes = bytes
        self.seconds = seconds
    }
}

public struct Extension: Codable, Sendable, Equatable {
    public var name: String
    public var version: String
    public init(name: String, version: String) {
        self.name = name
        self.version = version
    }
}

public struct ServerInfo: Codable, Sendable, Equatable {
    public var versionNum: Int
    public var version: String?
    public var inRecovery: Bool?
    public var startTime: Date?
    /// `pg_stat_database.stats_reset` of this database (null when never reset).
    public var statsReset: Date?
    /// `pg_control_system()`: tells two databases named alike on different clusters apart.
    public var systemIdentifier: String?
    public var settings: [Setting]
    public var extensions: [Extension]?

    private enum CodingKeys: String, CodingKey {
        case versionNum = "version_num"
        case version
        case inRecovery = "in_recovery"
        case startTime = "start_time"
        case statsReset = "stats_reset"
        case systemIdentifier = "system_identifier"
        case settings
        case extensions
    }

    public init(
        versionNum: Int, version: String?, inRecovery: Bool?, startTime: Date?, statsReset: Date?,
        systemIdentifier: String?, settings: [Setting], extensions: [Extension]?
    ) {
        self.versionNum = versionNum
        self.version = version
        self.inRecovery = inRecovery
        self.startTime = startTime
        self.statsReset = statsReset
        self.systemIdentifier = systemIdentifier
        self.settings = settings
        self.extensions = extensions
    }

    public func setting(_ name: String) -> Setting? { settings.first { $0.name == name } }
}

/// `pg_stat_database` for the connected database, at the end of the interval.
public struct DatabaseStats: Codable, Sendable, Equatable {
    public var name: String
    public var sizeBytes: Int?
    public var numbackends: Int?
    public var xactCommit: Int?
    public var xactRollback: Int?
    public var blksRead: Int?
    public var blksHit: Int?
    public var tupReturned: Int?
    public var tupFetched: Int?
    public var tupInserted: Int?
    public var tupUpdated: Int?
    public var tupDeleted: Int?
    public var tempFiles: Int?
    public var tempBytes: Int?
    public var deadlocks: Int?
    /// `age(datfrozenxid)`: transaction IDs since the oldest unfrozen one.
    public var datfrozenxidAge: Int?

    private enum CodingKeys: String, CodingKey {
        case name
        case sizeBytes = "size_bytes"
        case numbackends
        case xactCommit = "xact_commit"
        case xactRollback = "xact_rollback"
        case blksRead = "blks_read"
        case blksHit = "blks_hit"
        case tupReturned = "tup_returned"
        case tupFetched = "tup_fetched"
        case tupInserted = "tup_inserted"
        case tupUpdated = "tup_updated"
        case tupDeleted = "tup_deleted"
        case tempFiles = "temp_files"
        case tempBytes = "temp_bytes"
        case deadlocks
        case datfrozenxidAge = "datfrozenxid_age"
    }

    public init(name: String) { self.name = name }

    /// blks_hit / (blks_hit + blks_read), nil when nothing was read at all.
    public var cacheHitRatio: Double? {
        guard let hit = blksHit, let read = blksRead, hit + read > 0 else { return nil }
        return Double(hit) / Double(hit + read)
    }
}

/// Per-second rates of the connected database over the interval (see ``SampleInterval/Mode``).
public struct Rates: Codable, Sendable, Equatable {
    /// commits + rollbacks per second.
    public var transactionsPerSecond: Double?
    /// tup_inserted + tup_updated + tup_deleted per second.
    public var writesPerSecond: Double?
    /// tup_returned + tup_fetched per second: rows the executor read.
    public var readsPerSecond: Double?
    /// `tup_returned` per second: live rows read by sequential scans and index entries
    /// returned by index scans. A seq scan of a 50-row table reads 50 rows each time.
    public var tupReturnedPerSecond: Double?
    /// `tup_fetched` per second: live rows fetched through index scans.
    public var tupFetchedPerSecond: Double?
    public var blksReadPerSecond: Double?
    public var blksHitPerSecond: Double?
    public var tempBytesPerSecond: Double?
    public var walBytesPerSecond: Double?
    /// blks_hit / (blks_hit + blks_read) over the interval.
    public var cacheHitRatio: Double?

    private enum CodingKeys: String, CodingKey {
        case transactionsPerSecond = "transactions_per_second"
        case writesPerSecond = "writes_per_second"
        case readsPerSecond = "reads_per_second"
        case tupReturnedPerSecond = "tup_returned_per_second"
        case tupFetchedPerSecond = "tup_fetched_per_second"
        case blksReadPerSecond = "blks_read_per_second"
        case blksHitPerSecond = "blks_hit_per_second"
        case tempBytesPerSecond = "temp_bytes_per_second"
        case walBytesPerSecond = "wal_bytes_per_second"
        case cacheHitRatio = "cache_hit_ratio"
    }

    public init() {}
}

public struct TableStats: Codable, Sendable, Equatable {
    public var schema: String
    public var name: String
    /// `r` table, `p` partitioned table, `m` materialized view.
    public var relkind: String
    public var isPartition: Bool
    /// `schema.name` of the parent when this table is a partition.
    public var partitionOf: String?
    public var totalBytes: Int?
    public var heapBytes: Int?
    public var indexBytes: Int?
    public var toastBytes: Int?
    /// pg_class.reltuples: the planner's estimate, readable without a lock.
    public var reltuples: Double?
    public var nLiveTup: Int?
    public var nDeadTup: Int?
    public var seqScan: Int?
    public var seqTupRead: Int?
    public var idxScan: Int?
    public var idxTupFetch: Int?
    public var nTupIns: Int?
    public var nTupUpd: Int?
    public var nTupDel: Int?
    public var nTupHotUpd: Int?
    public var lastVacuum: Date?
    public var lastAutovacuum: Date?
    public var lastAnalyze: Date?
    public var lastAutoanalyze: Date?
    public var vacuumCount: Int?
    public var autovacuumCount: Int?
    public var analyzeCount: Int?
    public var autoanalyzeCount: Int?
    /// `age(relfrozenxid)`.
    public var relfrozenxidAge: Int?
    /// Rows inserted+updated+deleted per second over the interval.
    public var writesPerSecond: Double?
    /// Rows read by sequential and index scans per second over the interval.
    public var readsPerSecond: Double?

    private enum CodingKeys: String, CodingKey {
        case schema
        case name
        case relkind
        case isPartition = "is_partition"
        case partitionOf = "partition_of"
        case totalBytes = "total_bytes"
        case heapBytes = "heap_bytes"
        case indexBytes = "index_bytes"
        case toastBytes = "toast_bytes"
        case reltuples
        case nLiveTup = "n_live_tup"
        case nDeadTup = "n_dead_tup"
        case seqScan = "seq_scan"
        case seqTupRead = "seq_tup_read"
        case idxScan = "idx_scan"
        case idxTupFetch = "idx_tup_fetch"
        case nTupIns = "n_tup_ins"
        case nTupUpd = "n_tup_upd"
        case nTupDel = "n_tup_del"
        case nTupHotUpd = "n_tup_hot_upd"
        case lastVacuum = "last_vacuum"
        case lastAutovacuum = "last_autovacuum"
        case lastAnalyze = "last_analyze"
        case lastAutoanalyze = "last_autoanalyze"
        case vacuumCount = "vacuum_count"
        case autovacuumCount = "autovacuum_count"
        case analyzeCount = "analyze_count"
        case autoanalyzeCount = "autoanalyze_count"
        case relfrozenxidAge = "relfrozenxid_age"
        case writesPerSecond = "writes_per_second"
        case readsPerSecond = "reads_per_second"
    }

    public init(schema: String, name: String, relkind: String, isPartition: Bool) {
        self.schema = schema
        self.name = name
        self.relkind = relkind
        self.isPartition = isPartition
    }

    public var qualifiedName: String { "\(schema).\(name)" }
}

public struct IndexStats: Codable, Sendable, Equatable {
    public var schema: String
    public var table: String
    public var name: String
    public var bytes: Int?
    public var idxScan: Int?
    public var isUnique: Bool
    public var isPrimary: Bool
    public var isValid: Bool
    public var columns: [String]?

    private enum CodingKeys: String, CodingKey {
        case schema
        case table
        case name
        case bytes
        case idxScan = "idx_scan"
        case isUnique = "is_unique"
        case isPrimary = "is_primary"
        case isValid = "is_valid"
        case columns
    }

    public init(
        schema: String, table: String, name: String, isUnique: Bool, isPrimary: Bool,
        isValid: Bool
    ) {
        self.schema = schema
        self.table = table
        self.name = name
        self.isUnique = isUnique
        self.isPrimary = isPrimary
        self.isValid = isValid
    }
}

public struct PartitionTree: Codable, Sendable, Equatable {
    public enum Strategy: String, Codable, Sendable { case range, list, hash }
    public var schema: String
    public var name: String
    public var strategy: Strategy
    /// `pg_get_partkeydef`: `RANGE (created_at)`.
    public var key: String?
    public var keyColumns: [String]
    /// `schema.name` of the parent when this partitioned table is itself a partition.
    public var partitionOf: String?
    public var partitions: [Partition]
    public var defaultPartition: String?
    /// The parent's own (partitioned) indexes, each with the direct partitions that have no
    /// index attached to it; nil when they could not be read.
    public var partitionedIndexes: [PartitionedIndex]?

    private enum CodingKeys: String, CodingKey {
        case schema
        case name
        case strategy
        case key
        case keyColumns = "key_columns"
        case partitionOf = "partition_of"
        case partitions
        case defaultPartition = "default_partition"
        case partitionedIndexes = "partitioned_indexes"
    }

    public init(
        schema: String, name: String, strategy: Strategy, key: String?, keyColumns: [String],
        partitionOf: String?, partitions: [Partition], defaultPartition: String?,
        partitionedIndexes: [PartitionedIndex]? = nil
    ) {
        self.schema = schema
        self.name = name
        self.strategy = strategy
        self.key = key
        self.keyColumns = keyColumns
        self.partitionOf = partitionOf
        self.partitions = partitions
        self.defaultPartition = defaultPartition
        self.partitionedIndexes = partitionedIndexes
    }

    public var qualifiedName: String { "\(schema).\(name)" }
}

/// An index of a partitioned table (`pg_class.relkind = 'I'`). Each partition should carry
/// an index attached to it (`pg_inherits` between the indexes); one created with `CREATE
/// INDEX ... ON ONLY` stays invalid until every partition's index is attached.
public struct PartitionedIndex: Codable, Sendable, Equatable {
    /// The index name (an index lives in its table's schema).
    public var name: String
    /// `pg_get_indexdef`: `CREATE INDEX events_tenant_idx ON ONLY public.events USING btree (tenant_id)`;
    /// nil in a redacted snapshot.
    public var definition: String?
    public var isValid: Bool
    public var isUnique: Bool
    public var isPrimary: Bool
    /// The primary key, unique or exclusion constraint the index backs.
    public var constraintName: String?
    /// `schema.name` of the direct partitions with no index attached to this one.
    public var missingPartitions: [String]

    private enum CodingKeys: String, CodingKey {
        case name
        case definition
        case isValid = "is_valid"
        case isUnique = "is_unique"
        case isPrimary = "is_primary"
        case constraintName = "constraint_name"
        case missingPartitions = "missing_partitions"
    }

    public init(
        name: String, definition: String?, isValid: Bool, isUnique: Bool, isPrimary: Bool,
        constraintName: String?, missingPartitions: [String]
    ) {
        self.name = name
        self.definition = definition
        self.isValid = isValid
        self.isUnique = isUnique
        self.isPrimary = isPrimary
        self.constraintName = constraintName
        self.missingPartitions = missingPartitions
    }
}

public struct Partition: Codable, Sendable, Equatable {
    public var schema: String
    public var name: String
    /// `FOR VALUES FROM (...) TO (...)`, `DEFAULT`.
    public var bound: String?
    public var isDefault: Bool
    /// True when this partition is itself partitioned (its bytes and rows sum its leaves).
    public var isPartitioned: Bool
    public var totalBytes: Int?
    public var rows: Int?

    private enum CodingKeys: String, CodingKey {
        case schema
        case name
        case bound
        case isDefault = "is_default"
        case isPartitioned = "is_partitioned"
        case totalBytes = "total_bytes"
        case rows
    }

    public init(
        schema: String, name: String, bound: String?, isDefault: Bool, isPartitioned: Bool,
        totalBytes: Int?, rows: Int?
    ) {
        self.schema = schema
        self.name = name
        self.bound = bound
        self.isDefault = isDefault
        self.isPartitioned = isPartitioned
        self.totalBytes = totalBytes
        self.rows = rows
    }
}

/// Column statistics (`pg_stats`) of the largest tables, for the partitioning and sharding rules.
public struct ColumnStats: Codable, Sendable, Equatable {
    public var schema: String
    public var table: String
    public var column: String
    public var dataType: String
    public var correlation: Double?
    /// Positive: distinct values; negative: minus the fraction of rows that are distinct.
    public var nDistinct: Double?
    public var nullFrac: Double?
    /// The largest of `most_common_freqs`: how dominant the most common value is.
    public var mostCommonFreq: Double?
    /// `pg_stats.avg_width`: the average width in bytes of the column's non-null values.
    public var avgWidth: Int?

    private enum CodingKeys: String, CodingKey {
        case schema
        case table
        case column
        case dataType = "data_type"
        case correlation
        case nDistinct = "n_distinct"
        case nullFrac = "null_frac"
        case mostCommonFreq = "most_common_freq"
        case avgWidth = "avg_width"
    }

    public init(schema: String, table: String, column: String, dataType: String) {
        self.schema = schema
        self.table = table
        self.column = column
        self.dataType = dataType
    }
}

/// One foreign key (`pg_constraint`, `contype = 'f'`): the referencing table's columns and the
/// referenced table's, position by position (`conkey` and `confkey`). A key declared on a
/// partitioned table appears once, on the parent.
public struct ForeignKey: Codable, Sendable, Equatable {
    public var schema: String
    public var table: String
    /// `conname`.
    public var name: String
    public var columns: [String]
    public var referencedSchema: String
    public var referencedTable: String
    public var referencedColumns: [String]
    /// False for a key declared `NOT ENFORCED` (PostgreSQL 18+): documented, not checked.
    public var enforced: Bool

    private enum CodingKeys: String, CodingKey {
        case schema
        case table
        case name
        case columns
        case referencedSchema = "referenced_schema"
        case referencedTable = "referenced_table"
        case referencedColumns = "referenced_columns"
        case enforced
    }

    public init(
        schema: String, table: String, name: String, columns: [String], referencedSchema: String,
        referencedTable: String, referencedColumns: [String], enforced: Bool = true
    ) {
        self.schema = schema
        self.table = table
        self.name = name
        self.columns = columns
        self.referencedSchema = referencedSchema
        self.referencedTable = referencedTable
        self.referencedColumns = referencedColumns
        self.enforced = enforced
    }

    /// `schema.table` of the referencing table.
    public var qualifiedTable: String { "\(schema).\(table)" }
    /// `schema.table` of the referenced table.
    public var qualifiedReferencedTable: String { "\(referencedSchema).\(referencedTable)" }
}

public struct Unavailable: Codable, Sendable, Equatable {
    /// The section or item (`statements`, `tables.sizes`, `public.events`); see
    /// ``hiddenColumnStatsPrefix`` for `column_stats.<schema.table>`.
    public var section: String
    public var reason: String
    public init(section: String, reason: String) {
        self.section = section
        self.reason = reason
    }

    /// `column_stats.` + `schema.table`: a table whose column statistics pg_stats hides from
    /// the collecting role (it may not SELECT the table, or row-level security applies to it).
    public static let hiddenColumnStatsPrefix = "column_stats."

    /// The `schema.table` whose column statistics were hidden, when this entry says so.
    public var hiddenColumnStatsTable: String? {
        guard section.hasPrefix(Self.hiddenColumnStatsPrefix) else { return nil }
        let table = section.dropFirst(Self.hiddenColumnStatsPrefix.count)
        return table.isEmpty ? nil : String(table)
    }
}

extension Snapshot {
    /// Tables whose column statistics pg_stats hid from the collecting role, by `schema.table`,
    /// each with the reason (naming the grant that shows them).
    public var hiddenColumnStats: [String: String] {
        Dictionary(
            unavailable.compactMap { item in item.hiddenColumnStatsTable.map { ($0, item.reason) } },
            uniquingKeysWith: { first, _ in first })
    }
}
