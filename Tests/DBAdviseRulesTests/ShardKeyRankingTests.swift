import DBAdviseCore
import Testing

@testable import DBAdviseRules

/// A multi-tenant schema where the right distribution column is known.
@Suite struct ShardKeyRankingTests {
    static func stats(
        _ table: String, _ column: String, type: String = "bigint", distinct: Double, commonFreq: Double,
        nulls: Double = 0
    ) -> ColumnStats {
        var stats = BaseFixture.column(table, column, type: type, correlation: 0.1)
        stats.nDistinct = distinct
        stats.mostCommonFreq = commonFreq
        stats.nullFrac = nulls
        return stats
    }

    static func multiTenant() throws -> Snapshot {
        var snapshot = try BaseFixture.snapshot()
        let gigabyte = BaseFixture.gigabyte
        snapshot.tables = [
            BaseFixture.table("events", bytes: 900 * gigabyte, live: 9_000_000_000),
            BaseFixture.table("orders", bytes: 400 * gigabyte, live: 2_000_000_000),
            BaseFixture.table("line_items", bytes: 300 * gigabyte, live: 3_000_000_000),
            BaseFixture.table("plans", bytes: 1_000_000, live: 10),
            BaseFixture.table("countries", bytes: 100_000, live: 250),
        ]
        snapshot.partitionedTables = []
        snapshot.columnStats = [
            stats("events", "tenant_id", distinct: 40_000, commonFreq: 0.01),
            stats("orders", "tenant_id", distinct: 39_000, commonFreq: 0.02),
            stats("line_items", "tenant_id", distinct: 38_000, commonFreq: 0.02),
            // Shared but dominated by one value.
            stats("events", "plan_id", distinct: 10, commonFreq: 0.7),
            stats("orders", "plan_id", distinct: 10, commonFreq: 0.7),
            // Unique per row, but in one table only.
            stats("events", "session_id", distinct: -0.9, commonFreq: 0.0001),
            // A per-table id and a timestamp are not distribution columns.
            stats("events", "id", distinct: -1, commonFreq: 0),
            stats("orders", "id", distinct: -1, commonFreq: 0),
            stats("events", "created_at", type: "timestamp with time zone", distinct: -1, commonFreq: 0),
            stats("orders", "created_at", type: "timestamp with time zone", distinct: -1, commonFreq: 0),
            stats("orders", "country_code", type: "text", distinct: 200, commonFreq: 0.3),
        ]
        return snapshot
    }

    @Test func tenantColumnRanksFirst() throws {
        let snapshot = try Self.multiTenant()
        let ranked = ShardKeyRanking.candidates(snapshot)
        let best = try #require(ranked.first)
        #expect(best.column == "tenant_id")
        #expect(best.tables == ["public.events", "public.orders", "public.line_items"])
        #expect(!ranked.contains { ["plan_id", "id", "created_at", "country_code"].contains($0.column) })
        #expect(ranked.map(\.column) == ["tenant_id", "session_id"])
        #expect(best.reasons.count == 3)
    }

    @Test func smallTablesBecomeReferenceTablesAndCitusCallsFollow() throws {
        let snapshot = try Self.multiTenant()
        let best = try #require(ShardKeyRanking.candidates(snapshot).first)
        #expect(ShardKeyRanking.referenceTables(snapshot, key: best) == ["public.plans", "public.countries"])
        let actions = ShardKeyRanking.citusActions(snapshot)
        #expect(actions.contains("SELECT create_distributed_table('public.events', 'tenant_id');"))
        #expect(actions.contains("SELECT create_reference_table('public.countries');"))
        let reference = try #require(actions.firstIndex(of: "SELECT create_reference_table('public.plans');"))
        let distributed = try #require(
            actions.firstIndex(of: "SELECT create_distributed_table('public.orders', 'tenant_id');"))
        #expect(reference < distributed, "reference tables first: distributed tables' foreign keys point at them")
    }

    @Test func noCandidateSaysWhatIsMissing() throws {
        var snapshot = try Self.multiTenant()
        snapshot.columnStats = [Self.stats("events", "plan_id", distinct: 10, commonFreq: 0.7)]
        #expect(ShardKeyRanking.candidates(snapshot).isEmpty)
        #expect(ShardKeyRanking.citusActions(snapshot).first?.contains("No distribution column") == true)
    }
}
