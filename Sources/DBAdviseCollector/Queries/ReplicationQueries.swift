/// Replication seen from both sides. The primary's LSN functions fail during recovery, so the
/// primary and standby queries are chosen by `pg_is_in_recovery()`.
public enum ReplicationQueries {
    /// On a primary: one row per connected standby (pg_stat_replication).
    public static let standbys = Query(
        "standbys",
        """
        SELECT
            r.pid AS pid,
            r.application_name AS application_name,
            pg_catalog.host(r.client_addr) AS client_addr,
            r.state AS state,
            r.sync_state AS sync_state,
            EXTRACT(EPOCH FROM r.write_lag) AS write_lag_seconds,
            EXTRACT(EPOCH FROM r.flush_lag) AS flush_lag_seconds,
            EXTRACT(EPOCH FROM r.replay_lag) AS replay_lag_seconds,
            pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(), r.write_lsn)::bigint AS write_lag_bytes,
            pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(), r.flush_lsn)::bigint AS flush_lag_bytes,
            pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(), r.replay_lsn)::bigint AS replay_lag_bytes
        FROM pg_catalog.pg_stat_replication AS r
        ORDER BY r.application_name, r.client_addr
        """)

    /// On a primary, once a second through the interval: each standby's replay lag.
    public static let lagSample = Query(
        "standby lag sample",
        """
        SELECT
            r.pid AS pid,
            EXTRACT(EPOCH FROM r.replay_lag) AS replay_lag_seconds,
            pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(), r.replay_lsn)::bigint AS replay_lag_bytes
        FROM pg_catalog.pg_stat_replication AS r
        """)

    /// On a standby, once at the end: recovery conflicts, the settings that trade them against
    /// lag, and the longest running query (what replay may be waiting for).
    public static let standbyHealth = Query(
        "standby health",
        """
        SELECT
            c.confl_tablespace AS confl_tablespace,
            c.confl_lock AS confl_lock,
            c.confl_snapshot AS confl_snapshot,
            c.confl_bufferpin AS confl_bufferpin,
            c.confl_deadlock AS confl_deadlock,
            pg_catalog.current_setting('hot_standby_feedback')::boolean AS hot_standby_feedback,
            (
                SELECT
                    CASE WHEN s.setting OPERATOR(pg_catalog.=) '-1' THEN -1
                        ELSE s.setting::pg_catalog.float8 OPERATOR(pg_catalog./) 1000 END
                FROM pg_catalog.pg_settings AS s
                WHERE s.name OPERATOR(pg_catalog.=) 'max_standby_streaming_delay'
            ) AS max_standby_streaming_delay_seconds,
            (
                SELECT
                    EXTRACT(EPOCH FROM pg_catalog.max(
                        pg_catalog.clock_timestamp() OPERATOR(pg_catalog.-) a.query_start))
                FROM pg_catalog.pg_stat_get_activity(NULL) AS a
                WHERE a.state OPERATOR(pg_catalog.=) 'active'
                    AND a.backend_type OPERATOR(pg_catalog.=) 'client backend'
                    AND a.pid OPERATOR(pg_catalog.<>) pg_catalog.pg_backend_pid()
            ) AS longest_query_seconds
        FROM pg_catalog.pg_stat_database_conflicts AS c
        WHERE c.datname OPERATOR(pg_catalog.=) pg_catalog.current_database()
        """)

    /// Replication slots and the WAL each keeps. `wal_status` exists from 13 on.
    public static func slots(serverVersion: Int, inRecovery: Bool) -> Query {
        let currentLSN = inRecovery ? "pg_catalog.pg_last_wal_replay_lsn()" : "pg_catalog.pg_current_wal_lsn()"
        let walStatus =
            ServerFeature.slotWalStatus.isAvailable(onServerVersion: serverVersion)
            ? "s.wal_status" : "NULL::pg_catalog.text"
        return Query(
            "replication slots",
            """
            SELECT
                s.slot_name AS slot_name,
                s.slot_type AS slot_type,
                s.active AS active,
                pg_catalog.pg_wal_lsn_diff(\(currentLSN), s.restart_lsn)::bigint AS retained_bytes,
                \(walStatus) AS wal_status
            FROM pg_catalog.pg_replication_slots AS s
            ORDER BY s.slot_name
            """)
    }

    /// On a standby: how far WAL was received and replayed. The replay delay is 0 when all
    /// that was received is replayed, so an idle primary shows no false lag.
    public static let standbyStatus = Query(
        "standby status",
        """
        SELECT
            pg_catalog.pg_last_wal_receive_lsn()::pg_catalog.text AS receive_lsn,
            pg_catalog.pg_last_wal_replay_lsn()::pg_catalog.text AS replay_lsn,
            pg_catalog.pg_wal_lsn_diff(
                pg_catalog.pg_last_wal_receive_lsn(), pg_catalog.pg_last_wal_replay_lsn())::bigint
                AS replay_lag_bytes,
            EXTRACT(EPOCH FROM pg_catalog.pg_last_xact_replay_timestamp()) AS last_replay_timestamp,
            CASE
                WHEN pg_catalog.pg_last_wal_receive_lsn()
                    OPERATOR(pg_catalog.=) pg_catalog.pg_last_wal_replay_lsn() THEN 0
                ELSE EXTRACT(EPOCH FROM pg_catalog.clock_timestamp()
                    OPERATOR(pg_catalog.-) pg_catalog.pg_last_xact_replay_timestamp())
            END AS replay_delay_seconds,
            CASE WHEN pg_catalog.pg_is_in_recovery() THEN pg_catalog.pg_is_wal_replay_paused() END
                AS replay_paused,
            pg_catalog.pg_is_in_recovery() AS in_recovery
        """)

    /// On a standby, once at the end: its WAL receiver, one row whether or not a receiver runs
    /// (`running` false: none). Without pg_read_all_stats only the pid shows. The connection
    /// string is read only for the application_name the upstream's pg_stat_replication shows
    /// (given, else the fallback: cluster_name or `walreceiver`), from the running receiver or,
    /// with none running, from primary_conninfo (hidden without pg_read_all_settings); it never
    /// leaves the server. `received_lsn` became `written_lsn` and `flushed_lsn` in 13.
    public static func walReceiver(serverVersion: Int) -> Query {
        let (written, flushed) =
            ServerFeature.walReceiverWrittenLSN.isAvailable(onServerVersion: serverVersion)
            ? ("w.written_lsn::pg_catalog.text", "w.flushed_lsn::pg_catalog.text")
            : ("NULL::pg_catalog.text", "w.received_lsn::pg_catalog.text")
        return Query(
            "wal receiver",
            """
            SELECT
                w.pid IS NOT NULL AS running,
                w.status AS status,
                w.receive_start_lsn::pg_catalog.text AS receive_start_lsn,
                \(written) AS written_lsn,
                \(flushed) AS flushed_lsn,
                EXTRACT(EPOCH FROM w.last_msg_send_time) AS last_msg_send_time,
                EXTRACT(EPOCH FROM w.last_msg_receipt_time) AS last_msg_receipt_time,
                EXTRACT(EPOCH FROM w.latest_end_time) AS latest_end_time,
                EXTRACT(EPOCH FROM pg_catalog.clock_timestamp() OPERATOR(pg_catalog.-) w.last_msg_receipt_time)
                    AS last_msg_age_seconds,
                w.sender_host AS sender_host,
                w.sender_port AS sender_port,
                w.slot_name AS slot_name,
                COALESCE(
                    pg_catalog.substring(w.conninfo, '(?:^| )application_name=(\\S+)'),
                    pg_catalog.substring(w.conninfo, 'fallback_application_name=(\\S+)'),
                    pg_catalog.substring(c.setting, '(?:^| )application_name=''?([^'' ]+)'),
                    CASE
                        WHEN c.setting OPERATOR(pg_catalog.=) '' THEN NULL
                        WHEN pg_catalog.current_setting('cluster_name') OPERATOR(pg_catalog.<>) ''
                            THEN pg_catalog.current_setting('cluster_name')
                        WHEN c.setting IS NOT NULL THEN 'walreceiver'
                    END
                ) AS application_name,
                (
                    SELECT s.setting::pg_catalog.float8 OPERATOR(pg_catalog./) 1000
                    FROM pg_catalog.pg_settings AS s
                    WHERE s.name OPERATOR(pg_catalog.=) 'wal_receiver_timeout'
                ) AS wal_receiver_timeout_seconds
            FROM (SELECT 1) AS one
                LEFT JOIN pg_catalog.pg_stat_wal_receiver AS w ON true
                LEFT JOIN pg_catalog.pg_settings AS c ON c.name OPERATOR(pg_catalog.=) 'primary_conninfo'
            """)
    }
}
