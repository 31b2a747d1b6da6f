/// Server identity, settings that matter for sizing, extensions.
public enum ServerQueries {
    public static let identity = Query(
        "server identity",
        """
        SELECT
            pg_catalog.current_setting('server_version_num')::int AS version_num,
            pg_catalog.version() AS version,
            pg_catalog.pg_is_in_recovery() AS in_recovery,
            EXTRACT(EPOCH FROM pg_catalog.pg_postmaster_start_time()) AS start_time,
            pg_catalog.current_database() AS database
        """)

    /// Whether this role sees every session and every statement: a superuser, or a member of
    /// pg_read_all_stats (pg_monitor includes it). Without it pg_stat_activity shows other
    /// roles' sessions as `<insufficient privilege>` (no state, no backend type),
    /// pg_stat_statements hides their texts and queryids, and pg_stat_replication shows
    /// standbys without positions or lag.
    public static let statsVisibility = Query(
        "stats visibility",
        """
        SELECT
            pg_catalog.pg_has_role(CURRENT_USER, 'pg_read_all_stats', 'USAGE') AS reads_all_stats
        """)

    /// Every database of the server that takes connections (`--all-databases`): templates and
    /// `datallowconn = false` left out; `can_connect` is whether this role has CONNECT on it.
    public static let databases = Query(
        "databases",
        """
        SELECT
            d.datname AS name,
            pg_catalog.has_database_privilege(d.oid, 'CONNECT') AS can_connect
        FROM pg_catalog.pg_database AS d
        WHERE d.datallowconn
            AND NOT d.datistemplate
        ORDER BY d.datname
        """)

    /// pg_control_system() is not granted to every role on every service: optional.
    public static let systemIdentifier = Query(
        "system identifier",
        """
        SELECT
            system_identifier::pg_catalog.text AS system_identifier
        FROM pg_catalog.pg_control_system()
        """)

    /// The settings the rules size against; autovacuum_* are all taken.
    public static let settingNames = [
        "shared_buffers", "effective_cache_size", "max_connections", "work_mem",
        "maintenance_work_mem", "max_wal_size", "min_wal_size", "checkpoint_timeout",
        "checkpoint_completion_target", "wal_level", "max_wal_senders",
        "max_replication_slots", "hot_standby_feedback", "random_page_cost",
        "default_statistics_target", "track_io_timing", "track_counts", "track_activities",
        "shared_preload_libraries", "block_size", "max_worker_processes",
        "max_parallel_workers", "huge_pages", "synchronous_commit", "server_version_num",
    ]

    public static let settings = Query(
        "settings",
        """
        SELECT
            s.name AS name,
            s.setting AS setting,
            s.unit AS unit
        FROM pg_catalog.pg_settings AS s
        WHERE s.name OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.text[])
            OR pg_catalog.starts_with(s.name, 'autovacuum')
        ORDER BY s.name
        """)

    public static let extensions = Query(
        "extensions",
        """
        SELECT
            e.extname AS name,
            e.extversion AS version
        FROM pg_catalog.pg_extension AS e
        ORDER BY e.extname
        """)
}
