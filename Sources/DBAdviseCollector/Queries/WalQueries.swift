/// WAL volume: pg_stat_wal from 14, else the distance between two LSNs. Only the columns every
/// version from 14 on has: PostgreSQL 18 removed wal_write, wal_sync and their times (WAL I/O
/// timing moved to pg_stat_io).
public enum WalQueries {
    /// The query for a server, or nil on a standby before 14 (no LSN of its own to diff).
    public static func counters(serverVersion: Int, inRecovery: Bool) -> Query {
        if ServerFeature.statWal.isAvailable(onServerVersion: serverVersion) {
            return Query(
                "wal counters",
                """
                SELECT
                    'pg_stat_wal' AS source,
                    w.wal_bytes::bigint AS wal_bytes,
                    w.wal_records AS wal_records,
                    w.wal_fpi AS wal_fpi,
                    w.wal_buffers_full AS wal_buffers_full,
                    EXTRACT(EPOCH FROM w.stats_reset) AS stats_reset
                FROM pg_catalog.pg_stat_wal AS w
                """)
        }
        let currentLSN = inRecovery ? "pg_catalog.pg_last_wal_replay_lsn()" : "pg_catalog.pg_current_wal_lsn()"
        return Query(
            "wal position",
            """
            SELECT
                'lsn' AS source,
                pg_catalog.pg_wal_lsn_diff(\(currentLSN), '0/0')::bigint AS wal_bytes,
                NULL::bigint AS wal_records,
                NULL::bigint AS wal_fpi,
                NULL::bigint AS wal_buffers_full,
                NULL::pg_catalog.float8 AS stats_reset
            """)
    }
}

/// Checkpoints: pg_stat_bgwriter before 17, pg_stat_checkpointer from 17.
public enum CheckpointQueries {
    public static func counters(serverVersion: Int) -> Query {
        if ServerFeature.statCheckpointer.isAvailable(onServerVersion: serverVersion) {
            return Query(
                "checkpoint counters",
                """
                SELECT
                    'pg_stat_checkpointer' AS source,
                    c.num_timed AS checkpoints_timed,
                    c.num_requested AS checkpoints_req,
                    c.write_time AS checkpoint_write_time,
                    c.sync_time AS checkpoint_sync_time,
                    c.buffers_written AS buffers_checkpoint,
                    EXTRACT(EPOCH FROM c.stats_reset) AS stats_reset
                FROM pg_catalog.pg_stat_checkpointer AS c
                """)
        }
        return Query(
            "checkpoint counters",
            """
            SELECT
                'pg_stat_bgwriter' AS source,
                b.checkpoints_timed AS checkpoints_timed,
                b.checkpoints_req AS checkpoints_req,
                b.checkpoint_write_time AS checkpoint_write_time,
                b.checkpoint_sync_time AS checkpoint_sync_time,
                b.buffers_checkpoint AS buffers_checkpoint,
                EXTRACT(EPOCH FROM b.stats_reset) AS stats_reset
            FROM pg_catalog.pg_stat_bgwriter AS b
            """)
    }
}
