import Foundation

public struct Replication: Codable, Sendable, Equatable {
    /// `primary` or `standby`, from `pg_is_in_recovery()`.
    public var role: String
    /// On a primary: `pg_stat_replication`, one entry per connected standby.
    public var standbys: [StandbyConnection]?
    /// On a primary: `pg_replication_slots` with the WAL each one holds back.
    public var slots: [ReplicationSlot]?
    /// On a standby: how far it has received and replayed.
    public var standbyStatus: StandbyStatus?
    /// Standbys named with `--replica`, each read over its own connection.
    public var replicas: [ReplicaSnapshot]?
    /// On a standby: its WAL receiver (`pg_stat_wal_receiver`), whether WAL streams in at all.
    public var walReceiver: WalReceiver?

    private enum CodingKeys: String, CodingKey {
        case role
        case standbys
        case slots
        case standbyStatus = "standby_status"
        case replicas
        case walReceiver = "wal_receiver"
    }

    public init(
        role: String, standbys: [StandbyConnection]?, slots: [ReplicationSlot]?,
        standbyStatus: StandbyStatus?, replicas: [ReplicaSnapshot]?
    ) {
        self.role = role
        self.standbys = standbys
        self.slots = slots
        self.standbyStatus = standbyStatus
        self.replicas = replicas
    }
}

public struct StandbyConnection: Codable, Sendable, Equatable {
    public var applicationName: String?
    public var clientAddr: String?
    public var state: String?
    public var syncState: String?
    public var writeLagSeconds: Double?
    public var flushLagSeconds: Double?
    public var replayLagSeconds: Double?
    public var writeLagBytes: Int?
    public var flushLagBytes: Int?
    public var replayLagBytes: Int?
    /// Replay lag sampled from pg_stat_replication about once a second through the interval.
    public var lagSamples: LagSamples?

    private enum CodingKeys: String, CodingKey {
        case applicationName = "application_name"
        case clientAddr = "client_addr"
        case state
        case syncState = "sync_state"
        case writeLagSeconds = "write_lag_seconds"
        case flushLagSeconds = "flush_lag_seconds"
        case replayLagSeconds = "replay_lag_seconds"
        case writeLagBytes = "write_lag_bytes"
        case flushLagBytes = "flush_lag_bytes"
        case replayLagBytes = "replay_lag_bytes"
        case lagSamples = "lag_samples"
    }

    public init() {}
}

/// Lag sampled through the interval: average, 95th percentile and peak, in seconds and bytes.
public struct LagSamples: Codable, Sendable, Equatable {
    public var samples: Int
    public var avgSeconds: Double?
    public var p95Seconds: Double?
    public var peakSeconds: Double?
    public var avgBytes: Double?
    public var peakBytes: Int?

    private enum CodingKeys: String, CodingKey {
        case samples
        case avgSeconds = "avg_seconds"
        case p95Seconds = "p95_seconds"
        case peakSeconds = "peak_seconds"
        case avgBytes = "avg_bytes"
        case peakBytes = "peak_bytes"
    }

    public init(samples: Int) { self.samples = samples }

    /// Summarizes seconds and bytes samples (nil entries are unknown and left out).
    public init(seconds: [Double?], bytes: [Int?]) {
        samples = max(seconds.count, bytes.count)
        let knownSeconds = seconds.compactMap { $0 }.sorted()
        if !knownSeconds.isEmpty {
            avgSeconds = knownSeconds.reduce(0, +) / Double(knownSeconds.count)
            peakSeconds = knownSeconds.last
            // nearest-rank percentile
            let rank = Int((0.95 * Double(knownSeconds.count)).rounded(.up)) - 1
            p95Seconds = knownSeconds[min(max(rank, 0), knownSeconds.count - 1)]
        }
        let knownBytes = bytes.compactMap { $0 }
        if !knownBytes.isEmpty {
            avgBytes = Double(knownBytes.reduce(0, +)) / Double(knownBytes.count)
            peakBytes = knownBytes.max()
        }
    }
}

/// `pg_stat_database_conflicts` on a standby: queries cancelled because replay needed what
/// they held.
public struct RecoveryConflicts: Codable, Sendable, Equatable {
    public var conflTablespace: Int?
    public var conflLock: Int?
    public var conflSnapshot: Int?
    public var conflBufferpin: Int?
    public var conflDeadlock: Int?

    private enum CodingKeys: String, CodingKey {
        case conflTablespace = "confl_tablespace"
        case conflLock = "confl_lock"
        case conflSnapshot = "confl_snapshot"
        case conflBufferpin = "confl_bufferpin"
        case conflDeadlock = "confl_deadlock"
    }

    public init() {}

    public var total: Int? {
        let parts = [conflTablespace, conflLock, conflSnapshot, conflBufferpin, conflDeadlock]
        guard parts.allSatisfy({ $0 != nil }) else { return nil }
        return parts.compactMap { $0 }.reduce(0, +)
    }
}

public struct ReplicationSlot: Codable, Sendable, Equatable {
    public var slotName: String
    public var slotType: String
    public var active: Bool
    /// WAL kept on the primary for this slot: current LSN minus `restart_lsn`.
    public var retainedBytes: Int?
    /// `reserved`, `extended`, `unreserved`, `lost` (13+).
    public var walStatus: String?

    private enum CodingKeys: String, CodingKey {
        case slotName = "slot_name"
        case slotType = "slot_type"
        case active
        case retainedBytes = "retained_bytes"
        case walStatus = "wal_status"
    }

    public init(slotName: String, slotType: String, active: Bool) {
        self.slotName = slotName
        self.slotType = slotType
        self.active = active
    }
}

public struct StandbyStatus: Codable, Sendable, Equatable {
    public var receiveLsn: String?
    public var replayLsn: String?
    /// receive − replay: WAL received but not yet applied.
    public var replayLagBytes: Int?
    public var lastReplayTimestamp: Date?
    /// Seconds since the last replayed transaction committed on the primary; 0 when
    /// everything received is replayed (an idle primary produces no false lag).
    public var replayDelaySeconds: Double?
    public var replayPaused: Bool?

    private enum CodingKeys: String, CodingKey {
        case receiveLsn = "receive_lsn"
        case replayLsn = "replay_lsn"
        case replayLagBytes = "replay_lag_bytes"
        case lastReplayTimestamp = "last_replay_timestamp"
        case replayDelaySeconds = "replay_delay_seconds"
        case replayPaused = "replay_paused"
    }

    public init() {}
}

public struct ReplicaSnapshot: Codable, Sendable, Equatable {
    /// Where the replica was reached, from libpq's accessors.
    public var connection: ConnectionInfo?
    public var reachable: Bool
    public var error: String?
    public var inRecovery: Bool?
    /// The last status read; `replay_delay` sampled through the interval is in `lag`.
    public var status: StandbyStatus?
    public var lag: LagSamples?
    public var hotStandbyFeedback: Bool?
    /// `max_standby_streaming_delay` in seconds (-1: wait for ever).
    public var maxStandbyStreamingDelaySeconds: Double?
    public var conflicts: RecoveryConflicts?
    /// The longest running query on the standby (a cause of replay waits and conflicts).
    public var longestQuerySeconds: Double?
    /// Its WAL receiver, read once at the end; nil when it could not be read.
    public var walReceiver: WalReceiver?

    private enum CodingKeys: String, CodingKey {
        case connection
        case reachable
        case error
        case inRecovery = "in_recovery"
        case status
        case lag
        case hotStandbyFeedback = "hot_standby_feedback"
        case maxStandbyStreamingDelaySeconds = "max_standby_streaming_delay_seconds"
        case conflicts
        case longestQuerySeconds = "longest_query_seconds"
        case walReceiver = "wal_receiver"
    }

    public init(connection: ConnectionInfo?, reachable: Bool, error: String?) {
        self.connection = connection
        self.reachable = reachable
        self.error = error
    }
}

/// `pg_stat_wal_receiver` on a standby, read once: whether WAL is streaming in from its
/// upstream. A standby whose receiver is stopped has replayed all it received, so its replay
/// delay reads 0: only this tells a broken stream from an idle one.
public struct WalReceiver: Codable, Sendable, Equatable {
    /// Whether the view has a row: a WAL receiver process exists.
    public var running: Bool
    /// `streaming`, `starting`, `waiting`, `restarting`, `stopping` or `stopped` (12–18); nil
    /// with a running receiver when the role lacks pg_read_all_stats (only the pid shows).
    public var status: String?
    public var receiveStartLsn: String?
    /// WAL written to disk (13+; nil before).
    public var writtenLsn: String?
    /// WAL flushed to disk (`received_lsn` before 13).
    public var flushedLsn: String?
    public var lastMsgSendTime: Date?
    public var lastMsgReceiptTime: Date?
    public var latestEndTime: Date?
    /// Seconds from the last message received from the upstream to the reading, on the
    /// standby's own clock.
    public var lastMsgAgeSeconds: Double?
    public var senderHost: String?
    public var senderPort: Int?
    public var slotName: String?
    /// The application_name the receiver connects with (what the upstream's
    /// pg_stat_replication shows), from its connection string; nothing else of it is read.
    public var applicationName: String?
    /// `wal_receiver_timeout` in seconds (0: disabled).
    public var walReceiverTimeoutSeconds: Double?

    private enum CodingKeys: String, CodingKey {
        case running
        case status
        case receiveStartLsn = "receive_start_lsn"
        case writtenLsn = "written_lsn"
        case flushedLsn = "flushed_lsn"
        case lastMsgSendTime = "last_msg_send_time"
        case lastMsgReceiptTime = "last_msg_receipt_time"
        case latestEndTime = "latest_end_time"
        case lastMsgAgeSeconds = "last_msg_age_seconds"
        case senderHost = "sender_host"
        case senderPort = "sender_port"
        case slotName = "slot_name"
        case applicationName = "application_name"
        case walReceiverTimeoutSeconds = "wal_receiver_timeout_seconds"
    }

    public init(running: Bool) { self.running = running }

    /// With `wal_receiver_timeout` off, the age past which a silent stream counts as broken:
    /// the server's default timeout.
    public static let defaultSilenceLimitSeconds = 60.0

    /// The receiver pings its upstream after half of `wal_receiver_timeout` without a
    /// message, and ends the connection after all of it: a last message older than the
    /// timeout (60 s when it is off) is a stream that stopped, even on an idle primary.
    public var silenceLimitSeconds: Double {
        guard let timeout = walReceiverTimeoutSeconds, timeout > 0 else { return Self.defaultSilenceLimitSeconds }
        return timeout
    }

    /// Why WAL is not streaming in, or nil when it is (or when the role could not see the
    /// status: then ``isReadable`` is false).
    public var notStreamingReason: String? {
        guard running else {
            return
                "no WAL receiver is running (pg_stat_wal_receiver is empty): the standby is not connected to an upstream"
        }
        guard let status else { return nil }
        guard status == "streaming" else {
            return "pg_stat_wal_receiver.status is '\(status)', not 'streaming'" + lastMessageClause
        }
        if let age = lastMsgAgeSeconds, age > silenceLimitSeconds {
            let limit = Formatting.rate(silenceLimitSeconds)
            let source = (walReceiverTimeoutSeconds ?? 0) > 0 ? "wal_receiver_timeout" : "default wal_receiver_timeout"
            return "the last message from the upstream arrived \(Formatting.rate(age)) s ago (> \(limit) s \(source))"
        }
        return nil
    }

    /// Whether the stream's state is known: a running receiver's status is hidden from roles
    /// without pg_read_all_stats.
    public var isReadable: Bool { !running || status != nil }

    private var lastMessageClause: String {
        guard let age = lastMsgAgeSeconds else { return "" }
        return "; last message from the upstream \(Formatting.rate(age)) s ago"
    }
}

public struct WalStats: Codable, Sendable, Equatable {
    /// `pg_stat_wal` (14+) or `lsn` (the difference of `pg_current_wal_lsn()` between samples).
    public var source: String
    /// WAL bytes generated over the interval (or since the reset, with `--interval 0`).
    public var walBytes: Int?
    public var walRecords: Int?
    public var walFpi: Int?
    public var walBuffersFull: Int?

    private enum CodingKeys: String, CodingKey {
        case source
        case walBytes = "wal_bytes"
        case walRecords = "wal_records"
        case walFpi = "wal_fpi"
        case walBuffersFull = "wal_buffers_full"
    }

    public init(source: String) { self.source = source }
}

public struct CheckpointStats: Codable, Sendable, Equatable {
    /// `pg_stat_bgwriter` (before 17) or `pg_stat_checkpointer` (17+).
    public var source: String
    /// Counters over the interval (or since the reset, with `--interval 0`).
    public var checkpointsTimed: Int?
    public var checkpointsReq: Int?
    public var checkpointWriteTimeMs: Double?
    public var checkpointSyncTimeMs: Double?
    public var buffersCheckpoint: Int?

    private enum CodingKeys: String, CodingKey {
        case source
        case checkpointsTimed = "checkpoints_timed"
        case checkpointsReq = "checkpoints_req"
        case checkpointWriteTimeMs = "checkpoint_write_time_ms"
        case checkpointSyncTimeMs = "checkpoint_sync_time_ms"
        case buffersCheckpoint = "buffers_checkpoint"
    }

    public init(source: String) { self.source = source }
}

/// `pg_stat_activity` sampled about once a second through the interval.
public struct ActivitySummary: Codable, Sendable, Equatable {
    public var samples: Int
    /// Client backends in state `active` (ours excluded), averaged over the samples.
    public var avgActiveSessions: Double
    public var peakActiveSessions: Int
    /// All client connections at the last sample, and the server's limit.
    public var connections: Int
    public var maxConnections: Int?
    /// Average active sessions by `wait_event_type`; `CPU` is active with no wait event.
    public var waitEventTypes: [String: Double]
    public var idleInTransaction: Int
    public var oldestQuerySeconds: Double?
    public var oldestTransactionSeconds: Double?

    private enum CodingKeys: String, CodingKey {
        case samples
        case avgActiveSessions = "avg_active_sessions"
        case peakActiveSessions = "peak_active_sessions"
        case connections
        case maxConnections = "max_connections"
        case waitEventTypes = "wait_event_types"
        case idleInTransaction = "idle_in_transaction"
        case oldestQuerySeconds = "oldest_query_seconds"
        case oldestTransactionSeconds = "oldest_transaction_seconds"
    }

    public init(
        samples: Int, avgActiveSessions: Double, peakActiveSessions: Int, connections: Int,
        maxConnections: Int?, waitEventTypes: [String: Double], idleInTransaction: Int,
        oldestQuerySeconds: Double?, oldestTransactionSeconds: Double?
    ) {
        self.samples = samples
        self.avgActiveSessions = avgActiveSessions
        self.peakActiveSessions = peakActiveSessions
        self.connections = connections
        self.maxConnections = maxConnections
        self.waitEventTypes = waitEventTypes
        self.idleInTransaction = idleInTransaction
        self.oldestQuerySeconds = oldestQuerySeconds
        self.oldestTransactionSeconds = oldestTransactionSeconds
    }
}

public struct StatementStats: Codable, Sendable, Equatable {
    public var available: Bool
    /// Why statements are missing: extension not installed, not preloaded, no privilege.
    public var reason: String?
    public var extensionVersion: String?
    /// Statements tracked in this database (after the deltas).
    public var statementCount: Int?
    public var totalExecTimeMs: Double?
    /// Listed statements whose text was dropped at collection because it can carry a secret
    /// (`CREATE ROLE … PASSWORD`, user mappings, `ALTER SYSTEM`, `COPY … PROGRAM`).
    public var secretTextsDropped: Int?
    public var topByTotalTime: [Statement]?
    public var topByCalls: [Statement]?

    private enum CodingKeys: String, CodingKey {
        case available
        case reason
        case extensionVersion = "extension_version"
        case statementCount = "statement_count"
        case totalExecTimeMs = "total_exec_time_ms"
        case secretTextsDropped = "secret_texts_dropped"
        case topByTotalTime = "top_by_total_time"
        case topByCalls = "top_by_calls"
    }

    public init(available: Bool, reason: String?) {
        self.available = available
        self.reason = reason
    }
}

/// One `pg_stat_statements` entry, as deltas over the interval.
public struct Statement: Codable, Sendable, Equatable {
    public var queryid: String
    /// The normalized text (`$1` placeholders); nil in a redacted snapshot.
    public var query: String?
    public var calls: Int
    public var totalExecTimeMs: Double
    public var meanExecTimeMs: Double?
    public var rows: Int
    public var sharedBlksHit: Int
    public var sharedBlksRead: Int
    /// What the text does, parsed at collect time (libpg_query); kept, names hashed, when
    /// `--redact` drops the text. Nil when the text did not parse (see ``parseError``) or the
    /// snapshot predates shapes.
    public var shape: StatementShape?
    /// Why the text did not parse (truncated, or syntax newer than the parser's grammar).
    public var parseError: String?

    private enum CodingKeys: String, CodingKey {
        case queryid
        case query
        case calls
        case totalExecTimeMs = "total_exec_time_ms"
        case meanExecTimeMs = "mean_exec_time_ms"
        case rows
        case sharedBlksHit = "shared_blks_hit"
        case sharedBlksRead = "shared_blks_read"
        case shape
        case parseError = "parse_error"
    }

    public init(
        queryid: String, query: String?, calls: Int, totalExecTimeMs: Double,
        meanExecTimeMs: Double?, rows: Int, sharedBlksHit: Int, sharedBlksRead: Int,
        shape: StatementShape? = nil, parseError: String? = nil
    ) {
        self.queryid = queryid
        self.query = query
        self.calls = calls
        self.totalExecTimeMs = totalExecTimeMs
        self.meanExecTimeMs = meanExecTimeMs
        self.rows = rows
        self.sharedBlksHit = sharedBlksHit
        self.sharedBlksRead = sharedBlksRead
        self.shape = shape
        self.parseError = parseError
    }
}
