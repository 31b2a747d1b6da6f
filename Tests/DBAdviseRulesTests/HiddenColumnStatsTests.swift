import DBAdviseModel
import DBAdviseOutput
import Testing

@testable import DBAdviseAnalysis
@testable import DBAdviseRules

/// A large table whose column statistics pg_stats hid from the collecting role: its time order
/// and key are unknown, and the partitioning advice says so with the grant, never "no
/// time-ordered column; add created_at".
@Suite struct HiddenColumnStatsTests {
    @Test func partitionAdviceSaysUnknownWithTheGrant() throws {
        let hidden = try context { snapshot, _ in hideColumnStats(of: "events", &snapshot) }
        guard case let .recommend(found) = LargeTableRule().evaluate(hidden) else {
            Issue.record("partition-large-table stayed quiet")
            return
        }
        let events = try #require(found.first { $0.target == "public.events" })
        #expect(
            events.summary.hasSuffix(
                "its partition key is unknown (column statistics hidden: pg_stats shows only tables the role may SELECT; grant SELECT on public.events, or the role pg_read_all_data (PostgreSQL 14+))."
            ), "\(events.summary)")
        #expect(!events.summary.contains("no time-ordered column"))
        #expect(!events.actions.contains { $0.contains("add a created_at") })
        #expect(events.evidence.contains { $0.metric.rawValue == "column_stats_hidden" && $0.value == nil })

        guard case let .notTriggered(reason, _) = LargeTimeSeriesTableRule().evaluate(hidden) else {
            Issue.record("partition-large-time-series triggered on statistics it could not see")
            return
        }
        #expect(reason.hasPrefix("time order unknown for public.events (column statistics hidden: "), "\(reason)")
        #expect(!reason.contains("no time-ordered column"), "\(reason)")
    }

    /// The same table seen: its time order decides, as before.
    @Test func visibleStatisticsDecideAsBefore() throws {
        let seen = try context { snapshot, _ in
            hideColumnStats(of: "events", &snapshot)
            snapshot.unavailable = []
            snapshot.columnStats = [
                BaseFixture.column("events", "created_at", type: "timestamp with time zone", correlation: 1)
            ]
        }
        guard case let .recommend(found) = LargeTimeSeriesTableRule().evaluate(seen) else {
            Issue.record("partition-large-time-series stayed quiet on a time-ordered table")
            return
        }
        #expect(found.first?.target == "public.events")
        // the same columns without statistics and nothing hidden: no time order, said as before
        let unanalyzed = try context { snapshot, _ in
            hideColumnStats(of: "events", &snapshot)
            snapshot.unavailable = []
        }
        guard case let .recommend(plain) = LargeTableRule().evaluate(unanalyzed) else {
            Issue.record("partition-large-table stayed quiet")
            return
        }
        #expect(plain.first?.summary.hasSuffix("with no time-ordered column.") == true)
    }
}
