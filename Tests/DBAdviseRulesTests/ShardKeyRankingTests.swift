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

    static func key(
        _ table: String, _ columns: [String], references: String, _ referenced: [String], name: String? = nil
    ) -> ForeignKey {
        ForeignKey(
            schema: "public", table: table, name: name ?? "\(table)_\(columns.joined(separator: "_"))_fkey",
            columns: columns, referencedSchema: "public", referencedTable: references,
            referencedColumns: referenced)
    }

    /// The multi-tenant schema with a decoy: `created_by` is in the same large tables with
    /// slightly better statistics than tenant_id, but no foreign key joins on it. tenants is
    /// small; every large table references it, line_items also through the co-location key
    /// (tenant_id, order_id) → orders (tenant_id, id).
    static func withDecoy() throws -> Snapshot {
        var snapshot = try multiTenant()
        snapshot.tables?.append(BaseFixture.table("tenants", bytes: 500_000, live: 40_000))
        snapshot.columnStats? += [
            stats("events", "created_by", distinct: 50_000, commonFreq: 0.005),
            stats("orders", "created_by", distinct: 50_000, commonFreq: 0.005),
            stats("line_items", "created_by", distinct: 50_000, commonFreq: 0.005),
        ]
        snapshot.foreignKeys = [
            key("events", ["tenant_id"], references: "tenants", ["id"]),
            key("orders", ["tenant_id"], references: "tenants", ["id"]),
            key("line_items", ["tenant_id", "order_id"], references: "orders", ["tenant_id", "id"]),
            key("tenants", ["plan_id"], references: "plans", ["id"]),
        ]
        return snapshot
    }

    @Test func foreignKeyJoinedColumnBeatsAnUnjoinedDecoy() throws {
        var snapshot = try Self.withDecoy()
        let ranked = ShardKeyRanking.candidates(snapshot)
        #expect(ranked.map(\.column) == ["tenant_id", "created_by", "session_id"])
        let best = try #require(ranked.first)
        let decoy = try #require(ranked.dropFirst().first)
        #expect(best.coveredBytes == decoy.coveredBytes, "same tables, same bytes")
        #expect(best.dominantShare > decoy.dominantShare, "the decoy's statistics are better")
        #expect(best.joinedBytes == best.coveredBytes)
        #expect(decoy.joinedBytes == 0)
        #expect(
            best.reasons.contains("joined through 3 foreign keys: events→tenants, orders→tenants, line_items→orders"),
            "\(best.reasons)")
        #expect(decoy.reasons.contains("joined through no foreign key"))
        let evidence = ShardKeyRanking.evidence(snapshot)
        let joins = try #require(evidence.first { $0.metric == "shard_key_foreign_keys(tenant_id)" })
        #expect(joins.value == 3)
        #expect(joins.note?.contains("line_items→orders") == true)
        #expect(ShardKeyRanking.citusActions(snapshot).first?.hasPrefix("Distribute on tenant_id: ") == true)

        // The same snapshot without its foreign keys: ranked by shared bytes, then the least
        // dominant value, as before foreign keys were collected: the decoy wins.
        snapshot.foreignKeys = nil
        let byName = ShardKeyRanking.candidates(snapshot)
        #expect(byName.map(\.column) == ["created_by", "tenant_id", "session_id"])
        #expect(byName.allSatisfy { $0.joinedBytes == nil && $0.foreignKeys == nil && $0.score == $0.coveredBytes })
    }

    @Test func withoutForeignKeysTheRankingIsUnchanged() throws {
        var snapshot = try Self.multiTenant()
        let legacy = ShardKeyRanking.candidates(snapshot)
        #expect(legacy.map(\.column) == ["tenant_id", "session_id"])
        #expect(legacy.allSatisfy { $0.reasons.count == 3 })
        let unknown = try #require(
            ShardKeyRanking.evidence(snapshot).first { $0.metric == "shard_key_foreign_keys(tenant_id)" })
        #expect(unknown.value == nil, "unknown, not 0")
        #expect(unknown.note?.contains("not in the snapshot") == true)
        // Read, and there are none: the same order, each saying so.
        snapshot.foreignKeys = []
        let none = ShardKeyRanking.candidates(snapshot)
        #expect(none.map(\.column) == legacy.map(\.column))
        #expect(none.map(\.score) == legacy.map(\.score))
        #expect(none.allSatisfy { $0.reasons.contains("joined through no foreign key") })
        #expect(
            ShardKeyRanking.evidence(snapshot).contains {
                $0.metric == "shard_key_foreign_keys(tenant_id)" && $0.value == 0
            })
        #expect(
            ShardKeyRanking.referenceTables(snapshot, key: try #require(none.first)) == [
                "public.plans", "public.countries",
            ])
    }

    /// Only composite keys that include the column: the referencing tables and, through the
    /// same-named column on the other side, the referenced one are joined on it.
    @Test func compositeForeignKeysJoinTheColumn() throws {
        var snapshot = try Self.withDecoy()
        snapshot.foreignKeys = [
            Self.key("line_items", ["tenant_id", "order_id"], references: "orders", ["tenant_id", "id"]),
            Self.key("events", ["tenant_id", "order_id"], references: "orders", ["tenant_id", "id"]),
        ]
        let best = try #require(ShardKeyRanking.candidates(snapshot).first)
        #expect(best.column == "tenant_id")
        #expect(best.joinedBytes == best.coveredBytes, "orders is joined through the keys that reference it")
        #expect(best.reasons.contains("joined through 2 foreign keys: events→orders, line_items→orders"))
        // A key that pairs the column with another one joins only the referencing table.
        snapshot.foreignKeys = [
            Self.key("line_items", ["tenant_id", "order_id"], references: "orders", ["org_id", "id"])
        ]
        let partly = try #require(ShardKeyRanking.candidates(snapshot).first { $0.column == "tenant_id" })
        #expect(partly.joinedBytes == Double(300 * BaseFixture.gigabyte))
    }

    @Test func referenceTablesReachedThroughForeignKeysComeFirst() throws {
        var snapshot = try Self.withDecoy()
        snapshot.foreignKeys? += [Self.key("line_items", ["order_id"], references: "orders", ["id"])]
        let best = try #require(ShardKeyRanking.candidates(snapshot).first)
        // tenants is referenced by the distributed tables, plans through tenants; countries by none.
        #expect(
            ShardKeyRanking.referenceTables(snapshot, key: best) == [
                "public.plans", "public.tenants", "public.countries",
            ])
        let actions = ShardKeyRanking.citusActions(snapshot)
        #expect(
            actions.contains {
                $0.hasPrefix(
                    "Reference tables: the distributed tables' foreign keys reach public.plans, public.tenants,")
            }, "\(actions)")
        // A key between two distributed tables without the distribution column is refused by Citus.
        let extend = try #require(actions.first { $0.hasPrefix("Add tenant_id to the foreign keys") }, "\(actions)")
        #expect(extend.hasSuffix(": line_items→orders (order_id)."), "\(extend)")
        let reference = try #require(actions.firstIndex(of: "SELECT create_reference_table('public.tenants');"))
        let distributed = try #require(
            actions.firstIndex(of: "SELECT create_distributed_table('public.events', 'tenant_id');"))
        #expect(reference < distributed)
    }

    /// A redacted snapshot hides every name behind the same pseudonyms in `column_stats`,
    /// `indexes` and `foreign_keys`: the ranking is the same, and per-table ids are found by
    /// their primary keys instead of their name.
    @Test func redactedSnapshotRanksTheSameColumn() throws {
        var snapshot = try Self.withDecoy()
        snapshot.indexes = ["events", "orders", "line_items"].map { table in
            var index = IndexStats(
                schema: "public", table: table, name: "\(table)_pkey", isUnique: true, isPrimary: true, isValid: true)
            index.columns = ["id"]
            return index
        }
        let redacted = testRedaction(snapshot)
        let hidden = testRedactionKey.pseudonym
        #expect(
            redacted.foreignKeys?.first
                == ForeignKey(
                    schema: hidden("public"), table: hidden("events"), name: hidden("events_tenant_id_fkey"),
                    columns: [hidden("tenant_id")], referencedSchema: hidden("public"),
                    referencedTable: hidden("tenants"), referencedColumns: [hidden("id")]))
        let ranked = ShardKeyRanking.candidates(redacted)
        #expect(ranked.map(\.column) == ["tenant_id", "created_by", "session_id"].map(hidden))
        let best = try #require(ranked.first)
        #expect(best.tables == ["events", "orders", "line_items"].map { "\(hidden("public")).\(hidden($0))" })
        #expect(
            best.reasons.contains(
                "joined through 3 foreign keys: \(hidden("events"))→\(hidden("tenants")), \(hidden("orders"))→\(hidden("tenants")), \(hidden("line_items"))→\(hidden("orders"))"
            ))
        // Without the primary keys the hashed `id` would be shared by every table, unique in each.
        var noKeys = redacted
        noKeys.indexes = nil
        #expect(ShardKeyRanking.candidates(noKeys).contains { $0.column == hidden("id") })
    }

    /// A column that is the whole primary key of one table among several (a 1:1 tenant table)
    /// is still a candidate; `id`, the primary key of each table, is not.
    @Test func primaryKeysMarkPerTableIdsOnly() throws {
        var snapshot = try Self.multiTenant()
        snapshot.tables?.append(BaseFixture.table("tenant_settings", bytes: 100 * BaseFixture.gigabyte, live: 40_000))
        snapshot.columnStats? += [
            Self.stats("tenant_settings", "tenant_id", distinct: -1, commonFreq: 0),
            Self.stats("events", "uid", distinct: -1, commonFreq: 0),
            Self.stats("orders", "uid", distinct: -1, commonFreq: 0),
        ]
        snapshot.indexes = [("tenant_settings", "tenant_id"), ("events", "uid"), ("orders", "uid")].map {
            var index = IndexStats(
                schema: "public", table: $0.0, name: "\($0.0)_pkey", isUnique: true, isPrimary: true, isValid: true)
            index.columns = [$0.1]
            return index
        }
        let ranked = ShardKeyRanking.candidates(snapshot)
        #expect(ranked.first?.column == "tenant_id")
        #expect(ranked.first?.tables.contains("public.tenant_settings") == true)
        #expect(!ranked.contains { $0.column == "uid" })
    }
}
