import DBAdviseModel
import Foundation

/// Turns stored points back into snapshots holding exactly what the analysis reads of the
/// earlier snapshots of a series (trends, forecasts, the measurement window, the write
/// rules' sustained rates), so the store-backed report is made by the very code the
/// file-only one is. Everything else is empty: these snapshots are never written or shown.
public enum SeriesSnapshots {
    public static func snapshot(from points: SnapshotPoints) -> Snapshot {
        let point = points.snapshot
        let interval = SampleInterval(
            mode: point.intervalMode == .delta ? .delta : .sinceReset, requestedSeconds: point.rateSeconds ?? 0,
            startedAt: point.startedAt, finishedAt: point.finishedAt, rateSeconds: point.rateSeconds,
            activitySamples: 0)
        let server = ServerInfo(
            versionNum: 0, version: nil, inRecovery: nil, startTime: point.startTime, statsReset: point.statsReset,
            systemIdentifier: point.systemIdentifier, settings: [], extensions: nil)
        var database = DatabaseStats(name: point.database)
        database.sizeBytes = point.sizeBytes
        database.xactCommit = point.xactCommit
        database.tupReturned = point.tupReturned
        database.tupFetched = point.tupFetched
        database.tupInserted = point.tupInserted
        database.tupUpdated = point.tupUpdated
        database.tupDeleted = point.tupDeleted
        var rates = Rates()
        rates.writesPerSecond = point.writesPerSecond
        rates.readsPerSecond = point.readsPerSecond

        var tables: [TableStats] = []
        var unlistedLeaves: [Partition] = []
        for relation in points.relations {
            guard relation.listed else {
                unlistedLeaves.append(
                    Partition(
                        schema: relation.schema, name: relation.name, bound: nil, isDefault: false,
                        isPartitioned: false, totalBytes: relation.totalBytes, rows: nil))
                continue
            }
            var table = TableStats(
                schema: relation.schema, name: relation.name, relkind: relation.relkind,
                isPartition: relation.isPartition)
            table.totalBytes = relation.totalBytes
            table.nLiveTup = relation.nLiveTup
            table.reltuples = relation.reltuples
            table.nTupIns = relation.nTupIns
            table.nTupUpd = relation.nTupUpd
            table.nTupDel = relation.nTupDel
            table.writesPerSecond = relation.writesPerSecond
            table.lastVacuum = relation.lastRefreshedAt
            tables.append(table)
        }
        // Leaves known only from their trees keep their sizes in one tree marked as a
        // sub-partition, so it is no logical table of its own.
        let trees =
            unlistedLeaves.isEmpty
            ? nil
            : [
                PartitionTree(
                    schema: "", name: "", strategy: .range, key: nil, keyColumns: [], partitionOf: "",
                    partitions: unlistedLeaves, defaultPartition: nil)
            ]
        let activity = point.avgActiveSessions.map {
            ActivitySummary(
                samples: 0, avgActiveSessions: $0, peakActiveSessions: 0, connections: 0, maxConnections: nil,
                waitEventTypes: [:], idleInTransaction: 0, oldestQuerySeconds: nil, oldestTransactionSeconds: nil)
        }
        let replication = point.replicationLagSeconds.map { lag in
            var status = StandbyStatus()
            status.replayDelaySeconds = lag
            return Replication(role: "primary", standbys: nil, slots: nil, standbyStatus: status, replicas: nil)
        }
        return Snapshot(
            tool: ToolInfo(version: DBAdviseVersion.current), interval: interval,
            connection: ConnectionInfo(host: point.host, port: point.port, database: point.database, user: nil),
            server: server, database: database, rates: rates, tables: tables, indexes: nil,
            partitionedTables: trees, columnStats: nil, replication: replication, wal: nil, checkpoints: nil,
            activity: activity, statements: StatementStats(available: false, reason: "a history point"),
            unavailable: [])
    }
}
