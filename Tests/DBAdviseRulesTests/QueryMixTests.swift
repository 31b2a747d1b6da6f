import DBAdviseModel
import DBAdviseOutput
import Foundation
import Testing

@testable import DBAdviseAnalysis
@testable import DBAdviseRules

/// The per-table query mix, and the advice on redacted snapshots that keep parsed shapes.
@Suite struct QueryMixTests {
    /// `SELECT name, price FROM products WHERE id = $1` as collect stores it next to its text.
    static let lookupShape = StatementShape(
        kind: .select, tablesRead: ["products"], isReadOnly: true,
        parameters: [.init(number: 1, column: "id", comparison: "=")])

    static let lookup = Statement(
        queryid: "700", query: "SELECT name, price FROM products WHERE id = $1", calls: 10_000,
        totalExecTimeMs: 6_000, meanExecTimeMs: 0.6, rows: 10_000, sharedBlksHit: 30_000, sharedBlksRead: 0,
        shape: lookupShape)

    /// The pgbench fixture plus a hot lookup on `products`, written every 2 s.
    func lookupContext() throws -> RuleContext {
        try context { snapshot, _ in
            busyPrimary(&snapshot)
            snapshot.tables?.append(BaseFixture.table("products", bytes: 100_000_000, writes: 0.5, reads: 1_000))
            snapshot.statements.topByCalls = [Self.lookup]
        }
    }

    func redacted(_ context: RuleContext) -> RuleContext {
        RuleContext(latest: testRedaction(context.snapshot), config: context.config)
    }

    @Test func perTableClassesBesideTheMeasuredRates() throws {
        let context = try context()
        let mix = try #require(QueryMixBuilder.build(context))
        #expect(mix.statements == 7)
        #expect(mix.unparsedStatements == 0 && mix.unreadableStatements == 0)
        #expect(mix.notes.isEmpty)
        #expect(mix.classes.map(\.statementClass) == [.pointRead, .write, .utility])
        #expect(mix.tables.first?.table == "public.pgbench_accounts", "the most statement time first")

        let accounts = try #require(mix.table("public.pgbench_accounts"))
        #expect(accounts.classes.map(\.statementClass) == [.pointRead, .write])
        let lookup = try #require(context.statements.first { $0.query?.hasPrefix("SELECT abalance") == true })
        let reads = try #require(accounts.share(.pointRead))
        #expect(reads.queryids == [lookup.queryid])
        let seconds = try #require(context.intervalSeconds)
        #expect(abs((reads.callsPerSecond ?? 0) - Double(lookup.calls) / seconds) < 0.0001)
        let share = lookup.totalExecTimeMs / (try #require(context.totalStatementTimeMs))
        #expect(abs((reads.timeShare ?? 0) - share) < 0.0001)
        let table = try #require(context.table("public.pgbench_accounts"))
        #expect(accounts.writesPerSecond == table.writesPerSecond)
        #expect(accounts.readsPerSecond == table.readsPerSecond)
        #expect(accounts.summary.hasPrefix("statements naming it: 1 point read ("))
        #expect(accounts.summary.contains("pg_stat_user_tables: 296 rows written/s"))

        // BEGIN and END name no table
        #expect(!mix.tables.contains { $0.share(.utility) != nil })
        let history = try #require(mix.table("public.pgbench_history"))
        #expect(history.classes.map(\.statementClass) == [.write])
    }

    @Test func namesThatAreNoTableAndUnknownIntervalsAreNoted() throws {
        let context = try context { snapshot, _ in
            snapshot.interval.rateSeconds = nil
            snapshot.statements.topByCalls = [
                Statement(
                    queryid: "800", query: "SELECT count(*) FROM order_totals", calls: 10, totalExecTimeMs: 100,
                    meanExecTimeMs: 10, rows: 10, sharedBlksHit: 100, sharedBlksRead: 0)
            ]
        }
        let mix = try #require(QueryMixBuilder.build(context))
        #expect(mix.notes.contains { $0.contains("no table of the snapshot") && $0.contains("order_totals") })
        #expect(mix.notes.contains { $0.hasPrefix("calls per second unknown") })
        #expect(mix.tables.allSatisfy { table in table.classes.allSatisfy { $0.callsPerSecond == nil } })
    }

    @Test func theReportCarriesTheMixOrSaysWhyNot() throws {
        let withMix = try report()
        #expect(withMix.queryMix?.tables.isEmpty == false)
        let without = try report { snapshot, _ in
            snapshot.statements = StatementStats(available: false, reason: "pg_stat_statements is not installed")
        }
        #expect(without.queryMix == nil)
        #expect(without.notes.contains { $0.metric.rawValue == "query_mix" && $0.reason.contains("not installed") })
        let json = String(decoding: try ReportCoding.encoder().encode(without), as: UTF8.self)
        #expect(json.contains("\"query_mix\" : null"))
    }

    @Test func theShapeIsUsedBeforeTheTextAndParseErrorsAreCounted() throws {
        let context = try context { snapshot, _ in
            snapshot.tables?.append(BaseFixture.table("products", bytes: 100_000_000, writes: 0.5, reads: 1_000))
            var stored = Self.lookup
            stored.query = "this text is not what is classified"
            var broken = Self.lookup
            broken.queryid = "701"
            broken.query = nil
            broken.shape = nil
            broken.parseError = "syntax error at end of input at character 40"
            snapshot.statements.topByCalls = [stored, broken]
        }
        let classification = StatementClassifier.classify(context)
        #expect(classification.of(.pointRead).map(\.statement.queryid).contains("700"))
        #expect(classification.unparsed.map(\.queryid) == ["701"])
        #expect(classification.unparsed.first?.error.message == "syntax error at end of input at character 40")
    }

    @Test func redactionHashesTheShapeAndDropsTextAndParserMessages() throws {
        var snapshot = try lookupContext().snapshot
        snapshot.statements.topByCalls?.append(
            Statement(
                queryid: "701", query: "SELECT 'secret' FROM products WHERE", calls: 1, totalExecTimeMs: 1,
                meanExecTimeMs: 1, rows: 0, sharedBlksHit: 0, sharedBlksRead: 0,
                parseError: "syntax error at or near \"secret\""))
        let hidden = testRedaction(snapshot)
        let statements = try #require(hidden.statements.topByCalls)
        #expect(statements.allSatisfy { $0.query == nil })
        let shape = try #require(statements.first?.shape)
        #expect(shape.tablesRead == [testRedactionKey.pseudonym("products")])
        #expect(shape.parameters == [.init(number: 1, column: testRedactionKey.pseudonym("id"), comparison: "=")])
        #expect(shape.kind == .select && shape.isReadOnly)
        #expect(statements.last?.parseError == SnapshotRedactor.redactedParseError)
        let json = String(decoding: try SnapshotCoding.encoder().encode(hidden), as: UTF8.self)
        for secret in ["secret", "products", "price", "\"query\""] {
            #expect(!json.contains(secret), "\(secret) left in a redacted snapshot")
        }
        // schema.table and alias.column names hash part by part, like the tables themselves
        let qualified = StatementShape(
            kind: .select, tablesRead: ["shop.orders"], parameters: [.init(number: 1, column: "o.id", comparison: "=")]
        ).renamed(testRedactionKey.pseudonym)
        #expect(
            qualified.tablesRead == ["\(testRedactionKey.pseudonym("shop")).\(testRedactionKey.pseudonym("orders"))"])
        #expect(qualified.parameters.first?.column?.split(separator: ".").count == 2)
    }

    @Test func aRedactedSnapshotKeepsTheCacheAdviceWithHashedNames() throws {
        let plain = try lookupContext()
        let hidden = redacted(plain)
        #expect(hidden.statementsUnavailableReason == nil)
        guard case let .recommend(before) = HotRepeatedReadsRule().evaluate(plain),
            case let .recommend(after) = HotRepeatedReadsRule().evaluate(hidden)
        else {
            Issue.record("no cache recommendation")
            return
        }
        let products = "\(testRedactionKey.pseudonym("public")).\(testRedactionKey.pseudonym("products"))"
        let advice = try #require(after.first)
        #expect(before.first?.target == "public.products")
        #expect(advice.target == products)
        #expect(
            advice.actions.contains {
                $0.contains("Key it by its parameters: \(testRedactionKey.pseudonym("id")) = $1.")
            })
        // the same numbers, names aside
        for metric in ["calls_per_second", "starting_ttl_seconds", "statement_time_share", "table_writes_per_read"] {
            #expect(
                advice.evidence.first { $0.metric.rawValue == metric }?.value
                    == before.first?.evidence.first { $0.metric.rawValue == metric }?.value, "\(metric)")
        }
        let text = ([advice.summary] + advice.actions + advice.evidence.compactMap(\.note)).joined(separator: "\n")
        #expect(!text.contains("products") && !text.contains("price"))
        #expect(text.contains("text redacted"))
        // old redacted snapshots, without shapes, still say why nothing can be told
        var bare = hidden.snapshot
        bare.statements.topByCalls = bare.statements.topByCalls?.map { statement in
            var statement = statement
            statement.shape = nil
            return statement
        }
        bare.statements.topByTotalTime = []
        let old = RuleContext(latest: bare, config: hidden.config)
        #expect(old.statementsUnavailableReason?.contains("no parsed shapes") == true)
    }

    @Test func cacheAndCQRSFindingsShowTheTablesMix() throws {
        guard case let .recommend(cache) = HotRepeatedReadsRule().evaluate(try lookupContext()) else {
            Issue.record("no cache recommendation")
            return
        }
        let products = try #require(cache.first?.evidence.first { $0.metric.rawValue == "table_writes_per_second" })
        #expect(products.value == 0.5)
        #expect(products.note?.hasPrefix("public.products: statements naming it: 1 point read (") == true)

        let report = try context { snapshot, _ in
            busyPrimary(&snapshot)
            snapshot.statements.topByTotalTime?.append(
                Statement(
                    queryid: "900", query: "SELECT bid, sum(abalance) FROM pgbench_accounts GROUP BY bid", calls: 50,
                    totalExecTimeMs: 4_000, meanExecTimeMs: 80, rows: 50, sharedBlksHit: 100_000,
                    sharedBlksRead: 50_000))
        }
        guard case let .recommend(cqrs) = AnalyticsOnHotTablesRule().evaluate(report) else {
            Issue.record("no CQRS recommendation")
            return
        }
        let accounts = try #require(cqrs.first { $0.target == "public.pgbench_accounts" })
        let writes = try #require(accounts.evidence.first { $0.metric.rawValue == "table_writes_per_second" })
        let measured = try #require(report.table("public.pgbench_accounts")?.writesPerSecond)
        #expect(abs((writes.value ?? 0) - measured) < 0.001, "evidence keeps four decimals")
        #expect(writes.note?.contains("1 analytic read (") == true)
        #expect(writes.note?.contains("1 write (") == true)
    }
}
