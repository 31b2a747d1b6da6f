import DBAdviseModel
import DBAdviseOutput
import Foundation
import Testing

@testable import DBAdviseAnalysis
@testable import DBAdviseRules

@Suite struct PartitionPlanTests {
    static let now = Date(timeIntervalSince1970: 1_795_000_000)  // 2026-11-17 UTC
    static let gigabyte = Double(BaseFixture.gigabyte)

    @Test func intervalFollowsGrowthIntoTheBand() {
        // 1 GB a day with a 16 GB ceiling: a week is 7 GB, a month 30 GB: weekly.
        #expect(PartitionSizing.timeStep(bytesPerDay: Self.gigabyte, upperBytes: 16 * Self.gigabyte) == .week)
        #expect(PartitionSizing.timeStep(bytesPerDay: 0.1 * Self.gigabyte, upperBytes: 16 * Self.gigabyte) == .quarter)
        #expect(PartitionSizing.timeStep(bytesPerDay: 40 * Self.gigabyte, upperBytes: 16 * Self.gigabyte) == .day)
        #expect(PartitionSizing.timeStep(bytesPerDay: nil, upperBytes: 16 * Self.gigabyte) == .month)
        #expect(PartitionSizing.integerWidth(bytesPerRow: 100, upperBytes: 16 * Self.gigabyte) == 100_000_000)
    }

    @Test func planAddsTheKeyToUniqueConstraintsAndSurroundsNow() {
        let plan = PartitionPlan(
            schema: "public", table: "events", column: "created_at", dataType: "timestamp with time zone",
            interval: .time(.month), primaryKey: ["id"], uniqueIndexes: [["tenant_id", "id"]],
            indexes: [["tenant_id"]], now: Self.now, retention: "90 days")
        let sql = plan.actions.joined(separator: "\n")
        #expect(sql.contains("(LIKE public.events INCLUDING ALL EXCLUDING INDEXES)"))
        #expect(sql.contains("PARTITION BY RANGE (created_at)"))
        #expect(sql.contains("ALTER TABLE public.events_partitioned ADD PRIMARY KEY (id, created_at);"))
        #expect(sql.contains("CREATE UNIQUE INDEX ON public.events_partitioned (tenant_id, id, created_at);"))
        #expect(
            sql.contains(
                "CREATE TABLE public.events_partitioned_p20261101 PARTITION OF public.events_partitioned\n    FOR VALUES FROM ('2026-11-01 00:00:00+00') TO ('2026-12-01 00:00:00+00');"
            ))
        #expect(sql.contains("events_partitioned_p20261001"), "one interval back")
        #expect(sql.contains("events_partitioned_p20270201"), "three ahead")
        #expect(sql.contains("PARTITION OF public.events_partitioned DEFAULT;"))
        #expect(
            sql.contains(
                "p_parent_table := 'public.events_partitioned',\n    p_control := 'created_at',\n    p_interval := '1 month'"
            ))
        #expect(sql.contains("SET retention = '90 days'"))
        #expect(sql.contains("LOCK TABLE public.events IN SHARE ROW EXCLUSIVE MODE;"))
        #expect(sql.contains("-- lock: "))
        #expect(sql.contains("ATTACH PARTITION"))
    }

    @Test func oddNamesAreQuoted() {
        let plan = PartitionPlan(
            schema: "Sales", table: "order", column: "When", dataType: "date", interval: .time(.week),
            primaryKey: nil, now: Self.now)
        let sql = plan.actions.joined(separator: "\n")
        #expect(sql.contains("\"Sales\".\"order\""))
        #expect(sql.contains("PARTITION BY RANGE (\"When\")"))
        #expect(!sql.contains("SET retention"), "no retention without deletes")
        #expect(sql.contains("'2026-11-16 00:00:00'"), "weeks start on Monday")
    }

    @Test func ruleSizesThePlanFromTheWriteRate() throws {
        let rule = LargeTimeSeriesTableRule()
        let verdict = rule.evaluate(
            try context { snapshot, _ in
                var events = BaseFixture.table("events", bytes: 150 * BaseFixture.gigabyte, live: 1_500_000_000)
                events.writesPerSecond = 20_000  // 100 B rows: ~160 GB a day
                events.nTupIns = 3_000_000_000
                events.nTupDel = 1_500_000_000
                snapshot.tables?.append(events)
                snapshot.columnStats = [
                    BaseFixture.column("events", "created_at", type: "timestamp with time zone", correlation: 0.99),
                    BaseFixture.column("events", "id", type: "bigint", correlation: 1),
                ]
            })
        let recommendation = try #require(verdict.recommendations.first)
        #expect(recommendation.summary.contains("Daily partitions"), "\(recommendation.summary)")
        #expect(recommendation.summary.contains("1 GB–16 GB"), "\(recommendation.summary)")
        #expect(recommendation.evidence.contains { $0.metric.rawValue == "implied_retention_days" })
        #expect(recommendation.actions.contains { $0.contains("PARTITION BY RANGE (created_at)") })
        #expect(recommendation.actions.contains { $0.contains("partman.part_config") })
    }

    /// The issue's "every 2,000,000 ids" for a 1 M-row table: the width now follows the table,
    /// so its rows fill at least four partitions.
    @Test func aSerialWidthGivesSeveralPartitions() throws {
        let verdict = LargeTimeSeriesTableRule().evaluate(
            try context { snapshot, config in
                config.thresholds[.tableSizeGB] = ThresholdLevels(key: .tableSizeGB, warning: 1, critical: 1_000)
                snapshot.tables?.append(BaseFixture.table("events", bytes: 3 * BaseFixture.gigabyte, live: 1_000_000))
                snapshot.columnStats = [BaseFixture.column("events", "id", type: "bigint", correlation: 1)]
            })
        let recommendation = try #require(verdict.recommendations.first)
        let partitions = try #require(
            recommendation.evidence.first { $0.metric.rawValue == "expected_partitions" }?.value)
        #expect(partitions >= 4, "\(recommendation.summary)")
        #expect(
            recommendation.actions.first?.contains("every 200,000 values") == true,
            "\(recommendation.actions.first ?? "")")
    }

    /// A table growing by kilobytes a day: even yearly partitions are tiny; no plan, and why.
    @Test func slowGrowthGetsNoPlanAndSaysWhy() throws {
        let verdict = LargeTimeSeriesTableRule().evaluate(
            try context { snapshot, _ in
                snapshot.tables?.append(
                    BaseFixture.table("events", bytes: 150 * BaseFixture.gigabyte, live: 1_000_000_000, writes: 0.01))
                snapshot.columnStats = [
                    BaseFixture.column("events", "created_at", type: "timestamp with time zone", correlation: 0.99)
                ]
            })
        guard case let .notTriggered(reason, _) = verdict else {
            Issue.record("a plan of tiny partitions was offered")
            return
        }
        #expect(reason.contains("no partitioning plan would help"), "\(reason)")
        #expect(reason.contains("yearly partitions of about"), "\(reason)")
        #expect(reason.contains("of at least 1 GB"), "\(reason)")
    }
}
