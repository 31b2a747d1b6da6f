/// Tables, indexes, partition trees, column statistics and foreign keys: each one set-based query, so the
/// number of round trips does not grow with the catalog.
///
/// Size functions (`pg_total_relation_size`, `pg_indexes_size`, `pg_get_expr` on a bound)
/// open the relation under ACCESS SHARE. A relation some other session holds (or waits for)
/// under ACCESS EXCLUSIVE would make them wait, so they are skipped for the relations in
/// ``lockedRelations`` ($1) and those sizes are recorded as unknown; `lock_timeout` is the
/// backstop for a lock taken between the two statements.
public enum TableQueries {
    /// Tables whose table, index or TOAST relation has an ACCESS EXCLUSIVE lock held or
    /// requested by another session, mapped to the owning table's oid.
    public static let lockedRelations = Query(
        "locked relations",
        """
        SELECT DISTINCT
            COALESCE(i.indrelid, t.oid, l.relation)::bigint AS relation
        FROM pg_catalog.pg_locks AS l
        LEFT JOIN pg_catalog.pg_index AS i
            ON i.indexrelid OPERATOR(pg_catalog.=) l.relation
        LEFT JOIN pg_catalog.pg_class AS t
            ON t.reltoastrelid OPERATOR(pg_catalog.=) l.relation
        WHERE l.locktype OPERATOR(pg_catalog.=) 'relation'
            AND l.mode OPERATOR(pg_catalog.=) 'AccessExclusiveLock'
            AND l.database OPERATOR(pg_catalog.=) (
                SELECT d.oid
                FROM pg_catalog.pg_database AS d
                WHERE d.datname OPERATOR(pg_catalog.=) pg_catalog.current_database()
            )
            AND (l.pid IS NULL OR l.pid OPERATOR(pg_catalog.<>) pg_catalog.pg_backend_pid())
        """)

    /// Write and read counters per table, taken at the start and end of the interval.
    public static let counters = Query(
        "table counters",
        """
        SELECT
            s.relid::bigint AS oid,
            s.n_tup_ins OPERATOR(pg_catalog.+) s.n_tup_upd OPERATOR(pg_catalog.+) s.n_tup_del
                AS writes,
            COALESCE(s.seq_tup_read, 0) OPERATOR(pg_catalog.+) COALESCE(s.idx_tup_fetch, 0)
                AS reads
        FROM pg_catalog.pg_stat_user_tables AS s
        """)

    /// Every user table, partitioned table and materialized view. $1: locked oids;
    /// $2: false to skip every size function (the retry after a lock timeout).
    ///
    /// Sizes come from their parts, each file stat()ed once: here the main fork, the other
    /// forks and the TOAST table with its index; the indexes in ``indexes``; the collector
    /// adds them up to `pg_total_relation_size`. (Asking for the total and for the parts
    /// stats every file twice, and on a large catalog the stat() calls and the relation cache
    /// entries they need are most of the server's time.) Partitioned tables have no storage
    /// and no relfrozenxid: their age is null, not 2^31.
    public static let tables = Query(
        "tables",
        """
        SELECT
            c.oid::bigint AS oid,
            n.nspname AS schema,
            c.relname AS name,
            c.relkind::pg_catalog.text AS relkind,
            c.relispartition AS is_partition,
            i.inhparent::bigint AS parent_oid,
            CASE WHEN c.relispartition AND $2::boolean
                AND NOT c.oid OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.oid[])
                THEN pg_catalog.pg_get_expr(c.relpartbound, c.oid) END AS partition_bound,
            CASE WHEN c.relkind OPERATOR(pg_catalog.<>) 'p' AND $2::boolean
                AND NOT c.oid OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.oid[])
                THEN pg_catalog.pg_relation_size(c.oid, 'main') END AS heap_bytes,
            CASE WHEN c.relkind OPERATOR(pg_catalog.<>) 'p' AND $2::boolean
                AND NOT c.oid OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.oid[])
                THEN pg_catalog.pg_relation_size(c.oid, 'fsm')
                    OPERATOR(pg_catalog.+) pg_catalog.pg_relation_size(c.oid, 'vm')
                    OPERATOR(pg_catalog.+) pg_catalog.pg_relation_size(c.oid, 'init') END AS other_forks_bytes,
            CASE WHEN c.relkind OPERATOR(pg_catalog.=) 'p' OR NOT $2::boolean
                OR c.oid OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.oid[]) THEN NULL
                WHEN c.reltoastrelid OPERATOR(pg_catalog.=) 0 THEN 0
                ELSE pg_catalog.pg_total_relation_size(c.reltoastrelid) END AS toast_bytes,
            CASE WHEN c.reltuples OPERATOR(pg_catalog.>=) 0 THEN c.reltuples END AS reltuples,
            CASE WHEN c.relkind OPERATOR(pg_catalog.<>) 'p' THEN pg_catalog.age(c.relfrozenxid) END
                AS relfrozenxid_age,
            s.n_live_tup AS n_live_tup,
            s.n_dead_tup AS n_dead_tup,
            s.seq_scan AS seq_scan,
            s.seq_tup_read AS seq_tup_read,
            s.idx_scan AS idx_scan,
            s.idx_tup_fetch AS idx_tup_fetch,
            s.n_tup_ins AS n_tup_ins,
            s.n_tup_upd AS n_tup_upd,
            s.n_tup_del AS n_tup_del,
            s.n_tup_hot_upd AS n_tup_hot_upd,
            EXTRACT(EPOCH FROM s.last_vacuum) AS last_vacuum,
            EXTRACT(EPOCH FROM s.last_autovacuum) AS last_autovacuum,
            EXTRACT(EPOCH FROM s.last_analyze) AS last_analyze,
            EXTRACT(EPOCH FROM s.last_autoanalyze) AS last_autoanalyze,
            s.vacuum_count AS vacuum_count,
            s.autovacuum_count AS autovacuum_count,
            s.analyze_count AS analyze_count,
            s.autoanalyze_count AS autoanalyze_count
        FROM pg_catalog.pg_class AS c
        JOIN pg_catalog.pg_namespace AS n
            ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
        LEFT JOIN pg_catalog.pg_stat_all_tables AS s
            ON s.relid OPERATOR(pg_catalog.=) c.oid
        LEFT JOIN pg_catalog.pg_inherits AS i
            ON i.inhrelid OPERATOR(pg_catalog.=) c.oid
            AND c.relispartition
        WHERE c.relkind OPERATOR(pg_catalog.=) ANY ('{r,p,m}')
            AND \(userSchemaFilter)
        ORDER BY n.nspname, c.relname
        """)

    /// Every index of those tables, with the size of its main fork and of the others (a
    /// B-tree's free space map; an unlogged index's init fork; indexes have no visibility
    /// map), which the collector adds up to each table's `pg_indexes_size`.
    /// $1: locked table oids; $2: false to skip sizes.
    public static let indexes = Query(
        "indexes",
        """
        SELECT
            n.nspname AS schema,
            t.relname AS table_name,
            c.relname AS name,
            t.oid::bigint AS table_oid,
            CASE WHEN $2::boolean AND NOT t.oid OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.oid[])
                THEN pg_catalog.pg_relation_size(c.oid, 'main') END AS bytes,
            CASE WHEN $2::boolean AND NOT t.oid OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.oid[])
                THEN pg_catalog.pg_relation_size(c.oid, 'fsm')
                    OPERATOR(pg_catalog.+) pg_catalog.pg_relation_size(c.oid, 'init') END
                AS other_forks_bytes,
            s.idx_scan AS idx_scan,
            x.indisunique AS is_unique,
            x.indisprimary AS is_primary,
            x.indisvalid AS is_valid,
            pg_catalog.to_json(ARRAY(
                SELECT a.attname
                FROM pg_catalog.unnest(x.indkey::pg_catalog.int2[]) WITH ORDINALITY AS k(attnum, position)
                JOIN pg_catalog.pg_attribute AS a
                    ON a.attrelid OPERATOR(pg_catalog.=) x.indrelid
                    AND a.attnum OPERATOR(pg_catalog.=) k.attnum
                ORDER BY k.position
            ))::pg_catalog.text AS columns
        FROM pg_catalog.pg_index AS x
        JOIN pg_catalog.pg_class AS c
            ON c.oid OPERATOR(pg_catalog.=) x.indexrelid
        JOIN pg_catalog.pg_class AS t
            ON t.oid OPERATOR(pg_catalog.=) x.indrelid
        JOIN pg_catalog.pg_namespace AS n
            ON n.oid OPERATOR(pg_catalog.=) t.relnamespace
        LEFT JOIN pg_catalog.pg_stat_all_indexes AS s
            ON s.indexrelid OPERATOR(pg_catalog.=) x.indexrelid
        WHERE t.relkind OPERATOR(pg_catalog.=) ANY ('{r,p,m}')
            AND \(userSchemaFilter)
        ORDER BY n.nspname, t.relname, c.relname
        """)

    /// Partitioned tables with their strategy, key and default partition; their partitions
    /// come from ``tables`` (parent_oid). No lock taken: catalogs only, except
    /// `pg_get_partkeydef`, which is skipped for locked tables.
    public static let partitionedTables = Query(
        "partitioned tables",
        """
        SELECT
            c.oid::bigint AS oid,
            n.nspname AS schema,
            c.relname AS name,
            p.partstrat::pg_catalog.text AS strategy,
            CASE WHEN NOT c.oid OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.oid[])
                THEN pg_catalog.pg_get_partkeydef(c.oid) END AS key,
            pg_catalog.to_json(ARRAY(
                SELECT a.attname
                FROM pg_catalog.unnest(p.partattrs::pg_catalog.int2[]) WITH ORDINALITY AS k(attnum, position)
                JOIN pg_catalog.pg_attribute AS a
                    ON a.attrelid OPERATOR(pg_catalog.=) c.oid
                    AND a.attnum OPERATOR(pg_catalog.=) k.attnum
                ORDER BY k.position
            ))::pg_catalog.text AS key_columns,
            CASE WHEN p.partdefid OPERATOR(pg_catalog.<>) 0 THEN p.partdefid::bigint END AS default_oid
        FROM pg_catalog.pg_partitioned_table AS p
        JOIN pg_catalog.pg_class AS c
            ON c.oid OPERATOR(pg_catalog.=) p.partrelid
        JOIN pg_catalog.pg_namespace AS n
            ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
        WHERE \(userSchemaFilter)
        ORDER BY n.nspname, c.relname
        """)

    /// Every index of a partitioned table (relkind `I`) with the direct partitions that have no
    /// index attached to it: an index made with `CREATE INDEX ... ON ONLY` (or a partition's
    /// index never attached) leaves those partitions without it. Catalogs only, no lock;
    /// foreign-table partitions cannot have indexes and are left out.
    public static let partitionedIndexes = Query(
        "partitioned indexes",
        """
        SELECT
            t.oid::bigint AS table_oid,
            c.relname AS name,
            pg_catalog.pg_get_indexdef(c.oid) AS definition,
            x.indisvalid AS is_valid,
            x.indisunique AS is_unique,
            x.indisprimary AS is_primary,
            con.conname AS constraint_name,
            pg_catalog.to_json(ARRAY(
                SELECT pn.nspname OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) p.relname
                FROM pg_catalog.pg_inherits AS i
                JOIN pg_catalog.pg_class AS p
                    ON p.oid OPERATOR(pg_catalog.=) i.inhrelid
                JOIN pg_catalog.pg_namespace AS pn
                    ON pn.oid OPERATOR(pg_catalog.=) p.relnamespace
                WHERE i.inhparent OPERATOR(pg_catalog.=) t.oid
                    AND p.relkind OPERATOR(pg_catalog.=) ANY ('{r,p}')
                    AND NOT EXISTS (
                        SELECT 1
                        FROM pg_catalog.pg_inherits AS attached
                        JOIN pg_catalog.pg_index AS child
                            ON child.indexrelid OPERATOR(pg_catalog.=) attached.inhrelid
                        WHERE attached.inhparent OPERATOR(pg_catalog.=) c.oid
                            AND child.indrelid OPERATOR(pg_catalog.=) p.oid
                    )
                ORDER BY pn.nspname, p.relname
            ))::pg_catalog.text AS missing_partitions
        FROM pg_catalog.pg_index AS x
        JOIN pg_catalog.pg_class AS c
            ON c.oid OPERATOR(pg_catalog.=) x.indexrelid
        JOIN pg_catalog.pg_class AS t
            ON t.oid OPERATOR(pg_catalog.=) x.indrelid
        JOIN pg_catalog.pg_namespace AS n
            ON n.oid OPERATOR(pg_catalog.=) t.relnamespace
        LEFT JOIN pg_catalog.pg_constraint AS con
            ON con.conindid OPERATOR(pg_catalog.=) c.oid
            AND con.conrelid OPERATOR(pg_catalog.=) t.oid
            AND con.contype OPERATOR(pg_catalog.=) ANY ('{p,u,x}')
        WHERE c.relkind OPERATOR(pg_catalog.=) 'I'
            AND \(userSchemaFilter)
        ORDER BY n.nspname, t.relname, c.relname
        """)

    /// Column statistics of the $1 largest tables (by pages, no lock needed) and of every
    /// partitioned table (whose statistics are the `inherited` rows).
    ///
    /// pg_stats is read row by row for the chosen columns (`OFFSET 0` keeps the planner from
    /// flattening the lateral subquery into a join over the whole view, which read the
    /// statistics of every column of every table: 0.4 s at 10,000 relations, growing
    /// faster than the catalog).
    public static let columnStats = Query(
        "column statistics",
        """
        WITH chosen AS (
            SELECT
                c.oid,
                c.relkind,
                n.nspname,
                c.relname
            FROM pg_catalog.pg_class AS c
            JOIN pg_catalog.pg_namespace AS n
                ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
            WHERE c.relkind OPERATOR(pg_catalog.=) ANY ('{r,p}')
                AND NOT c.relispartition
                AND \(userSchemaFilter)
            ORDER BY c.relkind OPERATOR(pg_catalog.=) 'p' DESC, c.relpages DESC, c.relname
            LIMIT $1
        )
        SELECT
            t.nspname AS schema,
            t.relname AS table_name,
            a.attname AS column_name,
            pg_catalog.format_type(a.atttypid, a.atttypmod) AS data_type,
            s.correlation AS correlation,
            s.avg_width AS avg_width,
            s.n_distinct AS n_distinct,
            s.null_frac AS null_frac,
            (
                SELECT pg_catalog.max(f)
                FROM pg_catalog.unnest(s.most_common_freqs) AS f
            ) AS most_common_freq
        FROM chosen AS t
        JOIN pg_catalog.pg_attribute AS a
            ON a.attrelid OPERATOR(pg_catalog.=) t.oid
            AND a.attnum OPERATOR(pg_catalog.>) 0
            AND NOT a.attisdropped
        LEFT JOIN LATERAL (
            SELECT
                st.correlation,
                st.avg_width,
                st.n_distinct,
                st.null_frac,
                st.most_common_freqs
            FROM pg_catalog.pg_stats AS st
            WHERE st.schemaname OPERATOR(pg_catalog.=) t.nspname
                AND st.tablename OPERATOR(pg_catalog.=) t.relname
                AND st.attname OPERATOR(pg_catalog.=) a.attname
                AND st.inherited OPERATOR(pg_catalog.=) (t.relkind OPERATOR(pg_catalog.=) 'p')
            OFFSET 0
        ) AS s
            ON true
        ORDER BY t.nspname, t.relname, a.attnum
        """)

    /// Tables whose rows pg_stats hides from this role: the view shows a table's statistics
    /// only to a role that may SELECT it (table or column privilege) and to which no
    /// row-level security applies on it. Catalogs and privilege checks only, no lock. The
    /// collector keeps those of ``columnStats``'s tables that hold rows and show no statistics.
    public static let hiddenColumnStats = Query(
        "hidden column statistics",
        """
        SELECT
            n.nspname AS schema,
            c.relname AS table_name,
            NOT pg_catalog.has_table_privilege(c.oid, 'SELECT') AS lacks_select
        FROM pg_catalog.pg_class AS c
        JOIN pg_catalog.pg_namespace AS n
            ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
        WHERE c.relkind OPERATOR(pg_catalog.=) ANY ('{r,p}')
            AND NOT c.relispartition
            AND \(userSchemaFilter)
            AND (
                NOT pg_catalog.has_table_privilege(c.oid, 'SELECT')
                OR (c.relrowsecurity AND pg_catalog.row_security_active(c.oid))
            )
        ORDER BY n.nspname, c.relname
        """)

    /// Every foreign key declared on a user table, with the column names on both sides in
    /// constraint order (`conkey`, `confkey`). Catalogs only, no lock. A key declared on a
    /// partitioned table is cloned onto each partition (and onto each partition it references)
    /// with `conparentid` set: only the declared key is kept. Before PostgreSQL 18 every
    /// foreign key is enforced; from 18 one may be `NOT ENFORCED` (`conenforced`).
    public static func foreignKeys(serverVersion: Int) -> Query {
        let enforced =
            ServerFeature.constraintEnforced.isAvailable(onServerVersion: serverVersion)
            ? "con.conenforced" : "true"
        return Query(
            "foreign keys",
            """
            SELECT
                n.nspname AS schema,
                c.relname AS table_name,
                con.conname AS name,
                pg_catalog.to_json(ARRAY(
                    SELECT a.attname
                    FROM pg_catalog.unnest(con.conkey) WITH ORDINALITY AS k(attnum, position)
                    JOIN pg_catalog.pg_attribute AS a
                        ON a.attrelid OPERATOR(pg_catalog.=) con.conrelid
                        AND a.attnum OPERATOR(pg_catalog.=) k.attnum
                    ORDER BY k.position
                ))::pg_catalog.text AS columns,
                rn.nspname AS referenced_schema,
                r.relname AS referenced_table,
                pg_catalog.to_json(ARRAY(
                    SELECT a.attname
                    FROM pg_catalog.unnest(con.confkey) WITH ORDINALITY AS k(attnum, position)
                    JOIN pg_catalog.pg_attribute AS a
                        ON a.attrelid OPERATOR(pg_catalog.=) con.confrelid
                        AND a.attnum OPERATOR(pg_catalog.=) k.attnum
                    ORDER BY k.position
                ))::pg_catalog.text AS referenced_columns,
                \(enforced) AS enforced
            FROM pg_catalog.pg_constraint AS con
            JOIN pg_catalog.pg_class AS c
                ON c.oid OPERATOR(pg_catalog.=) con.conrelid
            JOIN pg_catalog.pg_namespace AS n
                ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
            JOIN pg_catalog.pg_class AS r
                ON r.oid OPERATOR(pg_catalog.=) con.confrelid
            JOIN pg_catalog.pg_namespace AS rn
                ON rn.oid OPERATOR(pg_catalog.=) r.relnamespace
            WHERE con.contype OPERATOR(pg_catalog.=) 'f'
                AND con.conparentid OPERATOR(pg_catalog.=) 0
                AND \(userSchemaFilter)
            ORDER BY n.nspname, c.relname, con.conname
            """)
    }
}
