import DBAdviseModel
import Foundation
import PostgresClient

extension SnapshotCollector {
    func readReplication(replicas: [ReplicaSnapshot]?) throws(CollectorError) -> Replication? {
        var replication = Replication(
            role: inRecovery ? "standby" : "primary", standbys: nil, slots: nil,
            standbyStatus: nil, replicas: nil)
        if inRecovery {
            replication.standbyStatus =
                try section("replication.standby_status") {
                    try run(ReplicationQueries.standbyStatus).first.map(Self.standbyStatus)
                } ?? nil
            replication.walReceiver =
                try section("replication.wal_receiver") {
                    try run(ReplicationQueries.walReceiver(serverVersion: serverVersion)).first.map(Self.walReceiver)
                } ?? nil
            if let receiver = replication.walReceiver, !receiver.isReadable {
                recordUnavailable("replication.wal_receiver", Self.hiddenWalReceiverReason)
            }
        } else {
            replication.standbys = try section("replication.standbys") {
                try run(ReplicationQueries.standbys).map { row throws(PostgresError) in
                    var standby = StandbyConnection()
                    if let pid = try row.int("pid"), let lag = standbyLag[pid] {
                        standby.lagSamples = LagSamples(seconds: lag.seconds, bytes: lag.bytes)
                    }
                    standby.applicationName = try row.string("application_name")
                    standby.clientAddr = try row.string("client_addr")
                    standby.state = try row.string("state")
                    standby.syncState = try row.string("sync_state")
                    standby.writeLagSeconds = try row.double("write_lag_seconds")
                    standby.flushLagSeconds = try row.double("flush_lag_seconds")
                    standby.replayLagSeconds = try row.double("replay_lag_seconds")
                    standby.writeLagBytes = try row.int("write_lag_bytes")
                    standby.flushLagBytes = try row.int("flush_lag_bytes")
                    standby.replayLagBytes = try row.int("replay_lag_bytes")
                    return standby
                }
            }
            if readsAllStats == false, replication.standbys?.isEmpty == false {
                recordUnavailable(
                    "replication.standbys",
                    "pg_stat_replication shows standbys without state, positions or lag: "
                        + "grant the role pg_monitor (or pg_read_all_stats) to read them")
            }
        }
        replication.slots = try section("replication.slots") {
            let query = ReplicationQueries.slots(serverVersion: serverVersion, inRecovery: inRecovery)
            return try run(query).map { row throws(PostgresError) in
                var slot = ReplicationSlot(
                    slotName: try row.string("slot_name") ?? "",
                    slotType: try row.string("slot_type") ?? "",
                    active: try row.bool("active") ?? false)
                slot.retainedBytes = try row.int("retained_bytes")
                slot.walStatus = try row.string("wal_status")
                return slot
            }
        }
        replication.replicas = replicas
        // What a --replica's role could not see of its receiver is recorded here, with the
        // grant, like the primary's own sections.
        for replica in replicas ?? [] where replica.reachable && replica.inRecovery == true {
            let name = [replica.connection?.host, replica.connection?.port].compactMap { $0 }.joined(separator: ":")
            if let receiver = replica.walReceiver, !receiver.isReadable {
                recordUnavailable("replication.replicas.wal_receiver", "\(name): \(Self.hiddenWalReceiverReason)")
            } else if replica.walReceiver == nil {
                recordUnavailable(
                    "replication.replicas.wal_receiver",
                    "\(name): pg_stat_wal_receiver could not be read (\(replica.error ?? "no error recorded"))")
            }
        }
        return replication
    }

    static let hiddenWalReceiverReason =
        "pg_stat_wal_receiver shows the WAL receiver's pid but not its status, positions or times: "
        + "grant the role pg_monitor (or pg_read_all_stats) to read them"

    static func walReceiver(_ row: Row) throws(PostgresError) -> WalReceiver {
        var receiver = WalReceiver(running: try row.bool("running") ?? false)
        receiver.status = try row.string("status")
        receiver.receiveStartLsn = try row.string("receive_start_lsn")
        receiver.writtenLsn = try row.string("written_lsn")
        receiver.flushedLsn = try row.string("flushed_lsn")
        receiver.lastMsgSendTime = try row.date("last_msg_send_time")
        receiver.lastMsgReceiptTime = try row.date("last_msg_receipt_time")
        receiver.latestEndTime = try row.date("latest_end_time")
        receiver.lastMsgAgeSeconds = try row.double("last_msg_age_seconds")
        receiver.senderHost = try row.string("sender_host")
        receiver.senderPort = try row.int("sender_port")
        receiver.slotName = try row.string("slot_name")
        receiver.applicationName = try row.string("application_name")
        receiver.walReceiverTimeoutSeconds = try row.double("wal_receiver_timeout_seconds")
        return receiver
    }

    static func standbyStatus(_ row: Row) throws(PostgresError) -> StandbyStatus {
        var status = StandbyStatus()
        status.receiveLsn = try row.string("receive_lsn")
        status.replayLsn = try row.string("replay_lsn")
        status.replayLagBytes = try row.int("replay_lag_bytes")
        status.lastReplayTimestamp = try row.date("last_replay_timestamp")
        status.replayDelaySeconds = try row.double("replay_delay_seconds")
        status.replayPaused = try row.bool("replay_paused")
        return status
    }
}
