import DBAdviseAnalysis
import DBAdviseModel
import DBAdviseOutput
import Foundation

/// The snapshot every rule example starts from, and the config it is judged with.
///
/// To start from a real capture instead, put it in Fixtures/ and set ``capturedFixture`` to its
/// file name: the examples set every number they depend on, so they hold for any base.
enum BaseFixture {
    /// `"pgbench.json"` once the captured snapshot is in Fixtures/; nil uses ``synthetic``.
    static let capturedFixture: String? = "pgbench.json"

    static let config = Config(hardware: Hardware(vcpus: 16, memoryGB: 64))

    static let finishedAt = Date(timeIntervalSince1970: 1_795_000_000)

    static func snapshot() throws -> Snapshot {
        guard let name = capturedFixture else { return synthetic }
        guard let url = Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil) else {
            throw FixtureError.missing(name)
        }
        return try SnapshotCoding.decoder().decode(Snapshot.self, from: Data(contentsOf: url))
    }

    enum FixtureError: Error { case missing(String) }

    /// A pgbench-like primary under moderate load: mixed, far from every threshold.
    static var synthetic: Snapshot {
        var database = DatabaseStats(name: "shop")
        database.sizeBytes = 2 * 1_073_741_824
        database.datfrozenxidAge = 5_000_000
        database.blksHit = 1_000_000
        database.blksRead = 1_000
        var rates = Rates()
        rates.transactionsPerSecond = 200
        rates.writesPerSecond = 800
        rates.readsPerSecond = 4_000
        rates.cacheHitRatio = 0.999
        rates.tempBytesPerSecond = 0
        rates.walBytesPerSecond = 2_000_000
        var statements = StatementStats(available: true, reason: nil)
        statements.extensionVersion = "1.10"
        statements.statementCount = 5
        statements.totalExecTimeMs = 20_000
        statements.topByTotalTime = [
            Statement(
                queryid: "101", query: "UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2",
                calls: 2_000, totalExecTimeMs: 9_000, meanExecTimeMs: 4.5, rows: 2_000, sharedBlksHit: 10_000,
                sharedBlksRead: 10),
            Statement(
                queryid: "102", query: "SELECT abalance FROM pgbench_accounts WHERE aid = $1",
                calls: 2_000, totalExecTimeMs: 1_000, meanExecTimeMs: 0.5, rows: 2_000, sharedBlksHit: 6_000,
                sharedBlksRead: 5),
            Statement(
                queryid: "103",
                query:
                    "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES ($1, $2, $3, $4, CURRENT_TIMESTAMP)",
                calls: 2_000, totalExecTimeMs: 2_000, meanExecTimeMs: 1, rows: 2_000, sharedBlksHit: 4_000,
                sharedBlksRead: 0),
        ]
        let accounts = table(
            "pgbench_accounts", bytes: 1_300_000_000, live: 10_000_000, dead: 20_000, writes: 200, reads: 2_000)
        let history = table("pgbench_history", bytes: 50_000_000, live: 500_000, dead: 0, writes: 200, reads: 0)
        var index = IndexStats(
            schema: "public", table: "pgbench_accounts", name: "pgbench_accounts_pkey",
            isUnique: true, isPrimary: true, isValid: true)
        index.bytes = 220_000_000
        index.idxScan = 1_000_000
        var checkpoints = CheckpointStats(source: "pg_stat_checkpointer")
        checkpoints.checkpointsTimed = 1
        checkpoints.checkpointsReq = 0
        return Snapshot(
            tool: ToolInfo(version: "0.1.0"),
            interval: SampleInterval(
                mode: .delta, requestedSeconds: 10, startedAt: finishedAt.addingTimeInterval(-10),
                finishedAt: finishedAt, rateSeconds: 10, activitySamples: 10),
            connection: ConnectionInfo(host: "localhost", port: "5432", database: "shop", user: "monitor"),
            server: ServerInfo(
                versionNum: 160_004, version: "PostgreSQL 16.4", inRecovery: false,
                startTime: finishedAt.addingTimeInterval(-30 * 86_400), statsReset: nil,
                systemIdentifier: "7300000000000000001",
                settings: [
                    Setting(name: "max_connections", setting: "100", unit: nil, bytes: nil, seconds: nil),
                    Setting(name: "work_mem", setting: "4096", unit: "kB", bytes: 4_194_304, seconds: nil),
                ],
                extensions: [Extension(name: "pg_stat_statements", version: "1.10")]),
            database: database, rates: rates, tables: [accounts, history], indexes: [index],
            partitionedTables: [], columnStats: [],
            replication: Replication(role: "primary", standbys: [], slots: [], standbyStatus: nil, replicas: nil),
            wal: nil, checkpoints: checkpoints,
            activity: ActivitySummary(
                samples: 10, avgActiveSessions: 2, peakActiveSessions: 5, connections: 20,
                maxConnections: 100, waitEventTypes: ["CPU": 1.5, "IO": 0.2, "Client": 0.3],
                idleInTransaction: 0, oldestQuerySeconds: 0.5, oldestTransactionSeconds: 1),
            statements: statements, unavailable: [])
    }

    static func table(
        _ name: String, schema: String = "public", bytes: Int, live: Int = 1_000, dead: Int = 0,
        writes: Double? = 0, reads: Double? = 0
    ) -> TableStats {
        var table = TableStats(schema: schema, name: name, relkind: "r", isPartition: false)
        table.totalBytes = bytes
        table.nLiveTup = live
        table.nDeadTup = dead
        table.writesPerSecond = writes
        table.readsPerSecond = reads
        table.nTupDel = 0
        table.autovacuumCount = 1
        table.relfrozenxidAge = 1_000_000
        return table
    }

    static func partitionTree(
        _ name: String, sizes: [Int], defaultRows: Int? = nil
    ) -> PartitionTree {
        var partitions = sizes.enumerated().map { index, bytes in
            Partition(
                schema: "public", name: "\(name)_p\(index)", bound: "FOR VALUES FROM (\(index)) TO (\(index + 1))",
                isDefault: false, isPartitioned: false, totalBytes: bytes, rows: bytes / 100)
        }
        if let defaultRows {
            partitions.append(
                Partition(
                    schema: "public", name: "\(name)_default", bound: "DEFAULT", isDefault: true,
                    isPartitioned: false, totalBytes: defaultRows * 100, rows: defaultRows))
        }
        return PartitionTree(
            schema: "public", name: name, strategy: .range, key: "RANGE (created_at)",
            keyColumns: ["created_at"], partitionOf: nil, partitions: partitions,
            defaultPartition: defaultRows.map { _ in "public.\(name)_default" })
    }

    static func column(_ table: String, _ column: String, type: String, correlation: Double) -> ColumnStats {
        var stats = ColumnStats(schema: "public", table: table, column: column, dataType: type)
        stats.correlation = correlation
        stats.nDistinct = -1
        return stats
    }

    static let gigabyte = 1_073_741_824
}
