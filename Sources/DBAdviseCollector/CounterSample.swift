import DBAdviseModel
import Foundation
import PostgresClient

/// The cumulative counters read at one instant. Two of them (start and end of the interval)
/// give the deltas; one alone, with `--interval 0`, gives averages since the last reset.
struct CounterSample {
    var database: DatabaseStats?
    var sampledAt: Double?
    var databaseStatsReset: Double?
    /// How many statements dbadvise had sent when this sample's database counters were read.
    var statementsSentBefore = 0
    /// oid → (rows written, rows read)
    var tables: [Int: (writes: Int, reads: Int)] = [:]
    var wal: WalCounters?
    var checkpoints: CheckpointCounters?
    var statements: [String: StatementCounters]?
}

struct WalCounters {
    var source: String
    var bytes: Int?
    var records: Int?
    var fpi: Int?
    var buffersFull: Int?
    var statsReset: Double?
}

struct CheckpointCounters {
    var source: String
    var timed: Int?
    var requested: Int?
    var writeTimeMs: Double?
    var syncTimeMs: Double?
    var buffers: Int?
    var statsReset: Double?
}

struct StatementCounters {
    var queryid: String
    var query: String?
    var calls: Int
    var totalExecTimeMs: Double
    var rows: Int
    var sharedBlksHit: Int
    var sharedBlksRead: Int

    /// end − start; a statement evicted and re-entered (or a reset) shows counters smaller
    /// than at the start: then everything it has now happened inside the interval.
    func delta(since start: StatementCounters?) -> StatementCounters {
        guard let start, calls >= start.calls else { return self }
        var delta = self
        delta.calls = calls - start.calls
        delta.totalExecTimeMs = max(0, totalExecTimeMs - start.totalExecTimeMs)
        delta.rows = max(0, rows - start.rows)
        delta.sharedBlksHit = max(0, sharedBlksHit - start.sharedBlksHit)
        delta.sharedBlksRead = max(0, sharedBlksRead - start.sharedBlksRead)
        return delta
    }
}

/// A counter difference that treats a reset (end < start) as "unknown", never negative.
func counterDelta(_ end: Int?, _ start: Int?) -> Int? {
    guard let end, let start, end >= start else { return nil }
    return end - start
}

func counterDelta(_ end: Double?, _ start: Double?) -> Double? {
    guard let end, let start, end >= start else { return nil }
    return end - start
}

func perSecond(_ value: Int?, _ seconds: Double?) -> Double? {
    guard let value, let seconds, seconds > 0 else { return nil }
    return Double(value) / seconds
}

func sum(_ values: Int?...) -> Int? {
    var total = 0
    for value in values {
        guard let value else { return nil }
        total += value
    }
    return total
}

extension DatabaseStats {
    init(row: Row) throws(PostgresError) {
        self.init(name: try row.string("name") ?? "")
        sizeBytes = try row.int("size_bytes")
        numbackends = try row.int("numbackends")
        xactCommit = try row.int("xact_commit")
        xactRollback = try row.int("xact_rollback")
        blksRead = try row.int("blks_read")
        blksHit = try row.int("blks_hit")
        tupReturned = try row.int("tup_returned")
        tupFetched = try row.int("tup_fetched")
        tupInserted = try row.int("tup_inserted")
        tupUpdated = try row.int("tup_updated")
        tupDeleted = try row.int("tup_deleted")
        tempFiles = try row.int("temp_files")
        tempBytes = try row.int("temp_bytes")
        deadlocks = try row.int("deadlocks")
        datfrozenxidAge = try row.int("datfrozenxid_age")
    }
}

extension Rates {
    /// Rates from the database counters: end − start over `seconds`, or, with no start
    /// sample, the end counters over the time since the reset. `ownTransactions` (the
    /// statements dbadvise itself ran between the two reads) are not the application's.
    init(end: DatabaseStats, start: DatabaseStats?, seconds: Double?, ownTransactions: Int = 0) {
        self.init()
        let baseline = start ?? DatabaseStats(name: end.name)
        func delta(_ path: KeyPath<DatabaseStats, Int?>) -> Int? {
            start == nil ? end[keyPath: path] : counterDelta(end[keyPath: path], baseline[keyPath: path])
        }
        let commits = delta(\.xactCommit).map { max(0, $0 - ownTransactions) }
        transactionsPerSecond = perSecond(sum(commits, delta(\.xactRollback)), seconds)
        writesPerSecond = perSecond(
            sum(delta(\.tupInserted), delta(\.tupUpdated), delta(\.tupDeleted)), seconds)
        readsPerSecond = perSecond(sum(delta(\.tupReturned), delta(\.tupFetched)), seconds)
        tupReturnedPerSecond = perSecond(delta(\.tupReturned), seconds)
        tupFetchedPerSecond = perSecond(delta(\.tupFetched), seconds)
        blksReadPerSecond = perSecond(delta(\.blksRead), seconds)
        blksHitPerSecond = perSecond(delta(\.blksHit), seconds)
        tempBytesPerSecond = perSecond(delta(\.tempBytes), seconds)
        if let hit = delta(\.blksHit), let read = delta(\.blksRead), hit + read > 0 {
            cacheHitRatio = Double(hit) / Double(hit + read)
        }
    }
}
