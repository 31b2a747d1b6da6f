/// One pg_stat_activity sample, aggregated on the server: a fixed-size row whatever the
/// number of sessions. Client backends only, dbadvise's own sessions excluded (every one sets
/// application_name=dbadvise: a fleet collection runs several at once, and they are not the
/// application's load). It calls the view's
/// function directly: the view joins pg_database and pg_authid, and those catalog reads
/// would count as the database's own reads (tup_returned) on every sample.
public enum ActivityQueries {
    public static let sample = Query(
        "activity sample",
        """
        WITH sessions AS (
            SELECT
                a.state,
                a.wait_event_type,
                a.query_start,
                a.xact_start
            FROM pg_catalog.pg_stat_get_activity(NULL) AS a
            WHERE a.backend_type OPERATOR(pg_catalog.=) 'client backend'
                AND a.pid OPERATOR(pg_catalog.<>) pg_catalog.pg_backend_pid()
                AND a.application_name OPERATOR(pg_catalog.<>) 'dbadvise'
        )
        SELECT
            pg_catalog.count(*) FILTER (WHERE state OPERATOR(pg_catalog.=) 'active') AS active,
            pg_catalog.count(*) AS connections,
            pg_catalog.count(*) FILTER (
                WHERE pg_catalog.starts_with(state, 'idle in transaction')
            ) AS idle_in_transaction,
            EXTRACT(EPOCH FROM pg_catalog.max(pg_catalog.clock_timestamp() OPERATOR(pg_catalog.-) query_start)
                FILTER (WHERE state OPERATOR(pg_catalog.=) 'active')) AS oldest_query_seconds,
            EXTRACT(EPOCH FROM pg_catalog.max(pg_catalog.clock_timestamp() OPERATOR(pg_catalog.-) xact_start))
                AS oldest_transaction_seconds,
            (
                SELECT pg_catalog.json_object_agg(w.wait_type, w.sessions)::pg_catalog.text
                FROM (
                    SELECT
                        COALESCE(wait_event_type, 'CPU') AS wait_type,
                        pg_catalog.count(*) AS sessions
                    FROM sessions
                    WHERE state OPERATOR(pg_catalog.=) 'active'
                    GROUP BY 1
                ) AS w
            ) AS wait_event_types
        FROM sessions
        """)
}
