import DBAdviseModel
import Foundation
import PostgresClient

/// One pg_stat_activity sample, already aggregated by the server.
struct ActivitySample {
    var active: Int
    var connections: Int
    var idleInTransaction: Int
    var oldestQuerySeconds: Double?
    var oldestTransactionSeconds: Double?
    var waitEventTypes: [String: Int]

    init(row: Row) throws(PostgresError) {
        active = try row.int("active") ?? 0
        connections = try row.int("connections") ?? 0
        idleInTransaction = try row.int("idle_in_transaction") ?? 0
        oldestQuerySeconds = try row.double("oldest_query_seconds")
        oldestTransactionSeconds = try row.double("oldest_transaction_seconds")
        waitEventTypes = [:]
        if let json = try row.string("wait_event_types"), let data = json.data(using: .utf8) {
            guard let decoded = try? JSONDecoder().decode([String: Int].self, from: data) else {
                throw .unexpectedResult(message: "wait_event_types is not a JSON object")
            }
            waitEventTypes = decoded
        }
    }
}

/// Averages and peaks over the samples of one interval.
struct ActivityAccumulator {
    private(set) var samples = 0
    private var activeTotal = 0
    private var peakActive = 0
    private var lastConnections = 0
    private var peakIdleInTransaction = 0
    private var oldestQuery: Double?
    private var oldestTransaction: Double?
    private var waitTotals: [String: Int] = [:]

    mutating func add(_ sample: ActivitySample?) {
        guard let sample else { return }
        samples += 1
        activeTotal += sample.active
        peakActive = max(peakActive, sample.active)
        lastConnections = sample.connections
        peakIdleInTransaction = max(peakIdleInTransaction, sample.idleInTransaction)
        oldestQuery = [oldestQuery, sample.oldestQuerySeconds].compactMap { $0 }.max()
        oldestTransaction = [oldestTransaction, sample.oldestTransactionSeconds].compactMap { $0 }
            .max()
        for (type, count) in sample.waitEventTypes { waitTotals[type, default: 0] += count }
    }

    func summary(maxConnections: Int?) -> ActivitySummary? {
        guard samples > 0 else { return nil }
        let count = Double(samples)
        return ActivitySummary(
            samples: samples, avgActiveSessions: Double(activeTotal) / count,
            peakActiveSessions: peakActive, connections: lastConnections,
            maxConnections: maxConnections,
            waitEventTypes: waitTotals.mapValues { Double($0) / count },
            idleInTransaction: peakIdleInTransaction, oldestQuerySeconds: oldestQuery,
            oldestTransactionSeconds: oldestTransaction)
    }
}
