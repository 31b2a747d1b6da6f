import DBAdviseCollector
import DBAdviseModel
import DBAdviseTestSupport
import Foundation
import Testing

/// What pg_stat_statements keeps of a statement's constants, the shape collect parses from each
/// text, and what `--redact` leaves of both.
@Suite("collect: statement texts, shapes and redaction", .serialized, TestServer.enabled)
struct StatementTextTests {
    static let database = "collect_statement_texts"

    @Test func textsAreNormalizedShapesParsedAndRedactionDropsEveryLiteral() throws {
        let dsn = try TestServer.freshDatabase(Self.database)
        for statement in [
            "CREATE TABLE customers (id int PRIMARY KEY, email text NOT NULL)",
            "INSERT INTO customers VALUES (1, 'alice@secret.example')",
            "SELECT id FROM customers WHERE email = 'bob@secret.example'",
            // utility statements: pg_stat_statements (track_utility) keeps their text as written
            "COMMENT ON TABLE customers IS 'carol@secret.example'",
            "SET work_mem = '4242kB'",
        ] {
            try TestServer.psql(statement, database: Self.database)
        }
        let snapshot = try collect(dsn, interval: 0)
        try validateAgainstSchema(snapshot)
        guard TestServer.hasPgStatStatements else {
            // a build without contrib (the PyPI PostgreSQL 16): no texts, and the reason says so
            #expect(!snapshot.statements.available)
            #expect(snapshot.statements.reason?.contains("pg_stat_statements") == true)
            #expect(snapshot.statements.topByTotalTime == nil && snapshot.statements.topByCalls == nil)
            return
        }
        let statements = (snapshot.statements.topByTotalTime ?? []) + (snapshot.statements.topByCalls ?? [])
        let texts = statements.compactMap(\.query)

        // planned statements are normalized: every constant is a $n placeholder
        #expect(texts.contains("SELECT id FROM customers WHERE email = $1"), "\(texts)")
        #expect(texts.contains("INSERT INTO customers VALUES ($1, $2)"), "\(texts)")
        #expect(!texts.contains { $0.contains("alice@") || $0.contains("bob@") })
        // utility statements are not (before PostgreSQL 16 none of them): why --redact drops texts
        let comment = try #require(texts.first { $0.hasPrefix("COMMENT ON TABLE") })
        if snapshot.server.versionNum < 160_000 {
            #expect(comment.contains("carol@secret.example"))
        }

        let lookup = try #require(statements.first { $0.query == "SELECT id FROM customers WHERE email = $1" })
        #expect(lookup.parseError == nil)
        let shape = try #require(lookup.shape)
        #expect(shape.kind == .select && shape.isReadOnly)
        #expect(shape.tablesRead == ["customers"])
        #expect(shape.parameters == [.init(number: 1, column: "email", comparison: "=")])
        let insert = try #require(statements.first { $0.query?.hasPrefix("INSERT INTO customers") == true })
        #expect(insert.shape?.tablesWritten == ["customers"])
        #expect(statements.allSatisfy { $0.shape != nil || $0.parseError != nil })

        let redacted = testRedaction(snapshot)
        try validateAgainstSchema(redacted)
        let json = String(decoding: try SnapshotCoding.encoder().encode(redacted), as: UTF8.self)
        for secret in ["secret.example", "4242kB", "customers", "email", "\"query\""] {
            #expect(!json.contains(secret), "\(secret) left in a redacted snapshot")
        }
        let hidden = try #require(
            ((redacted.statements.topByTotalTime ?? []) + (redacted.statements.topByCalls ?? []))
                .first { $0.queryid == lookup.queryid })
        #expect(hidden.shape?.tablesRead == [testRedactionKey.pseudonym("customers")])
        #expect(hidden.shape?.parameters.first?.column == testRedactionKey.pseudonym("email"))
        #expect(redacted.tables?.contains { $0.name == testRedactionKey.pseudonym("customers") } == true)
    }
}
