import DBAdviseCore
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
        return replication
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
