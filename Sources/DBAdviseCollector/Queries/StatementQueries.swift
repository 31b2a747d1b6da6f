/// pg_stat_statements, gated by the extension's own version (its columns were renamed in 1.8
/// when planning time was split out: total_time became total_exec_time).
public enum StatementQueries {
    /// The extension's version and the schema it lives in (`CREATE EXTENSION … SCHEMA`).
    public static let installedVersion = Query(
        "pg_stat_statements version",
        """
        SELECT
            e.extversion AS version,
            n.nspname AS schema
        FROM pg_catalog.pg_extension AS e
        JOIN pg_catalog.pg_namespace AS n
            ON n.oid OPERATOR(pg_catalog.=) e.extnamespace
        WHERE e.extname OPERATOR(pg_catalog.=) 'pg_stat_statements'
        """)

    /// "1.10" → [1, 10], compared numerically ("1.10" is newer than "1.9").
    static func versionComponents(_ version: String) -> [Int] {
        version.split(separator: ".").map { Int($0) ?? 0 }
    }

    static func isAtLeast(_ version: String, _ minimum: [Int]) -> Bool {
        let parts = versionComponents(version)
        for (index, wanted) in minimum.enumerated() {
            let have = index < parts.count ? parts[index] : 0
            if have != wanted { return have > wanted }
        }
        return true
    }

    /// Counters of this database's statements, our own (marked) excluded. `$1`: include the
    /// query text (only at the end of the interval: texts can be large).
    /// `schema`: where the extension lives, quoted here (a database owner chooses its name).
    public static func counters(extensionVersion: String, schema: String) -> Query {
        let totalTime = isAtLeast(extensionVersion, [1, 8]) ? "s.total_exec_time" : "s.total_time"
        let toplevel =
            isAtLeast(extensionVersion, [1, 9]) ? "s.toplevel::pg_catalog.text" : "'true'"
        return Query(
            "statement counters",
            """
            SELECT
                s.userid::bigint AS userid,
                s.queryid::pg_catalog.text AS queryid,
                \(toplevel) AS toplevel,
                CASE WHEN $1::boolean THEN s.query END AS query,
                s.calls AS calls,
                \(totalTime) AS total_exec_time,
                s.rows AS rows,
                s.shared_blks_hit AS shared_blks_hit,
                s.shared_blks_read AS shared_blks_read
            FROM \(quotedIdentifier(schema)).pg_stat_statements AS s
            WHERE s.dbid OPERATOR(pg_catalog.=) (
                    SELECT d.oid
                    FROM pg_catalog.pg_database AS d
                    WHERE d.datname OPERATOR(pg_catalog.=) pg_catalog.current_database()
                )
                AND s.queryid IS NOT NULL
                AND pg_catalog.strpos(s.query, '\(Query.marker)') OPERATOR(pg_catalog.=) 0
            """)
    }

    /// pg_stat_statements_info (1.9+): when the statement counters were last reset.
    public static func statsReset(extensionVersion: String, schema: String) -> Query? {
        guard isAtLeast(extensionVersion, [1, 9]) else { return nil }
        return Query(
            "pg_stat_statements reset",
            """
            SELECT
                EXTRACT(EPOCH FROM i.stats_reset) AS stats_reset
            FROM \(quotedIdentifier(schema)).pg_stat_statements_info AS i
            """)
    }
}
