import Foundation

/// What a decoded number may be, by its meaning. Every number of a snapshot and a baseline is
/// checked against one of these as the file is read (``Snapshot/checkNumbers()``,
/// ``Baseline/checkNumbers()``), so that nothing downstream (rules, growth, what-if,
/// formatting) meets an infinity, a NaN or a count past what arithmetic on Int survives.
public enum NumberRange: Sendable {
    /// Counts, sizes in bytes, rates, durations: finite, 0 … ``largestCount``.
    case nonNegative
    /// A share: 0 … 1.
    case ratio
    /// A correlation: -1 … 1.
    case signedRatio
    /// `pg_stats.n_distinct` and `pg_class.reltuples`: -1 … ``largestCount`` (negative values
    /// are fractions of the rows, or -1 for "never analyzed").
    case fractionOrCount
    /// Differences the server or the collector takes between two clocks or two positions
    /// (a query start after `now()`, an LSN behind another, a setting of -1): finite,
    /// ±``largestCount``.
    case signed

    /// 2^53: every integer up to it is exact in a Double, and sums of a thousand of them
    /// still fit in an Int. No PostgreSQL counter or size comes near it (8 PiB).
    public static let largestCount: Double = 9_007_199_254_740_992

    public func contains(_ value: Double) -> Bool {
        guard value.isFinite else { return false }
        switch self {
        case .nonNegative: return value >= 0 && value <= Self.largestCount
        case .ratio: return value >= 0 && value <= 1
        case .signedRatio: return value >= -1 && value <= 1
        case .fractionOrCount: return value >= -1 && value <= Self.largestCount
        case .signed: return abs(value) <= Self.largestCount
        }
    }

    var expectation: String {
        switch self {
        case .nonNegative: "a count, size, rate or duration is finite, 0 or more, and at most 2^53"
        case .ratio: "a ratio is between 0 and 1"
        case .signedRatio: "a correlation is between -1 and 1"
        case .fractionOrCount: "it is -1 or more, and at most 2^53"
        case .signed: "it is finite, between -2^53 and 2^53"
        }
    }
}

/// A decoded number outside its ``NumberRange``: names the key path, the value and the range.
public struct NumberOutOfRange: Error, Sendable, Equatable, CustomStringConvertible {
    /// snake_case, as in the file: `tables[3].total_bytes`.
    public let keyPath: String
    public let value: Double
    public let range: NumberRange

    public var description: String {
        let shown: String
        if value.isNaN {
            shown = "NaN"
        } else if value.isInfinite {
            // 1e400 decodes as infinity: say where such a value comes from.
            shown = "\(value > 0 ? "" : "-")infinity (a number beyond ±1.8e308, or \"Infinity\")"
        } else {
            shown = abs(value) >= 1e15 || (value != 0 && abs(value) < 1e-4) ? String(format: "%g", value) : "\(value)"
        }
        return "\(keyPath): \(shown) is out of range (\(range.expectation))"
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.keyPath == rhs.keyPath && lhs.description == rhs.description
    }
}

/// Walks one decoded value; the key path is built only for the number that fails.
public struct NumberChecker {
    public init() {}

    public func check(_ value: Double?, _ range: NumberRange, _ path: @autoclosure () -> String)
        throws(NumberOutOfRange)
    {
        guard let value, !range.contains(value) else { return }
        throw NumberOutOfRange(keyPath: path(), value: value, range: range)
    }

    public func check(_ value: Int?, _ range: NumberRange, _ path: @autoclosure () -> String) throws(NumberOutOfRange) {
        guard let value else { return }
        try check(Double(value), range, path())
    }

    /// A count or a size: ``NumberRange/nonNegative``.
    public func check(_ value: Int?, _ path: @autoclosure () -> String) throws(NumberOutOfRange) {
        try check(value, .nonNegative, path())
    }
}

extension Snapshot {
    /// Throws for the first number outside its meaning (see ``NumberRange``).
    public func checkNumbers() throws(NumberOutOfRange) {
        let c = NumberChecker()
        try c.check(schemaVersion, "schema_version")
        try c.check(interval.requestedSeconds, .nonNegative, "interval.requested_seconds")
        try c.check(interval.rateSeconds, .nonNegative, "interval.rate_seconds")
        try c.check(interval.activitySamples, "interval.activity_samples")
        try c.check(server.versionNum, "server.version_num")
        if let host {
            try c.check(host.vcpus, "host.vcpus")
            try c.check(host.memoryBytes, "host.memory_bytes")
        }
        for (i, setting) in server.settings.enumerated() {
            try c.check(setting.bytes, .signed, "server.settings[\(i)].bytes")
            try c.check(setting.seconds, .signed, "server.settings[\(i)].seconds")
        }
        if let database {
            let p = "database"
            try c.check(database.sizeBytes, "\(p).size_bytes")
            try c.check(database.numbackends, "\(p).numbackends")
            try c.check(database.xactCommit, "\(p).xact_commit")
            try c.check(database.xactRollback, "\(p).xact_rollback")
            try c.check(database.blksRead, "\(p).blks_read")
            try c.check(database.blksHit, "\(p).blks_hit")
            try c.check(database.tupReturned, "\(p).tup_returned")
            try c.check(database.tupFetched, "\(p).tup_fetched")
            try c.check(database.tupInserted, "\(p).tup_inserted")
            try c.check(database.tupUpdated, "\(p).tup_updated")
            try c.check(database.tupDeleted, "\(p).tup_deleted")
            try c.check(database.tempFiles, "\(p).temp_files")
            try c.check(database.tempBytes, "\(p).temp_bytes")
            try c.check(database.deadlocks, "\(p).deadlocks")
            try c.check(database.datfrozenxidAge, "\(p).datfrozenxid_age")
        }
        try c.check(rates.transactionsPerSecond, .nonNegative, "rates.transactions_per_second")
        try c.check(rates.writesPerSecond, .nonNegative, "rates.writes_per_second")
        try c.check(rates.readsPerSecond, .nonNegative, "rates.reads_per_second")
        try c.check(rates.tupReturnedPerSecond, .nonNegative, "rates.tup_returned_per_second")
        try c.check(rates.tupFetchedPerSecond, .nonNegative, "rates.tup_fetched_per_second")
        try c.check(rates.blksReadPerSecond, .nonNegative, "rates.blks_read_per_second")
        try c.check(rates.blksHitPerSecond, .nonNegative, "rates.blks_hit_per_second")
        try c.check(rates.tempBytesPerSecond, .nonNegative, "rates.temp_bytes_per_second")
        try c.check(rates.walBytesPerSecond, .nonNegative, "rates.wal_bytes_per_second")
        try c.check(rates.cacheHitRatio, .ratio, "rates.cache_hit_ratio")
        for (i, table) in (tables ?? []).enumerated() {
            let p = "tables[\(i)]"
            try c.check(table.totalBytes, "\(p).total_bytes")
            try c.check(table.heapBytes, "\(p).heap_bytes")
            try c.check(table.indexBytes, "\(p).index_bytes")
            try c.check(table.toastBytes, "\(p).toast_bytes")
            try c.check(table.reltuples, .fractionOrCount, "\(p).reltuples")
            try c.check(table.nLiveTup, "\(p).n_live_tup")
            try c.check(table.nDeadTup, "\(p).n_dead_tup")
            try c.check(table.seqScan, "\(p).seq_scan")
            try c.check(table.seqTupRead, "\(p).seq_tup_read")
            try c.check(table.idxScan, "\(p).idx_scan")
            try c.check(table.idxTupFetch, "\(p).idx_tup_fetch")
            try c.check(table.nTupIns, "\(p).n_tup_ins")
            try c.check(table.nTupUpd, "\(p).n_tup_upd")
            try c.check(table.nTupDel, "\(p).n_tup_del")
            try c.check(table.nTupHotUpd, "\(p).n_tup_hot_upd")
            try c.check(table.vacuumCount, "\(p).vacuum_count")
            try c.check(table.autovacuumCount, "\(p).autovacuum_count")
            try c.check(table.analyzeCount, "\(p).analyze_count")
            try c.check(table.autoanalyzeCount, "\(p).autoanalyze_count")
            try c.check(table.relfrozenxidAge, "\(p).relfrozenxid_age")
            try c.check(table.writesPerSecond, .nonNegative, "\(p).writes_per_second")
            try c.check(table.readsPerSecond, .nonNegative, "\(p).reads_per_second")
        }
        for (i, index) in (indexes ?? []).enumerated() {
            try c.check(index.bytes, "indexes[\(i)].bytes")
            try c.check(index.idxScan, "indexes[\(i)].idx_scan")
        }
        for (i, tree) in (partitionedTables ?? []).enumerated() {
            for (j, partition) in tree.partitions.enumerated() {
                try c.check(partition.totalBytes, "partitioned_tables[\(i)].partitions[\(j)].total_bytes")
                try c.check(partition.rows, "partitioned_tables[\(i)].partitions[\(j)].rows")
            }
        }
        for (i, column) in (columnStats ?? []).enumerated() {
            let p = "column_stats[\(i)]"
            try c.check(column.correlation, .signedRatio, "\(p).correlation")
            try c.check(column.nDistinct, .fractionOrCount, "\(p).n_distinct")
            try c.check(column.nullFrac, .ratio, "\(p).null_frac")
            try c.check(column.mostCommonFreq, .ratio, "\(p).most_common_freq")
            try c.check(column.avgWidth, "\(p).avg_width")
        }
        if let replication { try replication.checkNumbers(c) }
        if let wal {
            try c.check(wal.walBytes, "wal.wal_bytes")
            try c.check(wal.walRecords, "wal.wal_records")
            try c.check(wal.walFpi, "wal.wal_fpi")
            try c.check(wal.walBuffersFull, "wal.wal_buffers_full")
        }
        if let checkpoints {
            try c.check(checkpoints.checkpointsTimed, "checkpoints.checkpoints_timed")
            try c.check(checkpoints.checkpointsReq, "checkpoints.checkpoints_req")
            try c.check(checkpoints.checkpointWriteTimeMs, .nonNegative, "checkpoints.checkpoint_write_time_ms")
            try c.check(checkpoints.checkpointSyncTimeMs, .nonNegative, "checkpoints.checkpoint_sync_time_ms")
            try c.check(checkpoints.buffersCheckpoint, "checkpoints.buffers_checkpoint")
        }
        if let activity {
            try c.check(activity.samples, "activity.samples")
            try c.check(activity.avgActiveSessions, .nonNegative, "activity.avg_active_sessions")
            try c.check(activity.peakActiveSessions, "activity.peak_active_sessions")
            try c.check(activity.connections, "activity.connections")
            try c.check(activity.maxConnections, "activity.max_connections")
            for (name, value) in activity.waitEventTypes {
                try c.check(value, .nonNegative, "activity.wait_event_types.\(name)")
            }
            try c.check(activity.idleInTransaction, "activity.idle_in_transaction")
            try c.check(activity.oldestQuerySeconds, .signed, "activity.oldest_query_seconds")
            try c.check(activity.oldestTransactionSeconds, .signed, "activity.oldest_transaction_seconds")
        }
        try c.check(statements.statementCount, "statements.statement_count")
        try c.check(statements.secretTextsDropped, "statements.secret_texts_dropped")
        try c.check(statements.totalExecTimeMs, .nonNegative, "statements.total_exec_time_ms")
        for (list, statements) in [
            ("top_by_total_time", statements.topByTotalTime), ("top_by_calls", statements.topByCalls),
        ] {
            for (i, statement) in (statements ?? []).enumerated() {
                let p = "statements.\(list)[\(i)]"
                try c.check(statement.calls, "\(p).calls")
                try c.check(statement.totalExecTimeMs, .nonNegative, "\(p).total_exec_time_ms")
                try c.check(statement.meanExecTimeMs, .nonNegative, "\(p).mean_exec_time_ms")
                try c.check(statement.rows, "\(p).rows")
                try c.check(statement.sharedBlksHit, "\(p).shared_blks_hit")
                try c.check(statement.sharedBlksRead, "\(p).shared_blks_read")
                if let shape = statement.shape {
                    try c.check(shape.joinCount, "\(p).shape.join_count")
                    for (k, parameter) in shape.parameters.enumerated() {
                        try c.check(parameter.number, "\(p).shape.parameters[\(k)].number")
                    }
                }
            }
        }
    }
}

extension Replication {
    fileprivate func checkNumbers(_ c: NumberChecker) throws(NumberOutOfRange) {
        for (i, standby) in (standbys ?? []).enumerated() {
            let p = "replication.standbys[\(i)]"
            try c.check(standby.writeLagSeconds, .nonNegative, "\(p).write_lag_seconds")
            try c.check(standby.flushLagSeconds, .nonNegative, "\(p).flush_lag_seconds")
            try c.check(standby.replayLagSeconds, .nonNegative, "\(p).replay_lag_seconds")
            try c.check(standby.writeLagBytes, .signed, "\(p).write_lag_bytes")
            try c.check(standby.flushLagBytes, .signed, "\(p).flush_lag_bytes")
            try c.check(standby.replayLagBytes, .signed, "\(p).replay_lag_bytes")
            try standby.lagSamples?.checkNumbers(c, "\(p).lag_samples")
        }
        for (i, slot) in (slots ?? []).enumerated() {
            try c.check(slot.retainedBytes, .signed, "replication.slots[\(i)].retained_bytes")
        }
        try standbyStatus?.checkNumbers(c, "replication.standby_status")
        try walReceiver?.checkNumbers(c, "replication.wal_receiver")
        for (i, replica) in (replicas ?? []).enumerated() {
            let p = "replication.replicas[\(i)]"
            try replica.status?.checkNumbers(c, "\(p).status")
            try replica.walReceiver?.checkNumbers(c, "\(p).wal_receiver")
            try replica.lag?.checkNumbers(c, "\(p).lag")
            try c.check(replica.maxStandbyStreamingDelaySeconds, .signed, "\(p).max_standby_streaming_delay_seconds")
            if let conflicts = replica.conflicts {
                try c.check(conflicts.conflTablespace, "\(p).conflicts.confl_tablespace")
                try c.check(conflicts.conflLock, "\(p).conflicts.confl_lock")
                try c.check(conflicts.conflSnapshot, "\(p).conflicts.confl_snapshot")
                try c.check(conflicts.conflBufferpin, "\(p).conflicts.confl_bufferpin")
                try c.check(conflicts.conflDeadlock, "\(p).conflicts.confl_deadlock")
            }
            try c.check(replica.longestQuerySeconds, .signed, "\(p).longest_query_seconds")
        }
    }
}

extension StandbyStatus {
    fileprivate func checkNumbers(_ c: NumberChecker, _ p: String) throws(NumberOutOfRange) {
        try c.check(replayLagBytes, .signed, "\(p).replay_lag_bytes")
        try c.check(replayDelaySeconds, .signed, "\(p).replay_delay_seconds")
    }
}

extension WalReceiver {
    fileprivate func checkNumbers(_ c: NumberChecker, _ p: String) throws(NumberOutOfRange) {
        try c.check(lastMsgAgeSeconds, .signed, "\(p).last_msg_age_seconds")
        try c.check(senderPort, "\(p).sender_port")
        try c.check(walReceiverTimeoutSeconds, .nonNegative, "\(p).wal_receiver_timeout_seconds")
    }
}

extension LagSamples {
    fileprivate func checkNumbers(_ c: NumberChecker, _ p: String) throws(NumberOutOfRange) {
        try c.check(samples, "\(p).samples")
        try c.check(avgSeconds, .signed, "\(p).avg_seconds")
        try c.check(p95Seconds, .signed, "\(p).p95_seconds")
        try c.check(peakSeconds, .signed, "\(p).peak_seconds")
        try c.check(avgBytes, .signed, "\(p).avg_bytes")
        try c.check(peakBytes, .signed, "\(p).peak_bytes")
    }
}
