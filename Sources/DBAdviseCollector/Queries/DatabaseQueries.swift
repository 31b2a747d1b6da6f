/// pg_stat_database for the connected database: the counters rates come from.
public enum DatabaseQueries {
    /// Our own statements count in the database's counters. From 15 on, a backend's pending
    /// statistics reach shared memory at most once a second unless forced; forcing them
    /// before each read of the counters makes our own share exact, so it can be taken out.
    public static let flushOwnStatistics = Query(
        "flush own statistics",
        """
        SELECT
            pg_catalog.pg_stat_force_next_flush() AS flushed
        """)

    /// Taken at the start and the end of the interval; the size (one stat() per file) only
    /// at the end, when $1 is true.
    public static let counters = Query(
        "database counters",
        """
        SELECT
            d.datname AS name,
            CASE WHEN $1::boolean THEN pg_catalog.pg_database_size(d.oid) END AS size_bytes,
            s.numbackends AS numbackends,
            s.xact_commit AS xact_commit,
            s.xact_rollback AS xact_rollback,
            s.blks_read AS blks_read,
            s.blks_hit AS blks_hit,
            s.tup_returned AS tup_returned,
            s.tup_fetched AS tup_fetched,
            s.tup_inserted AS tup_inserted,
            s.tup_updated AS tup_updated,
            s.tup_deleted AS tup_deleted,
            s.temp_files AS temp_files,
            s.temp_bytes AS temp_bytes,
            s.deadlocks AS deadlocks,
            EXTRACT(EPOCH FROM s.stats_reset) AS stats_reset,
            pg_catalog.age(d.datfrozenxid) AS datfrozenxid_age,
            EXTRACT(EPOCH FROM pg_catalog.clock_timestamp()) AS sampled_at
        FROM pg_catalog.pg_database AS d
        JOIN pg_catalog.pg_stat_database AS s
            ON s.datid OPERATOR(pg_catalog.=) d.oid
        WHERE d.datname OPERATOR(pg_catalog.=) pg_catalog.current_database()
        """)
}
