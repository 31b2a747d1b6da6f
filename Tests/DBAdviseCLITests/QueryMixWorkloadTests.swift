import DBAdviseAnalysis
import DBAdviseModel
import DBAdviseOutput
import DBAdviseTestSupport
import Foundation
import Testing

/// Issue 7's "done when": real query mixes run by pgbench on the test server, collected and
/// analyzed by the real binary; the cache candidates and the CQRS finding must name the right
/// statements and tables, with numbers that follow from what was measured.
@Suite("query mix: cache and CQRS advice from real pg_stat_statements", .serialized, TestServer.enabled)
struct QueryMixWorkloadTests {
    /// A fresh database with the given tables, its pg_stat_statements entries reset.
    func prepare(_ database: String, _ setup: [String]) throws {
        try TestServer.freshDatabase(database)
        for statement in setup { try TestServer.psql(statement, database: database) }
        // this database only: other suites run beside this one
        try TestServer.psql(
            "SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database WHERE datname = current_database()), 0)",
            database: database)
    }

    /// A pgbench script file.
    func script(_ text: String) throws -> String {
        let file = try Shell.temporaryFile(".sql")
        try Data(text.utf8).write(to: file)
        return file.path
    }

    /// Starts each pgbench command line in the background, runs `dbadvise collect` once per
    /// interval while that load runs, then stops the load; returns the snapshots' bytes. One bash
    /// script runs it all, so the collections' timing is the script's alone.
    func collect(_ database: String, under loads: [[String]], _ collections: [(interval: String, redact: Bool)])
        throws -> [Data]
    {
        func quoted(_ word: String) -> String { "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        let dsn = try TestServer.dsn(database: database)
        let pgbench = try TestServer.binDirectory() + "/pgbench"
        let files = try collections.map { _ in try Shell.temporaryFile(".json") }
        var lines = ["set -eu", "trap 'kill $(jobs -p) 2>/dev/null || true' EXIT"]
        for load in loads {
            lines.append(([pgbench] + load + [dsn]).map(quoted).joined(separator: " ") + " >/dev/null 2>&1 &")
        }
        lines.append("sleep 1")
        for (collection, file) in zip(collections, files) {
            let arguments =
                [
                    Shell.dbadviseBinary, "collect", "--dsn", dsn, "--interval", collection.interval, "--output",
                    file.path,
                ]
                + (collection.redact ? ["--redact", "--redact-key", TestRedactionKey.path] : [])
            lines.append(arguments.map(quoted).joined(separator: " "))
        }
        let result = try Shell.script(lines.joined(separator: "\n"))
        #expect(result.status == 0, "\(result.stderr)")
        return try files.map { try Data(contentsOf: $0) }
    }

    /// A collected snapshot, checked against the schema (once the load is over: the check is slow).
    func decoded(_ data: Data) throws -> Snapshot {
        try SchemaValidator.validate(data, schema: "snapshot.schema.json")
        return try SnapshotCoding.decoder().decode(Snapshot.self, from: data)
    }

    /// A primary that is busy at this test's load: one vCPU kept under a tenth of a session.
    /// Caches and read models take load off a primary that needs it (issue 15); the test's load
    /// is small, so the machine it is judged against is made small too.
    static let busyMachine = """
        hardware: {vcpus: 1}
        thresholds:
          active_sessions_per_vcpu: {warning: 0.02, critical: 0.04}
        """

    /// `dbadvise analyze --input FILE --format json`, checked against the report schema.
    func analyze(_ data: Data, config: String? = nil) throws -> (Report, String) {
        let file = try Shell.temporaryFile(".json")
        try data.write(to: file)
        let configArguments = try config.map { ["--config", try Shell.configFile($0)] } ?? []
        let result = try Shell.dbadvise(["analyze", "--input", file.path, "--format", "json"] + configArguments)
        #expect(result.status == 0, "\(result.stderr)")
        try SchemaValidator.validate(Data(result.stdout.utf8), schema: "report.schema.json")
        return (try ReportCoding.decoder().decode(Report.self, from: Data(result.stdout.utf8)), result.stdout)
    }

    func statements(_ snapshot: Snapshot) -> [Statement] {
        (snapshot.statements.topByCalls ?? []) + (snapshot.statements.topByTotalTime ?? [])
    }

    func value(_ metric: String, in recommendation: Recommendation) -> Double? {
        recommendation.evidence.first { $0.metric.rawValue == metric }?.value
    }

    /// Thousands of lookups by key a second on `products`, written once every two seconds;
    /// collected twice under that load (5 s plain, 5 s redacted: settled windows).
    @Test func hotLookupOnARarelyWrittenTableIsTheTopCacheCandidate() throws {
        let database = "query_mix_cache"
        try prepare(
            database,
            [
                "CREATE TABLE products (id int PRIMARY KEY, name text NOT NULL, price numeric NOT NULL, category int NOT NULL)",
                "INSERT INTO products SELECT g, 'product ' || g, g % 100, g % 20 FROM generate_series(1, 10000) AS g",
                "VACUUM ANALYZE products",
            ])
        let lookup = try script("\\set id random(1, 10000)\nSELECT name, price FROM products WHERE id = :id;\n")
        let price = try script("\\set id random(1, 10000)\nSELECT price FROM products WHERE id = :id;\n")
        let writer = try script(
            "\\set id random(1, 10000)\nUPDATE products SET price = price + 1 WHERE id = :id;\n\\sleep 2 s\n")
        let snapshots = try collect(
            database,
            under: [
                ["-n", "-T", "30", "-c", "2", "-j", "2", "-f", "\(lookup)@9", "-f", "\(price)@1"],
                ["-n", "-T", "30", "-c", "1", "-f", writer],
            ], [("5s", false), ("5s", true)])
        let data = snapshots[0]
        let redactedData = snapshots[1]
        let snapshot = try decoded(data)
        let redacted = try decoded(redactedData)

        // pg_stat_statements normalized the constant pgbench sent, and collect parsed the text
        let hot = try #require(
            statements(snapshot).first { $0.query == "SELECT name, price FROM products WHERE id = $1" })
        #expect(hot.shape?.tablesRead == ["products"])
        #expect(hot.shape?.parameters == [.init(number: 1, column: "id", comparison: "=")])
        #expect(!statements(snapshot).contains { $0.query?.contains("WHERE id = 1") == true })

        // On a roomy primary (64 vCPUs) a cache is offered only for a statement that keeps a
        // whole session busy by itself, with that load in its evidence.
        let (roomy, _) = try analyze(data, config: "hardware: {vcpus: 64}")
        for offered in roomy.recommendations where offered.strategy == .cache {
            #expect((value("busy_sessions_removed", in: offered) ?? 0) >= 1, "\(offered.evidence)")
        }
        if !roomy.recommendations.contains(where: { $0.strategy == .cache }) {
            #expect(roomy.notRecommended.first { $0.strategy == .cache }?.reason.contains("headroom") == true)
        }

        let (report, _) = try analyze(data, config: Self.busyMachine)
        let cache = report.recommendations.filter { $0.strategy == .cache }
        let top = try #require(cache.first, "no cache candidate: \(report.notRecommended.map(\.reason))")
        #expect(top.target == "public.products")
        let calls = try #require(top.evidence.first { $0.metric.rawValue == "calls_per_second" })
        #expect(calls.note?.hasPrefix("queryid \(hot.queryid):") == true, "top candidate: \(calls.note ?? "")")
        // calls/s and TTL follow from the measured numbers
        let seconds = try #require(snapshot.interval.rateSeconds)
        let measuredCalls = Double(hot.calls) / seconds
        #expect(abs((calls.value ?? 0) - measuredCalls) <= max(0.01, measuredCalls * 1e-4))
        #expect(measuredCalls >= 500, "thousands of lookups a second, not \(measuredCalls)")
        let products = try #require(snapshot.tables?.first { $0.name == "products" })
        let tableWrites = try #require(products.writesPerSecond)
        // the rule's documented starting TTL: 0.5 × the time between writes, within 1–300 s
        let ttl = tableWrites > 0 ? min(300, max(1, 0.5 / tableWrites)) : 300
        #expect(abs((value("starting_ttl_seconds", in: top) ?? -1) - ttl) < 0.001, "writes/s \(tableWrites)")
        #expect(top.actions.contains { $0.contains("Key it by its parameters: id = $1.") })
        #expect(top.actions.contains { $0.contains("SELECT name, price FROM products WHERE id = $1") })
        let share = try #require(value("statement_time_share", in: top))
        let total = try #require(snapshot.statements.totalExecTimeMs)
        #expect(abs(share - hot.totalExecTimeMs / total) < 0.001)
        #expect(top.actions.contains { $0.contains("up to \(Formatting.rate(calls.value ?? 0)) calls/s") })

        // the query mix: products read by point reads, written by the UPDATE, beside its own rates
        let mix = try #require(report.queryMix?.table("public.products"))
        #expect(mix.share(.pointRead)?.queryids.contains(hot.queryid) == true)
        #expect(mix.share(.write)?.queryids.count == 1)
        #expect(mix.writesPerSecond == tableWrites)
        #expect(report.recommendations.allSatisfy { $0.strategy != .cqrs })

        // redacted: no text and no name, the same candidate under hashed names
        let redactedText = String(decoding: redactedData, as: UTF8.self)
        for secret in ["products", "price", "\"query\"", database] {
            #expect(!redactedText.contains(secret), "\(secret) in a redacted snapshot")
        }
        let hidden = try #require(statements(redacted).first { $0.queryid == hot.queryid })
        #expect(hidden.shape?.tablesRead == [testRedactionKey.pseudonym("products")])
        let (hiddenReport, hiddenJSON) = try analyze(redactedData, config: Self.busyMachine)
        let hiddenTop = try #require(hiddenReport.recommendations.first { $0.strategy == .cache })
        #expect(hiddenTop.target == "\(testRedactionKey.pseudonym("public")).\(testRedactionKey.pseudonym("products"))")
        #expect(
            hiddenTop.evidence.first { $0.metric.rawValue == "calls_per_second" }?.note?
                .hasPrefix("queryid \(hot.queryid):")
                == true)
        #expect(
            hiddenTop.actions.contains {
                $0.contains("Key it by its parameters: \(testRedactionKey.pseudonym("id")) = $1.")
            })
        for secret in ["products", "price", "name,"] {
            #expect(!hiddenJSON.contains(secret), "\(secret) in the report of a redacted snapshot")
        }
    }

    /// GROUP BY reports over `orders` while two clients insert and update it.
    @Test func reportsBesideWritesOnTheSameTableGetCQRS() throws {
        let database = "query_mix_cqrs"
        try prepare(
            database,
            [
                """
                CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id int NOT NULL, amount numeric NOT NULL,
                    created_at timestamptz NOT NULL DEFAULT now())
                """,
                """
                INSERT INTO orders (customer_id, amount, created_at)
                SELECT g % 500, (g % 1000) / 10.0, now() - g * interval '1 second' FROM generate_series(1, 200000) AS g
                """,
                "VACUUM ANALYZE orders",
            ])
        let writer = try script(
            """
            \\set c random(1, 500)
            \\set id random(1, 200000)
            INSERT INTO orders (customer_id, amount) VALUES (:c, 12.5);
            UPDATE orders SET amount = amount + 1 WHERE id = :id;

            """)
        let reports = try script(
            """
            SELECT customer_id, sum(amount) AS revenue, count(*) AS orders FROM orders GROUP BY customer_id ORDER BY revenue DESC LIMIT 20;
            SELECT date_trunc('hour', created_at) AS hour, count(*) FROM orders GROUP BY 1;

            """)
        let data = try collect(
            database,
            under: [
                ["-n", "-T", "30", "-c", "2", "-j", "2", "-f", writer],
                ["-n", "-T", "30", "-c", "1", "-f", reports],
            ], [("5s", false)])[0]
        let snapshot = try decoded(data)

        let all = statements(snapshot)
        let reportIds = Set(all.filter { $0.shape?.hasGroupBy == true }.map(\.queryid))
        let writeIds = Set(all.filter { $0.shape?.tablesWritten == ["orders"] }.map(\.queryid))
        #expect(reportIds.count == 2, "\(all.compactMap(\.query))")
        #expect(writeIds.count == 2)
        #expect(all.contains { $0.query?.contains("date_trunc($1, created_at)") == true }, "'hour' normalized")

        let (report, _) = try analyze(data, config: Self.busyMachine)
        let cqrs = try #require(
            report.recommendations.first { $0.strategy == .cqrs },
            "no CQRS: \(report.notRecommended.first { $0.strategy == .cqrs }?.reason ?? "")")
        #expect(cqrs.target == "public.orders")
        let named = Set(
            cqrs.evidence.filter { $0.metric.rawValue == "statement_time_share" }.compactMap { evidence in
                evidence.note?.split(separator: ",").first?.split(separator: ":").first.map {
                    String($0.dropFirst("queryid ".count))
                }
            })
        #expect(named == reportIds)
        for id in reportIds {
            #expect(cqrs.actions.contains { $0.contains(id) }, "action names \(id)")
        }
        for id in writeIds {
            #expect(!cqrs.actions.contains { $0.contains(id) }, "a write is no report: \(id)")
        }
        // shares follow from the statements' measured times
        let total = try #require(snapshot.statements.totalExecTimeMs)
        let reportMs = all.filter { reportIds.contains($0.queryid) }.reduce(into: [String: Double]()) {
            $0[$1.queryid] = $1.totalExecTimeMs
        }.values.reduce(0, +)
        #expect(abs((value("analytic_time_share", in: cqrs) ?? 0) - reportMs / total) < 0.001)

        let mix = try #require(report.queryMix?.table("public.orders"))
        #expect(Set(mix.share(.analytic)?.queryids ?? []) == reportIds)
        #expect(Set(mix.share(.write)?.queryids ?? []) == writeIds)
        #expect(mix.writesPerSecond == snapshot.tables?.first { $0.name == "orders" }?.writesPerSecond)
        #expect(report.recommendations.allSatisfy { $0.strategy != .cache })
    }

    /// Inserts, updates and deletes only.
    @Test func aWriteOnlyWorkloadGetsNeitherCacheNorCQRS() throws {
        let database = "query_mix_writes"
        try prepare(
            database,
            [
                "CREATE TABLE events (id bigserial PRIMARY KEY, kind int NOT NULL, payload text NOT NULL)",
                "INSERT INTO events (kind, payload) SELECT g % 100, 'seed' FROM generate_series(1, 10000) AS g",
            ])
        let writer = try script(
            """
            \\set k random(1, 100)
            \\set id random(1, 10000)
            INSERT INTO events (kind, payload) VALUES (:k, 'new');
            UPDATE events SET payload = 'changed' WHERE id = :id;
            DELETE FROM events WHERE id = :id + 100000000;

            """)
        let data = try collect(
            database, under: [["-n", "-T", "30", "-c", "2", "-j", "2", "-f", writer]], [("3s", false)])[0]
        let snapshot = try decoded(data)
        #expect(statements(snapshot).allSatisfy { $0.shape?.isReadOnly == false })

        let (report, _) = try analyze(data)
        #expect(!report.recommendations.contains { $0.strategy == .cache || $0.strategy == .cqrs })
        let quiet = Set(report.notRecommended.map(\.strategy))
        #expect(quiet.isSuperset(of: [.cache, .cqrs]))
        let mix = try #require(report.queryMix)
        #expect(mix.classes.map(\.statementClass) == [.write])
        #expect(mix.table("public.events")?.share(.write)?.queryids.count == 3)
    }
}
