/// Every statement the shared history store sends, named, in one place: a test parses each
/// with libpg_query and checks that every function, operator, type and relation is named by
/// its schema (as the collector's queries are), so nothing in the user's database can stand
/// in for them. Values always travel as `$n` parameters, never inside the text.
public struct HistorySQL: Sendable, Equatable {
    public let name: String
    public let sql: String

    init(_ name: String, _ sql: String) {
        self.name = name
        self.sql = sql
    }
}

extension HistorySQL {
    /// The schema every table lives in. Fixed, like the tables' names: dashboards and
    /// queries written against it keep working across machines and versions.
    public static let schema = "dbadvise_history"

    /// `pg_advisory_xact_lock` key serializing creation and migration between collectors
    /// that start at once: "dbad" and "hist" in ASCII.
    static let migrationLockKeys = ("1684169060", "1751741300")

    static let begin = HistorySQL("begin", "BEGIN")
    static let commit = HistorySQL("commit", "COMMIT")
    static let rollback = HistorySQL("rollback", "ROLLBACK")

    /// The store's version without taking a lock: nil when the schema or its version table
    /// does not exist (a database dbadvise never wrote to).
    static let version = HistorySQL(
        "history version",
        """
        SELECT pg_catalog.to_regclass('dbadvise_history.schema_version') IS NOT NULL AS present
        """)

    static let maxVersion = HistorySQL(
        "history max version",
        """
        SELECT pg_catalog.max(v.version) AS version
        FROM dbadvise_history.schema_version AS v
        """)

    static let lockMigration = HistorySQL(
        "history migration lock",
        "SELECT pg_catalog.pg_advisory_xact_lock($1::pg_catalog.int4, $2::pg_catalog.int4)")

    static let createSchema = HistorySQL("history schema", "CREATE SCHEMA IF NOT EXISTS dbadvise_history")

    static let createVersionTable = HistorySQL(
        "history version table",
        """
        CREATE TABLE IF NOT EXISTS dbadvise_history.schema_version (
            version pg_catalog.int4 PRIMARY KEY,
            applied_at pg_catalog.timestamptz NOT NULL
        )
        """)

    static let recordVersion = HistorySQL(
        "history record version",
        """
        INSERT INTO dbadvise_history.schema_version (version, applied_at)
        VALUES ($1::pg_catalog.int4, pg_catalog.now())
        """)

    /// The migrations in order: index i brings the store to version i + 1. Never edit one
    /// that has shipped; add the next. Version 1 is the schema ``HistoryStore`` documents,
    /// plus `relations.ordinal` (a snapshot's relations in their order, which SQLite keeps as
    /// rowid) and `latest_snapshots` (the newest full snapshot of each series, which a
    /// directory keeps as its newest file).
    static let migrations: [[HistorySQL]] = [
        [
            HistorySQL(
                "history v1 sources",
                """
                CREATE TABLE dbadvise_history.sources (
                    id pg_catalog.int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    name pg_catalog.text NOT NULL UNIQUE,
                    size_bytes pg_catalog.int8 NOT NULL,
                    modified_at pg_catalog.timestamptz NOT NULL,
                    content_sha256 pg_catalog.text NOT NULL,
                    indexed_at pg_catalog.timestamptz NOT NULL,
                    retired_at pg_catalog.timestamptz
                )
                """),
            HistorySQL(
                "history v1 snapshots",
                """
                CREATE TABLE dbadvise_history.snapshots (
                    id pg_catalog.int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    source_id pg_catalog.int8 REFERENCES dbadvise_history.sources (id) ON DELETE CASCADE,
                    series pg_catalog.text NOT NULL,
                    finished_at pg_catalog.timestamptz NOT NULL,
                    started_at pg_catalog.timestamptz NOT NULL,
                    interval_mode pg_catalog.text NOT NULL,
                    rate_seconds pg_catalog.float8,
                    database pg_catalog.text NOT NULL,
                    system_identifier pg_catalog.text,
                    host pg_catalog.text,
                    port pg_catalog.text,
                    stats_reset pg_catalog.timestamptz,
                    start_time pg_catalog.timestamptz,
                    size_bytes pg_catalog.int8,
                    xact_commit pg_catalog.int8,
                    tup_returned pg_catalog.int8,
                    tup_fetched pg_catalog.int8,
                    tup_inserted pg_catalog.int8,
                    tup_updated pg_catalog.int8,
                    tup_deleted pg_catalog.int8,
                    writes_per_second pg_catalog.float8,
                    reads_per_second pg_catalog.float8,
                    avg_active_sessions pg_catalog.float8,
                    replication_lag_seconds pg_catalog.float8,
                    UNIQUE (series, finished_at)
                )
                """),
            HistorySQL(
                "history v1 snapshots source index",
                "CREATE INDEX snapshots_source ON dbadvise_history.snapshots (source_id)"),
            HistorySQL(
                "history v1 relations",
                """
                CREATE TABLE dbadvise_history.relations (
                    snapshot_id pg_catalog.int8 NOT NULL REFERENCES dbadvise_history.snapshots (id) ON DELETE CASCADE,
                    ordinal pg_catalog.int4 NOT NULL,
                    schema pg_catalog.text NOT NULL,
                    name pg_catalog.text NOT NULL,
                    relkind pg_catalog.text NOT NULL,
                    is_partition pg_catalog.bool NOT NULL,
                    listed pg_catalog.bool NOT NULL,
                    total_bytes pg_catalog.int8,
                    n_live_tup pg_catalog.int8,
                    reltuples pg_catalog.float8,
                    n_tup_ins pg_catalog.int8,
                    n_tup_upd pg_catalog.int8,
                    n_tup_del pg_catalog.int8,
                    writes_per_second pg_catalog.float8,
                    last_refreshed_at pg_catalog.timestamptz,
                    PRIMARY KEY (snapshot_id, ordinal)
                )
                """),
            HistorySQL(
                "history v1 latest snapshots",
                """
                CREATE TABLE dbadvise_history.latest_snapshots (
                    series pg_catalog.text PRIMARY KEY,
                    finished_at pg_catalog.timestamptz NOT NULL,
                    document pg_catalog.jsonb NOT NULL
                )
                """),
        ],
        [
            HistorySQL(
                "history v2 trend series",
                """
                CREATE TABLE dbadvise_history.trend_series (
                    series pg_catalog.text PRIMARY KEY,
                    snapshots pg_catalog.int4 NOT NULL,
                    latest_finished_at pg_catalog.timestamptz NOT NULL,
                    built_at pg_catalog.timestamptz NOT NULL
                )
                """),
            HistorySQL(
                "history v2 trend snapshots",
                """
                CREATE TABLE dbadvise_history.trend_snapshots (
                    series pg_catalog.text NOT NULL
                        REFERENCES dbadvise_history.trend_series (series) ON DELETE CASCADE,
                    finished_at pg_catalog.timestamptz NOT NULL,
                    live_rows pg_catalog.float8,
                    bulk_load_count pg_catalog.int4 NOT NULL,
                    bulk_loads pg_catalog.text NOT NULL,
                    PRIMARY KEY (series, finished_at)
                )
                """),
            HistorySQL(
                "history v2 trend relations",
                """
                CREATE TABLE dbadvise_history.trend_relations (
                    series pg_catalog.text NOT NULL
                        REFERENCES dbadvise_history.trend_series (series) ON DELETE CASCADE,
                    kind pg_catalog.text NOT NULL,
                    relation pg_catalog.text NOT NULL,
                    points pg_catalog.int4 NOT NULL,
                    origin pg_catalog.float8 NOT NULL,
                    mean_days pg_catalog.float8 NOT NULL,
                    mean_value pg_catalog.float8 NOT NULL,
                    sum_xx pg_catalog.float8 NOT NULL,
                    sum_xy pg_catalog.float8 NOT NULL,
                    sum_yy pg_catalog.float8 NOT NULL,
                    latest_days pg_catalog.float8 NOT NULL,
                    latest_value pg_catalog.float8 NOT NULL,
                    PRIMARY KEY (series, kind, relation)
                )
                """),
        ],
    ]

    static let beginSnapshot = HistorySQL(
        "history begin repeatable read", "BEGIN ISOLATION LEVEL REPEATABLE READ")

    /// The saved trend state continues only with a snapshot after its latest one.
    static let dropTrendStateFrom = HistorySQL(
        "history drop trend state from",
        """
        DELETE FROM dbadvise_history.trend_series AS t
        WHERE t.series OPERATOR(pg_catalog.=) $1::pg_catalog.text
            AND t.latest_finished_at OPERATOR(pg_catalog.>=) pg_catalog.to_timestamp($2::pg_catalog.float8)
        """)

    /// Every series holding a snapshot of the source loses its state: its points are going.
    static let dropTrendStatesOfSource = HistorySQL(
        "history drop trend states of source",
        """
        DELETE FROM dbadvise_history.trend_series AS t
        USING dbadvise_history.snapshots AS p, dbadvise_history.sources AS src
        WHERE src.name OPERATOR(pg_catalog.=) $1::pg_catalog.text
            AND p.source_id OPERATOR(pg_catalog.=) src.id
            AND t.series OPERATOR(pg_catalog.=) p.series
        """)

    /// Serializes two collectors saving one series' state.
    static let lockTrendState = HistorySQL(
        "history trend state lock",
        "SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext($1::pg_catalog.text))")

    static let deleteTrendSeries = HistorySQL(
        "history delete trend series",
        """
        DELETE FROM dbadvise_history.trend_series AS t
        WHERE t.series OPERATOR(pg_catalog.=) $1::pg_catalog.text
        """)

    static let insertTrendSeries = HistorySQL(
        "history insert trend series",
        """
        INSERT INTO dbadvise_history.trend_series (series, snapshots, latest_finished_at, built_at)
        VALUES (
            $1::pg_catalog.text, $2::pg_catalog.int4, pg_catalog.to_timestamp($3::pg_catalog.float8),
            pg_catalog.now())
        """)

    static let insertTrendSnapshots = HistorySQL(
        "history insert trend snapshots",
        """
        INSERT INTO dbadvise_history.trend_snapshots (series, finished_at, live_rows, bulk_load_count, bulk_loads)
        SELECT
            $1::pg_catalog.text, pg_catalog.to_timestamp(u.finished_at), u.live_rows, u.bulk_load_count,
            u.bulk_loads
        FROM ROWS FROM (
            pg_catalog.unnest($2::pg_catalog.float8[]), pg_catalog.unnest($3::pg_catalog.float8[]),
            pg_catalog.unnest($4::pg_catalog.int4[]), pg_catalog.unnest($5::pg_catalog.text[])
        ) AS u (finished_at, live_rows, bulk_load_count, bulk_loads)
        """)

    static let insertTrendRelations = HistorySQL(
        "history insert trend relations",
        """
        INSERT INTO dbadvise_history.trend_relations (
            series, kind, relation, points, origin, mean_days, mean_value, sum_xx, sum_xy, sum_yy,
            latest_days, latest_value)
        SELECT
            $1::pg_catalog.text, u.kind, u.relation, u.points, u.origin, u.mean_days, u.mean_value,
            u.sum_xx, u.sum_xy, u.sum_yy, u.latest_days, u.latest_value
        FROM ROWS FROM (
            pg_catalog.unnest($2::pg_catalog.text[]), pg_catalog.unnest($3::pg_catalog.text[]),
            pg_catalog.unnest($4::pg_catalog.int4[]), pg_catalog.unnest($5::pg_catalog.float8[]),
            pg_catalog.unnest($6::pg_catalog.float8[]), pg_catalog.unnest($7::pg_catalog.float8[]),
            pg_catalog.unnest($8::pg_catalog.float8[]), pg_catalog.unnest($9::pg_catalog.float8[]),
            pg_catalog.unnest($10::pg_catalog.float8[]), pg_catalog.unnest($11::pg_catalog.float8[]),
            pg_catalog.unnest($12::pg_catalog.float8[])
        ) AS u (kind, relation, points, origin, mean_days, mean_value, sum_xx, sum_xy, sum_yy, latest_days,
            latest_value)
        """)

    /// The state's header, and how many stored snapshots it should cover.
    static let trendSeries = HistorySQL(
        "history trend series",
        """
        SELECT
            t.snapshots,
            pg_catalog.date_part('epoch', t.latest_finished_at) AS latest_finished_at,
            (SELECT pg_catalog.count(*)
             FROM dbadvise_history.snapshots AS p
             WHERE p.series OPERATOR(pg_catalog.=) t.series
                AND p.finished_at OPERATOR(pg_catalog.<=) t.latest_finished_at) AS stored
        FROM dbadvise_history.trend_series AS t
        WHERE t.series OPERATOR(pg_catalog.=) $1::pg_catalog.text
        """)

    static let trendSnapshotPoints = HistorySQL(
        "history trend snapshot points",
        """
        SELECT
            t.live_rows, t.bulk_load_count, t.bulk_loads, s.id, s.series,
            \(snapshotPointColumns)
        FROM dbadvise_history.snapshots AS s
        JOIN dbadvise_history.trend_snapshots AS t
            ON t.series OPERATOR(pg_catalog.=) s.series AND t.finished_at OPERATOR(pg_catalog.=) s.finished_at
        WHERE s.series OPERATOR(pg_catalog.=) $1::pg_catalog.text
        ORDER BY s.finished_at
        """)

    static let trendRelations = HistorySQL(
        "history trend relations",
        """
        SELECT
            t.kind, t.relation, t.points, t.origin, t.mean_days, t.mean_value, t.sum_xx, t.sum_xy, t.sum_yy,
            t.latest_days, t.latest_value
        FROM dbadvise_history.trend_relations AS t
        WHERE t.series OPERATOR(pg_catalog.=) $1::pg_catalog.text
        """)

    /// One unpartitioned table's stored sizes over a series (the plot's largest table).
    static let tableSizes = HistorySQL(
        "history table sizes",
        """
        SELECT DISTINCT ON (s.finished_at)
            pg_catalog.date_part('epoch', s.finished_at) AS finished_at, r.total_bytes
        FROM dbadvise_history.relations AS r
        JOIN dbadvise_history.snapshots AS s ON s.id OPERATOR(pg_catalog.=) r.snapshot_id
        WHERE s.series OPERATOR(pg_catalog.=) $1::pg_catalog.text
            AND r.schema OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) r.name
                OPERATOR(pg_catalog.=) $2::pg_catalog.text
            AND r.listed AND NOT r.is_partition AND r.relkind OPERATOR(pg_catalog.<>) 'p'
            AND r.total_bytes IS NOT NULL
        ORDER BY s.finished_at, r.ordinal
        """)

    static let deleteSource = HistorySQL(
        "history delete source",
        """
        DELETE FROM dbadvise_history.sources AS s
        WHERE s.name OPERATOR(pg_catalog.=) $1::pg_catalog.text
        """)

    static let insertSource = HistorySQL(
        "history insert source",
        """
        INSERT INTO dbadvise_history.sources (name, size_bytes, modified_at, content_sha256, indexed_at, retired_at)
        VALUES (
            $1::pg_catalog.text, $2::pg_catalog.int8, pg_catalog.to_timestamp($3::pg_catalog.float8),
            $4::pg_catalog.text, pg_catalog.now(), pg_catalog.to_timestamp($5::pg_catalog.float8))
        RETURNING id
        """)

    /// Idempotent per (series, finished_at): the same collection appended twice, or by two
    /// collectors at once, is one row (the later one waits for the first, then replaces it).
    static let upsertSnapshot = HistorySQL(
        "history upsert snapshot",
        """
        INSERT INTO dbadvise_history.snapshots AS s (
            source_id, series, finished_at, started_at, interval_mode, rate_seconds, database,
            system_identifier, host, port, stats_reset, start_time, size_bytes, xact_commit,
            tup_returned, tup_fetched, tup_inserted, tup_updated, tup_deleted, writes_per_second,
            reads_per_second, avg_active_sessions, replication_lag_seconds)
        VALUES (
            $1::pg_catalog.int8, $2::pg_catalog.text, pg_catalog.to_timestamp($3::pg_catalog.float8),
            pg_catalog.to_timestamp($4::pg_catalog.float8), $5::pg_catalog.text, $6::pg_catalog.float8,
            $7::pg_catalog.text, $8::pg_catalog.text, $9::pg_catalog.text, $10::pg_catalog.text,
            pg_catalog.to_timestamp($11::pg_catalog.float8), pg_catalog.to_timestamp($12::pg_catalog.float8),
            $13::pg_catalog.int8, $14::pg_catalog.int8, $15::pg_catalog.int8, $16::pg_catalog.int8,
            $17::pg_catalog.int8, $18::pg_catalog.int8, $19::pg_catalog.int8, $20::pg_catalog.float8,
            $21::pg_catalog.float8, $22::pg_catalog.float8, $23::pg_catalog.float8)
        ON CONFLICT (series, finished_at) DO UPDATE SET
            source_id = EXCLUDED.source_id,
            started_at = EXCLUDED.started_at,
            interval_mode = EXCLUDED.interval_mode,
            rate_seconds = EXCLUDED.rate_seconds,
            database = EXCLUDED.database,
            system_identifier = EXCLUDED.system_identifier,
            host = EXCLUDED.host,
            port = EXCLUDED.port,
            stats_reset = EXCLUDED.stats_reset,
            start_time = EXCLUDED.start_time,
            size_bytes = EXCLUDED.size_bytes,
            xact_commit = EXCLUDED.xact_commit,
            tup_returned = EXCLUDED.tup_returned,
            tup_fetched = EXCLUDED.tup_fetched,
            tup_inserted = EXCLUDED.tup_inserted,
            tup_updated = EXCLUDED.tup_updated,
            tup_deleted = EXCLUDED.tup_deleted,
            writes_per_second = EXCLUDED.writes_per_second,
            reads_per_second = EXCLUDED.reads_per_second,
            avg_active_sessions = EXCLUDED.avg_active_sessions,
            replication_lag_seconds = EXCLUDED.replication_lag_seconds
        RETURNING s.id
        """)

    static let deleteRelations = HistorySQL(
        "history delete relations",
        """
        DELETE FROM dbadvise_history.relations AS r
        WHERE r.snapshot_id OPERATOR(pg_catalog.=) $1::pg_catalog.int8
        """)

    /// A batch of relations in one round trip: each column is one array parameter, zipped
    /// by `ROWS FROM` (the multi-argument `unnest` shorthand exists only unqualified).
    static let insertRelations = HistorySQL(
        "history insert relations",
        """
        INSERT INTO dbadvise_history.relations (
            snapshot_id, ordinal, schema, name, relkind, is_partition, listed, total_bytes, n_live_tup,
            reltuples, n_tup_ins, n_tup_upd, n_tup_del, writes_per_second, last_refreshed_at)
        SELECT
            $1::pg_catalog.int8,
            $2::pg_catalog.int4 OPERATOR(pg_catalog.+) u.idx::pg_catalog.int4,
            u.schema, u.name, u.relkind, u.is_partition, u.listed, u.total_bytes, u.n_live_tup,
            u.reltuples, u.n_tup_ins, u.n_tup_upd, u.n_tup_del, u.writes_per_second,
            pg_catalog.to_timestamp(u.last_refreshed_at)
        FROM ROWS FROM (
            pg_catalog.unnest($3::pg_catalog.text[]), pg_catalog.unnest($4::pg_catalog.text[]),
            pg_catalog.unnest($5::pg_catalog.text[]), pg_catalog.unnest($6::pg_catalog.bool[]),
            pg_catalog.unnest($7::pg_catalog.bool[]), pg_catalog.unnest($8::pg_catalog.int8[]),
            pg_catalog.unnest($9::pg_catalog.int8[]), pg_catalog.unnest($10::pg_catalog.float8[]),
            pg_catalog.unnest($11::pg_catalog.int8[]), pg_catalog.unnest($12::pg_catalog.int8[]),
            pg_catalog.unnest($13::pg_catalog.int8[]), pg_catalog.unnest($14::pg_catalog.float8[]),
            pg_catalog.unnest($15::pg_catalog.float8[])
        ) WITH ORDINALITY AS u (
            schema, name, relkind, is_partition, listed, total_bytes, n_live_tup, reltuples,
            n_tup_ins, n_tup_upd, n_tup_del, writes_per_second, last_refreshed_at, idx)
        """)

    /// The newest full snapshot of a series: an older collection landing late leaves it.
    static let upsertLatest = HistorySQL(
        "history upsert latest snapshot",
        """
        INSERT INTO dbadvise_history.latest_snapshots AS l (series, finished_at, document)
        VALUES ($1::pg_catalog.text, pg_catalog.to_timestamp($2::pg_catalog.float8), $3::pg_catalog.jsonb)
        ON CONFLICT (series) DO UPDATE SET
            finished_at = EXCLUDED.finished_at,
            document = EXCLUDED.document
        WHERE l.finished_at OPERATOR(pg_catalog.<=) EXCLUDED.finished_at
        """)

    static let latest = HistorySQL(
        "history latest snapshot",
        """
        SELECT
            pg_catalog.date_part('epoch', l.finished_at) AS finished_at,
            l.document::pg_catalog.text AS document
        FROM dbadvise_history.latest_snapshots AS l
        WHERE l.series OPERATOR(pg_catalog.=) $1::pg_catalog.text
        """)

    static let sources = HistorySQL(
        "history sources",
        """
        SELECT
            s.name,
            s.size_bytes,
            pg_catalog.date_part('epoch', s.modified_at) AS modified_at,
            s.content_sha256,
            pg_catalog.date_part('epoch', s.retired_at) AS retired_at,
            (SELECT pg_catalog.date_part('epoch', pg_catalog.max(p.finished_at))
             FROM dbadvise_history.snapshots AS p
             WHERE p.source_id OPERATOR(pg_catalog.=) s.id) AS finished_at
        FROM dbadvise_history.sources AS s
        ORDER BY s.name
        """)

    static let retireSource = HistorySQL(
        "history retire source",
        """
        UPDATE dbadvise_history.sources AS s
        SET retired_at = pg_catalog.to_timestamp($2::pg_catalog.float8)
        WHERE s.name OPERATOR(pg_catalog.=) $1::pg_catalog.text
        """)

    static let series = HistorySQL(
        "history series",
        """
        SELECT
            s.series,
            pg_catalog.count(*) AS snapshots,
            pg_catalog.date_part('epoch', pg_catalog.max(s.finished_at)) AS latest,
            (SELECT src.name
             FROM dbadvise_history.snapshots AS newest
             LEFT JOIN dbadvise_history.sources AS src ON src.id OPERATOR(pg_catalog.=) newest.source_id
             WHERE newest.series OPERATOR(pg_catalog.=) s.series
             ORDER BY newest.finished_at DESC
             LIMIT 1) AS latest_source
        FROM dbadvise_history.snapshots AS s
        GROUP BY s.series
        ORDER BY pg_catalog.max(s.finished_at) DESC, s.series
        """)

    /// A snapshot point's columns of `snapshots AS s`, times as Unix seconds.
    static let snapshotPointColumns = """
        pg_catalog.date_part('epoch', s.finished_at) AS finished_at,
            pg_catalog.date_part('epoch', s.started_at) AS started_at,
            s.interval_mode, s.rate_seconds, s.database, s.system_identifier, s.host, s.port,
            pg_catalog.date_part('epoch', s.stats_reset) AS stats_reset,
            pg_catalog.date_part('epoch', s.start_time) AS start_time,
            s.size_bytes, s.xact_commit, s.tup_returned, s.tup_fetched, s.tup_inserted, s.tup_updated,
            s.tup_deleted, s.writes_per_second, s.reads_per_second, s.avg_active_sessions,
            s.replication_lag_seconds
        """

    static let snapshotPoints = HistorySQL(
        "history snapshot points",
        """
        SELECT
            s.id, s.series,
            \(snapshotPointColumns)
        FROM dbadvise_history.snapshots AS s
        WHERE s.series OPERATOR(pg_catalog.=) $1::pg_catalog.text
            AND ($2::pg_catalog.float8 IS NULL
                OR s.finished_at OPERATOR(pg_catalog.>=) pg_catalog.to_timestamp($2::pg_catalog.float8))
        ORDER BY s.finished_at
        """)

    /// The relations of a batch of snapshots (ids as one array), in each snapshot's order.
    static let relationPoints = HistorySQL(
        "history relation points",
        """
        SELECT
            r.snapshot_id, r.schema, r.name, r.relkind, r.is_partition, r.listed, r.total_bytes,
            r.n_live_tup, r.reltuples, r.n_tup_ins, r.n_tup_upd, r.n_tup_del, r.writes_per_second,
            pg_catalog.date_part('epoch', r.last_refreshed_at) AS last_refreshed_at
        FROM dbadvise_history.relations AS r
        WHERE r.snapshot_id OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.int8[])
        ORDER BY r.snapshot_id, r.ordinal
        """)

    /// Every statement, for the qualification test.
    public static let all: [HistorySQL] =
        [
            begin, commit, rollback, version, maxVersion, lockMigration, createSchema, createVersionTable,
            recordVersion, deleteSource, insertSource, upsertSnapshot, deleteRelations, insertRelations,
            upsertLatest, latest, sources, retireSource, series, snapshotPoints, relationPoints, beginSnapshot,
            dropTrendStateFrom, dropTrendStatesOfSource, lockTrendState, deleteTrendSeries, insertTrendSeries,
            insertTrendSnapshots, insertTrendRelations, trendSeries, trendSnapshotPoints, trendRelations, tableSizes,
        ] + migrations.flatMap { $0 }
}
