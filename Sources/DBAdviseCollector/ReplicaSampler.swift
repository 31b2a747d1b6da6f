import DBAdviseModel
import Foundation
import PostgresClient

/// Reads each `--replica` on its own thread and its own connection, about once a second
/// through the same interval the primary is sampled over, so lag is seen from both sides at
/// once. An unreachable replica is recorded (`reachable: false`), never fatal.
///
/// `@unchecked Sendable`: the only state shared across threads is `results`, and every access
/// holds `lock`; connections never leave the thread that opened them.
final class ReplicaSampler: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Int: ReplicaSnapshot] = [:]
    private let group = DispatchGroup()
    private let count: Int

    /// Starts one thread per replica; each samples until `deadline` (at least once).
    init(replicas: [String], until deadline: Date) {
        count = replicas.count
        for (index, conninfo) in replicas.enumerated() {
            group.enter()
            let thread = Thread { [self] in
                let snapshot = Self.sample(conninfo, until: deadline)
                lock.withLock { results[index] = snapshot }
                group.leave()
            }
            thread.name = "dbadvise replica \(index + 1)"
            thread.start()
        }
    }

    /// Waits for every replica thread; results in the order the replicas were given.
    func finish() -> [ReplicaSnapshot] {
        group.wait()
        return lock.withLock { (0..<count).compactMap { results[$0] } }
    }

    /// One WAL page: less than this between received and replayed is a record in flight.
    static let inFlightBytes = 8_192
    /// How often such a record is read again, 50 ms apart, before its lag counts.
    static let inFlightRereads = 10

    static func sample(_ conninfo: String, until deadline: Date) -> ReplicaSnapshot {
        let connection: Connection
        do {
            connection = try SafeSession.open(conninfo: conninfo)
        } catch {
            return ReplicaSnapshot(connection: nil, reachable: false, error: error.description)
        }
        let description = connection.connectionDescription
        var replica = ReplicaSnapshot(
            connection: ConnectionInfo(
                host: description.host, port: description.port, database: description.database,
                user: description.user), reachable: true, error: nil)
        var delays: [Double?] = []
        var lagBytes: [Int?] = []
        do {
            var next = Date()
            repeat {
                Thread.sleep(forTimeInterval: max(0, next.timeIntervalSinceNow))
                guard let row = try connection.query(ReplicationQueries.standbyStatus.sql).rows.first
                else { break }
                replica.inRecovery = try row.bool("in_recovery")
                guard replica.inRecovery == true else {
                    replica.error = "not a standby: pg_is_in_recovery() is false"
                    return replica
                }
                var status = try SnapshotCollector.standbyStatus(row)
                // A record received but not replayed at this very instant (less than a WAL page,
                // replay not paused) is replayed within milliseconds, later on a loaded machine:
                // read again for up to half a second, so an idle primary's background WAL does
                // not show as the age of the last commit.
                var rereads = 0
                while let bytes = status.replayLagBytes, bytes > 0, bytes < Self.inFlightBytes,
                    status.replayPaused != true, rereads < Self.inFlightRereads
                {
                    Thread.sleep(forTimeInterval: 0.05)
                    rereads += 1
                    guard let again = try connection.query(ReplicationQueries.standbyStatus.sql).rows.first
                    else { break }
                    status = try SnapshotCollector.standbyStatus(again)
                }
                replica.status = status
                delays.append(status.replayDelaySeconds)
                lagBytes.append(status.replayLagBytes)
                next = next.addingTimeInterval(1)
            } while next < deadline
            replica.lag = LagSamples(seconds: delays, bytes: lagBytes)
            // Read after the samples: a receiver that stopped during the interval shows as stopped.
            do {
                let query = ReplicationQueries.walReceiver(serverVersion: connection.serverVersionNumber)
                replica.walReceiver = try connection.query(query.sql).rows.first.map(SnapshotCollector.walReceiver)
            } catch {
                replica.error = "pg_stat_wal_receiver: \(error.message)"
            }
            if let row = try connection.query(ReplicationQueries.standbyHealth.sql).rows.first {
                var conflicts = RecoveryConflicts()
                conflicts.conflTablespace = try row.int("confl_tablespace")
                conflicts.conflLock = try row.int("confl_lock")
                conflicts.conflSnapshot = try row.int("confl_snapshot")
                conflicts.conflBufferpin = try row.int("confl_bufferpin")
                conflicts.conflDeadlock = try row.int("confl_deadlock")
                replica.conflicts = conflicts
                replica.hotStandbyFeedback = try row.bool("hot_standby_feedback")
                replica.maxStandbyStreamingDelaySeconds = try row.double(
                    "max_standby_streaming_delay_seconds")
                replica.longestQuerySeconds = try row.double("longest_query_seconds")
            }
        } catch {
            replica.error = error.message
        }
        return replica
    }
}
