import DBAdviseModel
import DBAdviseOutput
import Testing

@testable import DBAdviseAnalysis
@testable import DBAdviseRules

/// The parser-based classification and the numbers the cache and CQRS advice print.
@Suite struct StatementClassificationTests {
    func lookupContext(query: String, tableWrites: Double = 0.5) throws -> RuleContext {
        try context { snapshot, _ in
            busyPrimary(&snapshot)
            snapshot.tables?.append(
                BaseFixture.table("products", bytes: 100_000_000, writes: tableWrites, reads: 1_000))
            snapshot.statements.topByCalls = [
                Statement(
                    queryid: "700", query: query, calls: 10_000, totalExecTimeMs: 6_000, meanExecTimeMs: 0.6,
                    rows: 10_000, sharedBlksHit: 30_000, sharedBlksRead: 0),
                Statement(
                    queryid: "799", query: "SELECT name FROM products WHERE", calls: 10, totalExecTimeMs: 1,
                    meanExecTimeMs: 0.1, rows: 10, sharedBlksHit: 10, sharedBlksRead: 0),
            ]
        }
    }

    @Test func classifiesThePgbenchMix() throws {
        let classification = StatementClassifier.classify(try context())
        let kinds = Dictionary(
            classification.statements.map {
                ($0.parsed.tablesWritten.first ?? $0.parsed.tablesRead.first ?? "-", $0.kind)
            },
            uniquingKeysWith: { first, _ in first })
        #expect(kinds["pgbench_accounts"] != nil)
        #expect(
            classification.of(.pointRead).map(\.statement.query) == [
                "SELECT abalance FROM pgbench_accounts WHERE aid = $1"
            ])
        #expect(classification.of(.write).count == 4)
        #expect(classification.of(.utility).count == 2, "BEGIN and END")
        #expect(classification.unparsed.isEmpty)
        #expect(classification.unparsedEvidence == nil)
    }

    @Test func unparsableStatementsAreCountedInTheEvidence() throws {
        let context = try lookupContext(query: "SELECT name, price FROM products WHERE id = $1")
        let classification = StatementClassifier.classify(context)
        #expect(classification.unparsed.map(\.queryid) == ["799"])
        #expect(classification.unparsed.first?.error.message == "syntax error at end of input")
        guard case let .recommend(found) = HotRepeatedReadsRule().evaluate(context) else {
            Issue.record("no cache recommendation")
            return
        }
        let unparsed = try #require(found.first?.evidence.first { $0.metric.rawValue == "unparsed_statements" })
        #expect(unparsed.value == 1)
        #expect(unparsed.note?.contains("queryid 799") == true)
    }

    @Test func cacheAdviceShowsKeyTTLAndLoadRemoved() throws {
        // products is written 0.5 times a second: every 2 s, so the TTL starts at 1 s.
        let context = try lookupContext(query: "SELECT name, price FROM products WHERE id = $1")
        guard case let .recommend(found) = HotRepeatedReadsRule().evaluate(context) else {
            Issue.record("no cache recommendation")
            return
        }
        let advice = try #require(found.first)
        #expect(advice.target == "public.products")
        #expect(advice.evidence.first { $0.metric.rawValue == "starting_ttl_seconds" }?.value == 1)
        #expect(advice.actions.contains { $0.contains("Key it by its parameters: id = $1.") })
        #expect(advice.actions.contains { $0.contains("SELECT name, price FROM products WHERE id = $1") })
        #expect(advice.actions.contains { $0.hasPrefix("Expected load removed: up to") })
        #expect(HotRepeatedReadsRule.startingTTL(writesPerSecond: 0.5) == 1)
        #expect(HotRepeatedReadsRule.startingTTL(writesPerSecond: 0.01) == 50)
        #expect(HotRepeatedReadsRule.startingTTL(writesPerSecond: 0) == 300)
        #expect(HotRepeatedReadsRule.startingTTL(writesPerSecond: 100) == 1)
    }

    @Test func cqrsListsStatementsAndPicksTheReadModelByFreshness() throws {
        // 50 calls over the 5 s fixture interval: every 0.1 s, fresher than any replica.
        let context = try context { snapshot, _ in
            busyPrimary(&snapshot)
            snapshot.statements.topByTotalTime?.append(
                Statement(
                    queryid: "900",
                    query:
                        "SELECT b.bid, avg(a.abalance) FROM pgbench_accounts a JOIN pgbench_branches b ON a.bid = b.bid GROUP BY b.bid",
                    calls: 50, totalExecTimeMs: 4_000, meanExecTimeMs: 80, rows: 50, sharedBlksHit: 100_000,
                    sharedBlksRead: 50_000))
        }
        guard case let .recommend(found) = AnalyticsOnHotTablesRule().evaluate(context) else {
            Issue.record("no CQRS recommendation")
            return
        }
        #expect(Set(found.map(\.target)) == ["public.pgbench_accounts", "public.pgbench_branches"])
        let accounts = try #require(found.first { $0.target == "public.pgbench_accounts" })
        #expect(
            accounts.evidence.contains {
                $0.metric.rawValue == "statement_time_share" && $0.note?.hasPrefix("queryid 900") == true
            })
        let blocks = try #require(accounts.evidence.first { $0.metric.rawValue == "analytic_block_share" }?.value)
        #expect(blocks > 0.5, "the report reads most of the tracked blocks")
        #expect(accounts.actions.first?.contains("fresher than a replica") == true)
    }
}
