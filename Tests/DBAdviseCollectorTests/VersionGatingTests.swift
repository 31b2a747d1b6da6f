import Testing

@testable import DBAdviseCollector

/// `make test` runs the SQL live on PostgreSQL 15, 16 and 18 (ServerVersionTests and the
/// collection suites on each); the SQL chosen for every version, tested or not (12 to 18), is
/// checked here by version number.
@Suite("SQL chosen per server version")
struct VersionGatingTests {
    @Test(arguments: [120000, 130000, 140000, 150018, 160002, 170002, 180006])
    func walSource(version: Int) {
        let primary = WalQueries.counters(serverVersion: version, inRecovery: false).sql
        // PostgreSQL 18 removed wal_write, wal_sync and their times from pg_stat_wal (WAL I/O is
        // in pg_stat_io): no version reads them.
        for removed in ["wal_write", "wal_sync"] {
            #expect(!primary.contains(removed), "\(removed) is gone from pg_stat_wal in PostgreSQL 18")
        }
        if version >= 140000 {
            #expect(primary.contains("FROM pg_catalog.pg_stat_wal"))
        } else {
            #expect(primary.contains("pg_current_wal_lsn()"))
            #expect(!primary.contains("pg_stat_wal "))
            let standby = WalQueries.counters(serverVersion: version, inRecovery: true).sql
            #expect(standby.contains("pg_last_wal_replay_lsn()"))
        }
    }

    @Test(arguments: [120000, 150018, 160002, 170002, 180006])
    func checkpointSource(version: Int) {
        let sql = CheckpointQueries.counters(serverVersion: version).sql
        // PostgreSQL 17 moved the checkpoint counters to pg_stat_checkpointer, renamed
        if version >= 170000 {
            #expect(sql.contains("FROM pg_catalog.pg_stat_checkpointer"))
            #expect(sql.contains("c.num_timed AS checkpoints_timed"))
        } else {
            #expect(sql.contains("FROM pg_catalog.pg_stat_bgwriter"))
            #expect(sql.contains("b.checkpoints_timed AS checkpoints_timed"))
        }
    }

    @Test func slotWalStatusFrom13() {
        #expect(
            ReplicationQueries.slots(serverVersion: 120000, inRecovery: false).sql.contains(
                "NULL::pg_catalog.text AS wal_status"))
        #expect(
            ReplicationQueries.slots(serverVersion: 130000, inRecovery: false).sql.contains(
                "s.wal_status AS wal_status"))
        #expect(
            ReplicationQueries.slots(serverVersion: 150000, inRecovery: true).sql.contains("pg_last_wal_replay_lsn()"))
    }

    @Test(arguments: [
        ("1.7", "s.total_time AS total_exec_time", "'true' AS toplevel"),
        ("1.8", "s.total_exec_time AS total_exec_time", "'true' AS toplevel"),
        ("1.9", "s.total_exec_time AS total_exec_time", "s.toplevel::pg_catalog.text AS toplevel"),
        ("1.10", "s.total_exec_time AS total_exec_time", "s.toplevel::pg_catalog.text AS toplevel"),
        ("1.11", "s.total_exec_time AS total_exec_time", "s.toplevel::pg_catalog.text AS toplevel"),
        // 1.11 (PostgreSQL 17) renamed blk_read_time/blk_write_time to shared_blk_*; 1.12
        // (PostgreSQL 18) adds wal_buffers_full and parallel_workers_*: none of them is read
        ("1.12", "s.total_exec_time AS total_exec_time", "s.toplevel::pg_catalog.text AS toplevel"),
    ])
    func statementColumnsFollowTheExtensionVersion(version: String, time: String, toplevel: String) {
        let sql = StatementQueries.counters(extensionVersion: version, schema: "public").sql
        #expect(!sql.contains("blk_read_time") && !sql.contains("blk_write_time"))
        #expect(sql.contains(time))
        #expect(sql.contains(toplevel))
        #expect(
            (StatementQueries.statsReset(extensionVersion: version, schema: "public") != nil)
                == (version != "1.7" && version != "1.8"))
    }

    @Test(arguments: [120000, 150018, 170002, 180000, 180001])
    func foreignKeyEnforcementFrom18(version: Int) {
        let sql = TableQueries.foreignKeys(serverVersion: version).sql
        #expect(sql.contains("WHERE con.contype OPERATOR(pg_catalog.=) 'f'"))
        #expect(
            sql.contains("AND con.conparentid OPERATOR(pg_catalog.=) 0"),
            "a partitioned table's key once, not once a partition")
        if version >= 180000 {
            #expect(sql.contains("con.conenforced AS enforced"))
        } else {
            #expect(sql.contains("true AS enforced"))
            #expect(!sql.contains("conenforced"))
        }
    }

    @Test func extensionVersionsCompareNumerically() {
        #expect(StatementQueries.isAtLeast("1.10", [1, 9]))
        #expect(!StatementQueries.isAtLeast("1.7", [1, 8]))
        #expect(StatementQueries.isAtLeast("2.0", [1, 11]))
    }

    @Test func featureTable() {
        #expect(ServerFeature.statWal.isAvailable(onServerVersion: 140000))
        #expect(!ServerFeature.statWal.isAvailable(onServerVersion: 130012))
        #expect(ServerFeature.statIO.minimumServerVersion == 160000)
        #expect(!ServerFeature.statCheckpointer.isAvailable(onServerVersion: 160004))
    }

    @Test func everyQueryCarriesTheMarkerAfterItsFirstKeyword() {
        let queries = [
            ServerQueries.identity, ServerQueries.settings, DatabaseQueries.counters,
            TableQueries.tables, TableQueries.indexes, TableQueries.columnStats,
            ActivityQueries.sample, ReplicationQueries.standbyStatus, TableQueries.foreignKeys(serverVersion: 150018),
        ]
        for query in queries {
            #expect(
                query.sql.hasPrefix("SELECT /* dbadvise */") || query.sql.hasPrefix("WITH /* dbadvise */"),
                "\(query.name)")
        }
    }
}

@Suite("Counter arithmetic")
struct CounterTests {
    @Test func resetsAreUnknownNotNegative() {
        #expect(counterDelta(10, 4) == 6)
        #expect(counterDelta(3, 4) == nil)
        #expect(counterDelta(nil, 4) == nil)
        #expect(perSecond(10, 0) == nil)
        #expect(perSecond(10, 4) == 2.5)
    }

    @Test func statementDeltas() {
        let start = StatementCounters(
            queryid: "1", query: nil, calls: 10, totalExecTimeMs: 100, rows: 10,
            sharedBlksHit: 5, sharedBlksRead: 1)
        var end = start
        end.calls = 30
        end.totalExecTimeMs = 400
        end.rows = 50
        let delta = end.delta(since: start)
        #expect(delta.calls == 20)
        #expect(delta.totalExecTimeMs == 300)
        #expect(delta.rows == 40)
        // evicted and re-entered: everything it has now happened inside the interval
        var reentered = start
        reentered.calls = 3
        #expect(reentered.delta(since: start).calls == 3)
        #expect(end.delta(since: nil).calls == 30)
    }

    @Test(arguments: [
        ("shared_buffers", "16384", "8kB", 134_217_728),
        ("work_mem", "4096", "kB", 4_194_304),
        ("max_wal_size", "1024", "MB", 1_073_741_824),
        ("wal_segment_size", "1", "16MB", 16_777_216),
    ])
    func memorySettingsInBytes(name: String, setting: String, unit: String, bytes: Int) {
        #expect(SettingValue.make(name: name, setting: setting, unit: unit).bytes == bytes)
    }

    @Test func timeSettingsInSeconds() {
        #expect(SettingValue.make(name: "checkpoint_timeout", setting: "300", unit: "s").seconds == 300)
        #expect(SettingValue.make(name: "autovacuum_naptime", setting: "60", unit: "s").seconds == 60)
        #expect(SettingValue.make(name: "statement_timeout", setting: "1500", unit: "ms").seconds == 1.5)
        #expect(SettingValue.make(name: "max_connections", setting: "100", unit: nil).bytes == nil)
    }

    @Test func arrayLiteralsQuoteEveryElement() {
        #expect(SnapshotCollector.textArray(["a", "b\"c"]) == "{\"a\",\"b\\\"c\"}")
        #expect(SnapshotCollector.intArray([]) == "{}")
        #expect(SnapshotCollector.intArray([1, 22]) == "{1,22}")
    }
}
