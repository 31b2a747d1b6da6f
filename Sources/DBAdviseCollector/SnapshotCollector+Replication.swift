import DBAdviseCore
import Foundation
import PostgresClient

extension SnapshotCollector {
    func readReplication() throws(CollectorError) -> Replication? {
        var replication = Replication(
            role: inRecovery ? "standby" : "primary", standbys: nil, slots: nil,
            standbyStatus: nil, replicas: nil)
        if inRecovery {
            replication.standbyStatus = try section("replication.standby_status") {
                try run(ReplicationQueries.standbyStatus).first.map(Self.standbyStatus)
            } ?? nil
        } else {
            replication.standbys = try section("replication.standbys") {
                try run(ReplicationQueries.standbys).map { row throws(PostgresError) in
                    var standby = StandbyConnection()
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
        if !options.replicas.isEmpty {
            replication.replicas = options.replicas.map(Self.readReplica)
        }
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

    /// One `--replica`: its own safe session; unreachable is recorded, never fatal.
    static func readReplica(_ conninfo: String) -> ReplicaSnapshot {
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
        do {
            guard let row = try connection.query(ReplicationQueries.standbyStatus.sql).rows.first
            else { return replica }
            replica.inRecovery = try row.bool("in_recovery")
            if replica.inRecovery == true {
                replica.status = try standbyStatus(row)
            } else {
                replica.error = "not a standby: pg_is_in_recovery() is false"
            }
        } catch {
            replica.error = error.message
        }
        return replica
    }
}
