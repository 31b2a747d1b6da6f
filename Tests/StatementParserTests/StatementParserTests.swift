import Foundation
import StatementParser
import Testing

@Suite struct StatementParserTests {
    func parsed(_ sql: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> ParsedStatement {
        switch StatementParser.parse(sql) {
        case let .success(statement): return statement
        case let .failure(error):
            Issue.record("\(sql) did not parse: \(error)", sourceLocation: sourceLocation)
            throw error
        }
    }

    @Test func pgbenchStatements() throws {
        let lookup = try parsed("SELECT abalance FROM pgbench_accounts WHERE aid = $1")
        #expect(lookup.kind == .select)
        #expect(lookup.tablesRead == ["pgbench_accounts"])
        #expect(lookup.tablesWritten.isEmpty)
        #expect(lookup.isReadOnly)
        #expect(lookup.parameters == [.init(number: 1, column: "aid", comparison: "=")])
        #expect(lookup.keyShape == "aid = $1")
        #expect(!lookup.hasAggregates && !lookup.hasGroupBy && !lookup.hasLimit && lookup.joinCount == 0)

        let update = try parsed("UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2")
        #expect(update.kind == .update)
        #expect(update.tablesWritten == ["pgbench_accounts"])
        #expect(update.tablesRead.isEmpty)
        #expect(!update.isReadOnly)
        #expect(update.parameters.map(\.shape) == ["$1", "aid = $2"])

        let insert = try parsed(
            "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES ($1, $2, $3, $4, CURRENT_TIMESTAMP)")
        #expect(insert.kind == .insert)
        #expect(insert.tablesWritten == ["pgbench_history"])
        #expect(insert.parameters.map(\.number) == [1, 2, 3, 4])
    }

    @Test func joinsCountExplicitAndCommaJoins() throws {
        let joined = try parsed(
            "SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id LEFT JOIN notes n USING (id) WHERE o.id = $1"
        )
        #expect(joined.joinCount == 2)
        #expect(joined.tablesRead == ["customers", "notes", "orders"])
        #expect(joined.keyShape == "o.id = $1")
        let comma = try parsed("SELECT * FROM a, b WHERE a.id = b.id")
        #expect(comma.joinCount == 1)
        #expect(comma.tablesRead == ["a", "b"])
    }

    @Test func aggregatesAndGroupBy() throws {
        let report = try parsed("SELECT bid, sum(abalance) FROM pgbench_accounts GROUP BY bid")
        #expect(report.hasAggregates && report.hasGroupBy && !report.hasWindowFunctions)
        #expect(report.isReadOnly)
        #expect(try parsed("SELECT count(*) FROM t").hasAggregates)
        #expect(try parsed("SELECT my_agg(DISTINCT x) FROM t").hasAggregates)
        #expect(try parsed("SELECT percentile_cont($1) WITHIN GROUP (ORDER BY x) FROM t").hasAggregates)
        #expect(try parsed("SELECT k FROM t GROUP BY k HAVING k > $1").hasGroupBy)
        #expect(!(try parsed("SELECT lower(name) FROM t").hasAggregates))
    }

    @Test func windowFunctions() throws {
        let ranked = try parsed("SELECT id, rank() OVER (PARTITION BY k ORDER BY v) FROM t")
        #expect(ranked.hasWindowFunctions)
        #expect(!ranked.hasAggregates, "rank() OVER is a window function, not an aggregate")
        #expect(try parsed("SELECT sum(v) OVER w FROM t WINDOW w AS (ORDER BY id)").hasWindowFunctions)
    }

    @Test func cteNamesAreNotTables() throws {
        let recent = try parsed(
            "WITH recent AS (SELECT * FROM events WHERE created_at > $1) SELECT count(*) FROM recent JOIN users u ON u.id = recent.user_id"
        )
        #expect(recent.tablesRead == ["events", "users"])
        #expect(recent.isReadOnly)
        #expect(recent.joinCount == 1)
        #expect(recent.keyShape == "created_at > $1")
    }

    @Test func dataModifyingCTEIsAWrite() throws {
        let moved = try parsed(
            "WITH gone AS (DELETE FROM queue.jobs WHERE id = $1 RETURNING *) INSERT INTO archive SELECT * FROM gone")
        #expect(moved.kind == .insert)
        #expect(moved.tablesWritten == ["archive", "queue.jobs"])
        #expect(moved.tablesRead.isEmpty)
        let selecting = try parsed("WITH gone AS (DELETE FROM jobs RETURNING id) SELECT count(*) FROM gone")
        #expect(selecting.kind == .select)
        #expect(!selecting.isReadOnly, "a SELECT over a DELETE CTE writes")
        #expect(selecting.tablesWritten == ["jobs"])
    }

    @Test func lockingReadsAreNotReadOnly() throws {
        let locked = try parsed("SELECT * FROM accounts WHERE id = $1 FOR UPDATE")
        #expect(locked.kind == .select)
        #expect(!locked.isReadOnly)
        #expect(!(try parsed("SELECT * FROM jobs LIMIT $1 FOR SHARE SKIP LOCKED").isReadOnly))
        let into = try parsed("SELECT * INTO scratch.copy FROM t")
        #expect(!into.isReadOnly)
        #expect(into.tablesWritten == ["scratch.copy"])
    }

    @Test func schemaQualifiedNamesStayQualified() throws {
        let statement = try parsed("SELECT * FROM billing.invoices i JOIN public.customers c ON c.id = i.customer_id")
        #expect(statement.tablesRead == ["billing.invoices", "public.customers"])
        let merged = try parsed(
            "MERGE INTO stock.items t USING incoming s ON t.id = s.id WHEN MATCHED THEN UPDATE SET qty = s.qty")
        #expect(merged.kind == .merge)
        #expect(merged.tablesWritten == ["stock.items"])
        #expect(merged.tablesRead == ["incoming"])
    }

    @Test func limitAndFetchFirst() throws {
        #expect(try parsed("SELECT * FROM t ORDER BY id LIMIT $1").hasLimit)
        #expect(try parsed("SELECT * FROM t FETCH FIRST 3 ROWS ONLY").hasLimit)
        #expect(!(try parsed("SELECT * FROM t WHERE id IN (SELECT id FROM u LIMIT 1)").hasLimit))
        let range = try parsed("SELECT * FROM t WHERE b BETWEEN $1 AND $2 AND c IN ($3, $4) AND $5 < d")
        #expect(range.parameters.map(\.shape) == ["b BETWEEN $1", "b BETWEEN $2", "c IN $3", "c IN $4", "d > $5"])
    }

    @Test func utilityStatements() throws {
        for sql in ["BEGIN", "END", "VACUUM ANALYZE t", "SET work_mem = '64MB'", "CREATE INDEX ON t (a)"] {
            let statement = try parsed(sql)
            #expect(statement.kind == .utility, "\(sql)")
            #expect(!statement.isReadOnly, "\(sql)")
        }
        let copy = try parsed("COPY public.events FROM STDIN")
        #expect(copy.kind == .utility)
        #expect(copy.tablesWritten == ["public.events"])
        #expect(try parsed("COPY events TO STDOUT").tablesRead == ["events"])
        #expect(try parsed("-- nothing here").kind == .other)
    }

    @Test func truncatedTextIsAnErrorWithPosition() {
        let truncated = "SELECT abalance FROM pgbench_accounts WHERE aid ="
        guard case let .failure(error) = StatementParser.parse(truncated) else {
            Issue.record("a truncated statement parsed")
            return
        }
        #expect(error.message == "syntax error at end of input")
        #expect(error.cursorPosition == truncated.count + 1)
        #expect(error.description.contains("at character"))
        guard case let .failure(garbage) = StatementParser.parse("SELEC * FROM t") else {
            Issue.record("garbage parsed")
            return
        }
        #expect(garbage.message.contains("syntax error at or near \"SELEC\""))
        #expect(garbage.cursorPosition == 1)
        #expect((try? StatementParser.parse("SELECT 1\u{0}").get()) == nil)
    }

    /// libpg_query keeps its state per thread (see ``StatementParser``): parse from many at once.
    @Test func parsesConcurrently() async throws {
        let texts = (1...200).map { "SELECT v FROM t\($0 % 7) WHERE k = $1 GROUP BY v" }
        let tables = try await withThrowingTaskGroup(of: String.self) { group in
            for text in texts {
                group.addTask { try StatementParser.parse(text).get().tablesRead.joined() }
            }
            var seen: [String] = []
            for try await table in group { seen.append(table) }
            return seen
        }
        #expect(tables.count == texts.count)
        #expect(Set(tables) == Set((0..<7).map { "t\($0)" }))
    }
}

@Suite("Names a statement resolves through search_path")
struct ReferencedObjectsTests {
    func objects(_ sql: String) throws -> ReferencedObjects {
        try StatementParser.referencedObjects(sql).get()
    }

    @Test func unqualifiedNamesAreListedAsWritten() throws {
        let found = try objects(
            """
            WITH recent AS (SELECT 1 AS id)
            SELECT set_config('a', 'b', false), x::text, count(*)
            FROM pg_settings AS s, recent
            WHERE s.name = 'x' AND s.setting IN ('1', '2') AND s.name LIKE 'auto%'
                AND s.unit IS DISTINCT FROM 'kB' AND NULLIF(s.vartype, 'bool') IS NULL
                AND s.min_val BETWEEN '1' AND '2' AND s.name IN (SELECT 'y')
                AND CASE s.context WHEN 'user' THEN true END
            """)
        #expect(found.functions.sorted() == ["count", "set_config"])
        #expect(found.relations == ["pg_settings"], "a CTE is not a relation")
        #expect(found.types == ["text"])
        #expect(
            Set(found.operators)
                == [
                    "=", "IN (=)", "LIKE (~~)", "IS DISTINCT FROM (=)", "NULLIF (=)", "BETWEEN (BETWEEN)",
                    "IN (SELECT …) (=)", "CASE x WHEN (=)",
                ])
    }

    @Test func qualifiedNamesKeepTheirSchema() throws {
        let found = try objects(
            """
            SELECT pg_catalog.count(*)::pg_catalog.int8, 1::bigint
            FROM pg_catalog.pg_class AS c
            WHERE c.relname OPERATOR(pg_catalog.=) 'x'
                AND c.oid OPERATOR(pg_catalog.=) ANY ('{1}')
                AND EXTRACT(EPOCH FROM pg_catalog.now()) OPERATOR(pg_catalog.>) 0
            """)
        #expect(found.functions.sorted() == ["pg_catalog.count", "pg_catalog.extract", "pg_catalog.now"])
        #expect(found.relations == ["pg_catalog.pg_class"])
        #expect(found.types.sorted() == ["pg_catalog.int8", "pg_catalog.int8"])
        #expect(found.operators == ["pg_catalog.=", "pg_catalog.=", "pg_catalog.>"])
    }

    @Test func aSyntaxErrorIsAnError() {
        #expect(throws: StatementParseError.self) { try objects("SELECT FROM WHERE") }
    }
}
