import DBAdviseModel
import Foundation

/// The headline numbers of a report, derived from the latest snapshot and the hardware.
/// Every one is null when unknown; ``derive(from:hardware:)`` says why in a note.
public struct ReportMetrics: Codable, Sendable, Equatable {
    public var databaseBytes: Int?
    public var largestTableBytes: Int?
    /// The table behind ``largestTableBytes`` (`schema.table`), not in the contract's keys.
    public var largestTable: String?
    public var writesPerSecond: Double?
    public var readsPerSecond: Double?
    public var cacheHitRatio: Double?
    public var replicationLagSeconds: Double?
    public var connectionsUsedRatio: Double?
    public var activeSessionsPerVCPU: Double?
    /// Rows read by sequential scans and index entries (`tup_returned`) and live rows fetched
    /// through indexes (`tup_fetched`) per second: reads_per_second split by how they were read.
    public var tupReturnedPerSecond: Double?
    public var tupFetchedPerSecond: Double?
    /// Read-only statements' share of pg_stat_statements execution time: reads measured as
    /// work, which the growth shape prefers to rows.
    public var readStatementTimeShare: Double?

    public init(
        databaseBytes: Int? = nil, largestTableBytes: Int? = nil, largestTable: String? = nil,
        writesPerSecond: Double? = nil, readsPerSecond: Double? = nil,
        cacheHitRatio: Double? = nil, replicationLagSeconds: Double? = nil,
        connectionsUsedRatio: Double? = nil, activeSessionsPerVCPU: Double? = nil
    ) {
        self.databaseBytes = databaseBytes
        self.largestTableBytes = largestTableBytes
        self.largestTable = largestTable
        self.writesPerSecond = writesPerSecond
        self.readsPerSecond = readsPerSecond
        self.cacheHitRatio = cacheHitRatio
        self.replicationLagSeconds = replicationLagSeconds
        self.connectionsUsedRatio = connectionsUsedRatio
        self.activeSessionsPerVCPU = activeSessionsPerVCPU
    }

    private enum CodingKeys: String, CodingKey {
        case databaseBytes = "database_bytes"
        case largestTableBytes = "largest_table_bytes"
        case largestTable = "largest_table"
        case writesPerSecond = "writes_per_second"
        case readsPerSecond = "reads_per_second"
        case cacheHitRatio = "cache_hit_ratio"
        case replicationLagSeconds = "replication_lag_seconds"
        case connectionsUsedRatio = "connections_used_ratio"
        case activeSessionsPerVCPU = "active_sessions_per_vcpu"
        case tupReturnedPerSecond = "tup_returned_per_second"
        case tupFetchedPerSecond = "tup_fetched_per_second"
        case readStatementTimeShare = "read_statement_time_share"
    }

    /// Every key is written, null included: a missing number must read as unknown, not absent.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(databaseBytes, forKey: .databaseBytes)
        try container.encode(largestTableBytes, forKey: .largestTableBytes)
        try container.encode(largestTable, forKey: .largestTable)
        try container.encode(writesPerSecond.map(Self.tidy), forKey: .writesPerSecond)
        try container.encode(readsPerSecond.map(Self.tidy), forKey: .readsPerSecond)
        try container.encode(cacheHitRatio.map(Self.tidy), forKey: .cacheHitRatio)
        try container.encode(replicationLagSeconds.map(Self.tidy), forKey: .replicationLagSeconds)
        try container.encode(connectionsUsedRatio.map(Self.tidy), forKey: .connectionsUsedRatio)
        try container.encode(activeSessionsPerVCPU.map(Self.tidy), forKey: .activeSessionsPerVCPU)
        try container.encode(tupReturnedPerSecond.map(Self.tidy), forKey: .tupReturnedPerSecond)
        try container.encode(tupFetchedPerSecond.map(Self.tidy), forKey: .tupFetchedPerSecond)
        try container.encode(readStatementTimeShare.map(Self.tidy), forKey: .readStatementTimeShare)
    }

    private static func tidy(_ value: Double) -> Double { (value * 10_000).rounded() / 10_000 }

    /// Derives the metrics of the latest snapshot, with a note for each one left null.
    public static func derive(from snapshot: Snapshot, hardware: Hardware) -> (
        ReportMetrics, [MetricNote]
    ) {
        var metrics = ReportMetrics()
        var notes: [MetricNote] = []
        func unknown(_ metric: MetricKey, _ reason: String) {
            notes.append(MetricNote(metric: metric, reason: reason))
        }
        func recorded(_ section: String) -> String? {
            snapshot.unavailable.first { $0.section == section || $0.section.hasPrefix(section + ".") }
                .map { "\($0.section): \($0.reason)" }
        }

        metrics.databaseBytes = snapshot.database?.sizeBytes
        if metrics.databaseBytes == nil {
            unknown(.databaseBytes, recorded("database") ?? "database size was not collected")
        }

        if let largest = RelationSizes(snapshot: snapshot).largestTable {
            metrics.largestTableBytes = largest.bytes
            metrics.largestTable = largest.name
        } else {
            unknown(
                .largestTableBytes,
                recorded("tables") ?? "no table sizes in the snapshot")
        }

        metrics.writesPerSecond = snapshot.rates.writesPerSecond
        if metrics.writesPerSecond == nil {
            unknown(.writesPerSecond, recorded("rates") ?? "write rate was not measured")
        }
        metrics.readsPerSecond = snapshot.rates.readsPerSecond
        if metrics.readsPerSecond == nil {
            unknown(.readsPerSecond, recorded("rates") ?? "read rate was not measured")
        }
        metrics.tupReturnedPerSecond = snapshot.rates.tupReturnedPerSecond
        metrics.tupFetchedPerSecond = snapshot.rates.tupFetchedPerSecond
        let split = readStatementTimeShare(snapshot)
        metrics.readStatementTimeShare = split.share
        if let reason = split.reason { unknown(.readStatementTimeShare, reason) }
        metrics.cacheHitRatio = snapshot.rates.cacheHitRatio
        if metrics.cacheHitRatio == nil {
            unknown(
                .cacheHitRatio,
                recorded("rates") ?? "no shared buffer was read or hit during the interval")
        }

        let lag = replicationLag(snapshot)
        metrics.replicationLagSeconds = lag.seconds
        if let reason = lag.reason { unknown(.replicationLagSeconds, reason) }

        if let activity = snapshot.activity {
            let limit =
                activity.maxConnections
                ?? snapshot.server.setting("max_connections").flatMap { Int($0.setting) }
            if let limit, limit > 0 {
                metrics.connectionsUsedRatio = Double(activity.connections) / Double(limit)
            } else {
                unknown(.connectionsUsedRatio, "max_connections is unknown")
            }
            if let vcpus = hardware.vcpus {
                metrics.activeSessionsPerVCPU = activity.avgActiveSessions / Double(vcpus)
            } else {
                unknown(
                    .activeSessionsPerVCPU,
                    "hardware.vcpus is not configured; PostgreSQL cannot see the machine")
            }
        } else {
            let reason = recorded("activity") ?? "pg_stat_activity was not sampled"
            unknown(.connectionsUsedRatio, reason)
            unknown(.activeSessionsPerVCPU, reason)
        }
        return (metrics, notes)
    }

    /// Statements whose parsed shape covers at least this share of statement time decide
    /// the split; below it, too much time is in statements of unknown kind.
    public static let minimumClassifiedTimeShare = 0.5

    /// Read-only statements' share of the statement time of those with a parsed shape.
    static func readStatementTimeShare(_ snapshot: Snapshot) -> (share: Double?, reason: String?) {
        let stats = snapshot.statements
        guard stats.available else {
            return (nil, "pg_stat_statements unavailable: \(stats.reason ?? "no reason recorded")")
        }
        var seen = Set<String>()
        let listed = ((stats.topByTotalTime ?? []) + (stats.topByCalls ?? [])).filter {
            seen.insert($0.queryid).inserted
        }
        let shaped = listed.filter { $0.shape != nil }
        let shapedTime = shaped.reduce(0) { $0 + $1.totalExecTimeMs }
        let total = stats.totalExecTimeMs ?? listed.reduce(0) { $0 + $1.totalExecTimeMs }
        guard total > 0 else { return (nil, "pg_stat_statements recorded no statement time") }
        guard shapedTime / total >= minimumClassifiedTimeShare else {
            return (
                nil,
                "statements with a parsed shape cover only \(Formatting.percent(shapedTime / total)) of statement time"
            )
        }
        let reads = shaped.filter { $0.shape?.isReadOnly == true }.reduce(0) { $0 + $1.totalExecTimeMs }
        return (reads / shapedTime, nil)
    }

    private static func replicationLag(_ snapshot: Snapshot) -> (seconds: Double?, reason: String?) {
        guard let replication = snapshot.replication else {
            return (nil, "replication state was not collected")
        }
        // A standby that is not streaming has replayed all it received: its delay reads 0.
        // The worst lag is then unknown, and saying so beats the other standbys' numbers.
        var broken: [String] = []
        if let reason = replication.walReceiver?.notStreamingReason { broken.append("this standby: \(reason)") }
        for replica in replication.replicas ?? [] {
            guard let reason = replica.walReceiver?.notStreamingReason else { continue }
            let name = [replica.connection?.host, replica.connection?.port].compactMap { $0 }.joined(separator: ":")
            broken.append("\(name.isEmpty ? "a --replica" : name): \(reason)")
        }
        if !broken.isEmpty {
            return (
                nil,
                "a standby is not streaming, so the lag is not 0 but unknown (" + broken.joined(separator: "; ") + ")"
            )
        }
        var lags: [Double] = []
        lags += (replication.standbys ?? []).compactMap(\.replayLagSeconds)
        if let delay = replication.standbyStatus?.replayDelaySeconds { lags.append(delay) }
        lags += (replication.replicas ?? []).compactMap { $0.status?.replayDelaySeconds }
        if let worst = lags.max() { return (worst, nil) }
        let connected = (replication.standbys ?? []).count + (replication.replicas ?? []).count
        return (
            nil,
            connected == 0
                ? "no standby is connected" : "the standbys reported no replay lag"
        )
    }
}

/// A table or partition with its size, for the rules and the gate.
public struct SizedRelation: Sendable, Equatable {
    public var name: String
    public var bytes: Int
    public init(name: String, bytes: Int) {
        self.name = name
        self.bytes = bytes
    }
}

/// The snapshot's tables seen by size: unpartitioned tables, partitioned tables (the sum of
/// their leaves) and leaf partitions.
public struct RelationSizes: Sendable {
    /// Ordinary tables and materialized views that are not partitions.
    public let unpartitionedTables: [SizedRelation]
    /// Partitioned tables with the sum of their leaf partitions.
    public let partitionedTables: [SizedRelation]
    /// Leaf partitions.
    public let partitions: [SizedRelation]

    public init(snapshot: Snapshot) {
        let tables = snapshot.tables ?? []
        unpartitionedTables = tables.compactMap { table in
            guard !table.isPartition, table.relkind != "p", let bytes = table.totalBytes else {
                return nil
            }
            return SizedRelation(name: table.qualifiedName, bytes: bytes)
        }
        let trees = snapshot.partitionedTables ?? []
        var leaves: [String: Int] = [:]
        for tree in trees {
            for partition in tree.partitions where !partition.isPartitioned {
                if let bytes = partition.totalBytes {
                    leaves[partition.qualifiedName] = bytes
                }
            }
        }
        for table in tables where table.isPartition && table.relkind != "p" {
            if let bytes = table.totalBytes, leaves[table.qualifiedName] == nil {
                leaves[table.qualifiedName] = bytes
            }
        }
        partitions = leaves.map { SizedRelation(name: $0.key, bytes: $0.value) }
            .sorted { ($0.bytes, $0.name) > ($1.bytes, $1.name) }
        // A tree's total counts only leaves, so nested sub-partitioned trees are not double
        // counted; the top-level trees are the logical tables.
        partitionedTables = trees.filter { $0.partitionOf == nil }.map { tree in
            SizedRelation(
                name: tree.qualifiedName,
                bytes: Self.leafBytes(of: tree, in: trees))
        }
    }

    private static func leafBytes(of tree: PartitionTree, in trees: [PartitionTree]) -> Int {
        tree.partitions.reduce(0) { total, partition in
            if partition.isPartitioned,
                let child = trees.first(where: {
                    $0.schema == partition.schema && $0.name == partition.name
                })
            {
                return total + leafBytes(of: child, in: trees)
            }
            return total + (partition.isPartitioned ? 0 : partition.totalBytes ?? 0)
        }
    }

    /// The largest logical table: an unpartitioned table or a whole partitioned table.
    public var largestTable: SizedRelation? {
        (unpartitionedTables + partitionedTables).max { ($0.bytes, $1.name) < ($1.bytes, $0.name) }
    }
}
