import DBAdviseModel
import Foundation
import PostgresClient
import StatementParser

extension SnapshotCollector {
    func sample() throws(CollectorError) -> ActivitySample? {
        if !inRecovery {
            try section("replication.lag_samples") {
                for row in try run(ReplicationQueries.lagSample) {
                    guard let pid = try row.int("pid") else { continue }
                    standbyLag[pid, default: ([], [])].seconds.append(
                        try row.double("replay_lag_seconds"))
                    standbyLag[pid, default: ([], [])].bytes.append(try row.int("replay_lag_bytes"))
                }
            }
        }
        // only the role's own sessions would be counted (see recordHiddenStatistics)
        if readsAllStats == false { return nil }
        return try section("activity") {
            try run(ActivityQueries.sample).first.map { row throws(PostgresError) in
                try ActivitySample(row: row)
            }
        } ?? nil
    }

    /// Every cumulative counter at one instant: database, tables, WAL, checkpoints, statements.
    ///
    /// Our own statements are reads of the database too. So that the database counters
    /// bracket as little of our work as possible, they are read last at the start of the
    /// interval and first at its end (`atEnd`).
    ///
    /// `tableCounters`: false when there is no interval, the catalog's own read of
    /// pg_stat_all_tables then gives the per-table figures (one scan of it fewer).
    func readCounters(atEnd: Bool, tableCounters: Bool = true) throws(CollectorError) -> CounterSample {
        var sample = CounterSample()
        let includeSize = atEnd
        let includeQueryText = atEnd
        if atEnd { try readDatabaseCounters(into: &sample, includeSize: includeSize) }
        if tableCounters {
            try readTableCounters(into: &sample)
        }
        try section("wal") {
            let query = WalQueries.counters(serverVersion: serverVersion, inRecovery: inRecovery)
            guard let row = try run(query).first else { return }
            sample.wal = WalCounters(
                source: try row.string("source") ?? "", bytes: try row.int("wal_bytes"),
                records: try row.int("wal_records"), fpi: try row.int("wal_fpi"),
                buffersFull: try row.int("wal_buffers_full"),
                statsReset: try row.double("stats_reset"))
        }
        try section("checkpoints") {
            guard let row = try run(CheckpointQueries.counters(serverVersion: serverVersion)).first
            else { return }
            sample.checkpoints = CheckpointCounters(
                source: try row.string("source") ?? "", timed: try row.int("checkpoints_timed"),
                requested: try row.int("checkpoints_req"),
                writeTimeMs: try row.double("checkpoint_write_time"),
                syncTimeMs: try row.double("checkpoint_sync_time"),
                buffers: try row.int("buffers_checkpoint"),
                statsReset: try row.double("stats_reset"))
        }
        if let version = statementsVersion, let schema = statementsSchema {
            sample.statements = try section("statements") {
                var counters: [String: StatementCounters] = [:]
                let query = StatementQueries.counters(extensionVersion: version, schema: schema)
                for row in try run(query, [includeQueryText ? "true" : "false"]) {
                    let queryid = try row.string("queryid") ?? ""
                    let key = [
                        try row.string("userid") ?? "", queryid, try row.string("toplevel") ?? "",
                    ].joined(separator: "/")
                    counters[key] = StatementCounters(
                        queryid: queryid, query: try row.string("query"),
                        calls: try row.int("calls") ?? 0,
                        totalExecTimeMs: try row.double("total_exec_time") ?? 0,
                        rows: try row.int("rows") ?? 0,
                        sharedBlksHit: try row.int("shared_blks_hit") ?? 0,
                        sharedBlksRead: try row.int("shared_blks_read") ?? 0)
                }
                return counters
            }
        }
        if !atEnd { try readDatabaseCounters(into: &sample, includeSize: includeSize) }
        return sample
    }

    private func readTableCounters(into sample: inout CounterSample) throws(CollectorError) {
        try section("tables.counters") {
            for row in try run(TableQueries.counters) {
                guard let oid = try row.int("oid") else { continue }
                sample.tables[oid] = (try row.int("writes") ?? 0, try row.int("reads") ?? 0)
            }
        }
    }

    private func readDatabaseCounters(into sample: inout CounterSample, includeSize: Bool)
        throws(CollectorError)
    {
        if ServerFeature.forceStatsFlush.isAvailable(onServerVersion: serverVersion) {
            _ = try section("database.flush") { try run(DatabaseQueries.flushOwnStatistics) }
        }
        // the statements sent from here to the next read of the counters are our own
        // transactions inside the interval
        sample.statementsSentBefore = queriesSent
        try section("database") {
            guard
                let row = try run(DatabaseQueries.counters, [includeSize ? "true" : "false"])
                    .first
            else { return }
            sample.database = try DatabaseStats(row: row)
            sample.sampledAt = try row.double("sampled_at")
            sample.databaseStatsReset = try row.double("stats_reset")
        }
    }

    func walStats(start: WalCounters?, end: WalCounters?, mode: SampleInterval.Mode) -> WalStats? {
        guard let end else { return nil }
        var stats = WalStats(source: end.source)
        if let start {
            stats.walBytes = counterDelta(end.bytes, start.bytes)
            stats.walRecords = counterDelta(end.records, start.records)
            stats.walFpi = counterDelta(end.fpi, start.fpi)
            stats.walBuffersFull = counterDelta(end.buffersFull, start.buffersFull)
        } else if end.source == "pg_stat_wal" {
            stats.walBytes = end.bytes
            stats.walRecords = end.records
            stats.walFpi = end.fpi
            stats.walBuffersFull = end.buffersFull
        } else {
            // an LSN is a position since initdb, not a count since a reset
            recordUnavailable(
                "wal.wal_bytes",
                "before PostgreSQL 14 WAL volume needs an interval (no pg_stat_wal): use --interval 10s")
        }
        return stats
    }

    func checkpointStats(start: CheckpointCounters?, end: CheckpointCounters?) -> CheckpointStats? {
        guard let end else { return nil }
        var stats = CheckpointStats(source: end.source)
        if let start {
            stats.checkpointsTimed = counterDelta(end.timed, start.timed)
            stats.checkpointsReq = counterDelta(end.requested, start.requested)
            stats.checkpointWriteTimeMs = counterDelta(end.writeTimeMs, start.writeTimeMs)
            stats.checkpointSyncTimeMs = counterDelta(end.syncTimeMs, start.syncTimeMs)
            stats.buffersCheckpoint = counterDelta(end.buffers, start.buffers)
        } else {
            stats.checkpointsTimed = end.timed
            stats.checkpointsReq = end.requested
            stats.checkpointWriteTimeMs = end.writeTimeMs
            stats.checkpointSyncTimeMs = end.syncTimeMs
            stats.buffersCheckpoint = end.buffers
        }
        return stats
    }

    func statementStats(
        start: [String: StatementCounters]?, end: [String: StatementCounters]?
    ) -> StatementStats {
        guard let version = statementsVersion else {
            let reason =
                unavailableReason(for: "statements")
                ?? "pg_stat_statements is not installed in this database: add it to shared_preload_libraries and run CREATE EXTENSION pg_stat_statements"
            if unavailableReason(for: "statements") == nil {
                recordUnavailable("statements", reason)
            }
            return StatementStats(available: false, reason: reason)
        }
        guard let end else {
            return StatementStats(
                available: false, reason: unavailableReason(for: "statements") ?? "not readable")
        }
        let deltas = end.map { key, counters in counters.delta(since: start?[key]) }
            .filter { $0.calls > 0 }
        var secretTexts: Set<String> = []
        func statement(_ counters: StatementCounters) -> Statement {
            // parsed here, while the text is at hand: `--redact` drops the text, the shape stays
            let parsed = counters.query.map(StatementParser.parse)
            // a text that can hold a password goes even without --redact; its shape is names only
            let secret = counters.query.map(StatementParser.mayCarrySecret) ?? false
            if secret { secretTexts.insert(counters.queryid) }
            return Statement(
                queryid: counters.queryid, query: secret ? nil : counters.query, calls: counters.calls,
                totalExecTimeMs: counters.totalExecTimeMs,
                meanExecTimeMs: counters.calls > 0
                    ? counters.totalExecTimeMs / Double(counters.calls) : nil,
                rows: counters.rows, sharedBlksHit: counters.sharedBlksHit,
                sharedBlksRead: counters.sharedBlksRead, shape: try? parsed?.get(),
                parseError: parsed.flatMap { result in
                    guard case let .failure(error) = result else { return nil }
                    // the parser's message may quote the text
                    return secret ? SnapshotRedactor.redactedParseError : error.description
                })
        }
        var stats = StatementStats(available: true, reason: nil)
        stats.extensionVersion = version
        stats.statementCount = deltas.count
        stats.totalExecTimeMs = deltas.reduce(0) { $0 + $1.totalExecTimeMs }
        stats.topByTotalTime = deltas.sorted {
            ($0.totalExecTimeMs, $0.queryid) > ($1.totalExecTimeMs, $1.queryid)
        }.prefix(options.topStatements).map(statement)
        stats.topByCalls = deltas.sorted { ($0.calls, $0.queryid) > ($1.calls, $1.queryid) }
            .prefix(options.topStatements).map(statement)
        stats.secretTextsDropped = secretTexts.count
        return stats
    }
}
