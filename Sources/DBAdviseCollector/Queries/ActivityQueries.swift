/// One pg_stat_activity sample, aggregated on the server: a fixed-size row whatever the
/// number of sessions. Client backends only, our own session excluded. It calls the view's
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
            FROM pg_stat_get_activity(NULL) AS a
            WHERE a.backend_type = 'client backend'
                AND a.pid <> pg_backend_pid()
        )
        SELECT
            count(*) FILTER (WHERE state = 'active') AS active,
            count(*) AS connections,
            count(*) FILTER (WHERE state LIKE 'idle in transaction%') AS idle_in_transaction,
            EXTRACT(EPOCH FROM max(clock_timestamp() - query_start)
                FILTER (WHERE state = 'active')) AS oldest_query_seconds,
            EXTRACT(EPOCH FROM max(clock_timestamp() - xact_start)) AS oldest_transaction_seconds,
            (
                SELECT json_object_agg(w.wait_type, w.sessions)::text
                FROM (
                    SELECT
                        COALESCE(wait_event_type, 'CPU') AS wait_type,
                        count(*) AS sessions
                    FROM sessions
                    WHERE state = 'active'
                    GROUP BY 1
                ) AS w
            ) AS wait_event_types
        FROM sessions
        """)
}
