import DBAdviseModel
import DBAdviseOutput
import Testing

@testable import DBAdviseAnalysis
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
        // every request filters by tenant; sessions are looked up by id
        snapshot.statements.topByTotalTime? += [
            lookup("501", "events", ["tenant_id", "session_id"]), lookup("502", "orders", ["tenant_id"]),
            lookup("503", "line_items", ["tenant_id"]),
        ]
        return snapshot
    }

    /// `SELECT * FROM table WHERE a = $1 AND b = $2`, with the shape collect would store.
    static func lookup(_ queryid: String, _ table: String, _ columns: [String]) -> Statement {
        let predicates = columns.enumerated().map { "\($0.element) = $\($0.offset + 1)" }
        var statement = Statement(
            queryid: queryid, query: "SELECT * FROM \(table) WHERE \(predicates.joined(separator: " AND "))",
            calls: 1_000, totalExecTimeMs: 500, meanExecTimeMs: 0.5, rows: 1_000, sharedBlksHit: 3_000,
            sharedBlksRead: 0)
        statement.shape = StatementShape(
            kind: .select, tablesRead: [table], isReadOnly: true,
            parameters: columns.enumerated().map {
                StatementShape.Parameter(number: $0.offset + 1, column: $0.element, comparison: "=")
            })
        return statement
    }

    @Test func tenantColumnRanksFirst() throws {
        let snapshot = try Self.multiTenant()
        let ranked = ShardKeyRanking.candidates(snapshot)
        let best = try #require(ranked.first)
        #expect(best.column == "tenant_id")
        #expect(best.tables == ["public.events", "public.orders", "public.line_items"])
        #expect(!ranked.contains { ["plan_id", "id", "created_at", "country_code"].contains($0.column) })
        #expect(ranked.map(\.column) == ["tenant_id", "session_id"])
        #expect(best.reasons.count == 4, "\(best.reasons)")
        #expect(
            best.reasons.contains(
                "a key: compared for equality in 3 statements on public.events, public.orders, public.line_items"))
        #expect(best.reasons.contains { $0.hasPrefix("≥ 38,000 distinct values (≥ 128: 4 per shard × 32 shards)") })
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
        snapshot.statements.topByTotalTime? += [lookup("504", "orders", ["created_by"])]
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
        let joins = try #require(evidence.first { $0.metric.rawValue == "shard_key_foreign_keys(tenant_id)" })
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
        #expect(legacy.allSatisfy { $0.reasons.count == 4 && !$0.reasons.contains { $0.hasPrefix("joined") } })
        let unknown = try #require(
            ShardKeyRanking.evidence(snapshot).first { $0.metric.rawValue == "shard_key_foreign_keys(tenant_id)" })
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
                $0.metric.rawValue == "shard_key_foreign_keys(tenant_id)" && $0.value == 0
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

/// What a distribution column may be: key-like, enough values for the shards, a tenant before
/// a per-row id, backfill before a fallback, unknown when the statistics were hidden.
@Suite struct ShardKeyChoiceTests {
    typealias Fixture = ShardKeyRankingTests
    static let gigabyte = BaseFixture.gigabyte

    static func stats(
        _ table: String, _ column: String, type: String, distinct: Double, commonFreq: Double = 0.001,
        nulls: Double = 0, width: Int? = nil
    ) -> ColumnStats {
        var stats = Fixture.stats(table, column, type: type, distinct: distinct, commonFreq: commonFreq, nulls: nulls)
        stats.avgWidth = width
        return stats
    }

    /// One 300 GB table whose only columns with many values are content: an md5 text, a JSON
    /// document, a float, a timestamp. Foreign keys read (none), statements read.
    static func contentOnly() throws -> Snapshot {
        var snapshot = try BaseFixture.snapshot()
        snapshot.tables = [BaseFixture.table("events", bytes: 300 * gigabyte, live: 3_000_000_000)]
        snapshot.partitionedTables = []
        snapshot.foreignKeys = []
        snapshot.columnStats = [
            stats("events", "payload", type: "text", distinct: -1, commonFreq: 0, width: 33),
            stats("events", "doc", type: "jsonb", distinct: -0.8, width: 180),
            stats("events", "score", type: "double precision", distinct: -0.7),
            stats("events", "happened_at", type: "timestamp with time zone", distinct: -0.9),
            stats("events", "archived", type: "boolean", distinct: 2, commonFreq: 0.9),
        ]
        return snapshot
    }

    @Test func freeTextJSONFloatsAndTimesAreNeverOffered() throws {
        let snapshot = try Self.contentOnly()
        let analysis = ShardKeyRanking.analyze(snapshot)
        #expect(analysis.candidates.isEmpty, "\(analysis.candidates.map(\.column))")
        let reasons = Dictionary(uniqueKeysWithValues: analysis.rejected.map { ($0.column, $0.reason) })
        #expect(reasons["payload"] == "text with no key or equality use")
        #expect(reasons["doc"] == "jsonb: a document, not an identifier")
        #expect(reasons["score"] == "double precision: a measured quantity, not an identifier")
        #expect(reasons["happened_at"] == "timestamp with time zone: a time, which related rows do not share")
        #expect(reasons["archived"] == "boolean: two values")
        // the rejections a reader needs are evidence; a two-valued boolean is not one of them
        let evidence = ShardKeyRanking.evidence(snapshot)
        let payload = try #require(evidence.first { $0.metric.rawValue == "shard_key_rejected(payload)" })
        #expect(payload.note == "text with no key or equality use")
        #expect(evidence.contains { $0.metric.rawValue == "shard_key_rejected(doc)" })
        #expect(!evidence.contains { $0.metric.rawValue == "shard_key_rejected(archived)" })
        let actions = ShardKeyRanking.citusActions(snapshot)
        #expect(actions.count == 1)
        #expect(actions[0].hasPrefix("No distribution column found"), "\(actions)")
        #expect(actions[0].contains("payload: text with no key or equality use"), "\(actions)")
        #expect(!actions.contains { $0.contains("create_distributed_table") })
    }

    /// The same text, short and the key the statements look rows up by: a short identifier.
    /// Long text used as a key stays content.
    @Test func shortTextUsedAsAKeyIsAnIdentifier() throws {
        var snapshot = try Self.contentOnly()
        snapshot.statements.topByTotalTime? += [Fixture.lookup("601", "events", ["payload"])]
        snapshot.columnStats?[0].nDistinct = 50_000
        let best = try #require(ShardKeyRanking.candidates(snapshot).first)
        #expect(best.column == "payload")
        #expect(best.reasons.contains("a key: compared for equality in 1 statement on public.events"))
        snapshot.columnStats?[0].avgWidth = 120
        let analysis = ShardKeyRanking.analyze(snapshot)
        #expect(analysis.candidates.isEmpty)
        #expect(
            analysis.rejected.first { $0.column == "payload" }?.reason
                == "text averaging 120 bytes (> 40): content, not a short identifier")
    }

    /// 200 tenants, a foreign key from each large table to the small tenants table, no tenant
    /// over 0.6% of rows, beside a JSONB document with more distinct values.
    static func twoHundredTenants(distinct: Double = 200) throws -> Snapshot {
        var snapshot = try BaseFixture.snapshot()
        snapshot.tables = [
            BaseFixture.table("documents", bytes: 400 * gigabyte, live: 2_000_000_000),
            BaseFixture.table("comments", bytes: 200 * gigabyte, live: 4_000_000_000),
            BaseFixture.table("tenants", bytes: 100_000, live: 200),
        ]
        snapshot.partitionedTables = []
        snapshot.columnStats = [
            stats("documents", "tenant_id", type: "integer", distinct: distinct, commonFreq: 0.006),
            stats("comments", "tenant_id", type: "integer", distinct: distinct, commonFreq: 0.006),
            stats("documents", "body", type: "jsonb", distinct: -1, commonFreq: 0),
            stats("comments", "body", type: "jsonb", distinct: -1, commonFreq: 0),
        ]
        snapshot.foreignKeys = [
            Fixture.key("documents", ["tenant_id"], references: "tenants", ["id"]),
            Fixture.key("comments", ["tenant_id"], references: "tenants", ["id"]),
        ]
        return snapshot
    }

    @Test func twoHundredTenantsPassTheShardCountFloor() throws {
        let snapshot = try Self.twoHundredTenants()
        let best = try #require(ShardKeyRanking.candidates(snapshot).first)
        #expect(best.column == "tenant_id")
        #expect(best.tenantTables == ["public.tenants"])
        #expect(best.reasons.contains { $0.hasPrefix("references the tenant-like table public.tenants") })
        #expect(ShardKeyRanking.citusActions(snapshot).first?.hasPrefix("Distribute on tenant_id: ") == true)
        let distinct = try #require(
            ShardKeyRanking.evidence(snapshot).first { $0.metric.rawValue == "shard_key_distinct(tenant_id)" })
        #expect(distinct.value == 200 && distinct.threshold == 128)
        #expect(distinct.note?.contains("4 per shard × 32 shards, Citus's default citus.shard_count") == true)
        #expect(
            ShardKeyRanking.analyze(snapshot).rejected.first { $0.column == "body" }?.reason
                == "jsonb: a document, not an identifier")
    }

    @Test func tooFewTenantsForTheShardsAreRejectedWithTheFloor() throws {
        let few = ShardKeyRanking.analyze(try Self.twoHundredTenants(distinct: 100))
        #expect(few.candidates.isEmpty)
        #expect(
            few.rejected.first { $0.column == "tenant_id" }?.reason
                == "100 distinct values < 128 (4 per shard × 32 shards)")
        // the server's own shard count sets the floor: 200 tenants are too few for 64 shards
        var snapshot = try Self.twoHundredTenants()
        snapshot.server.settings.append(
            Setting(name: "citus.shard_count", setting: "64", unit: nil, bytes: nil, seconds: nil))
        let analysis = ShardKeyRanking.analyze(snapshot)
        #expect(analysis.minimumDistinct == 256 && analysis.shardCountSource == "the server's citus.shard_count")
        #expect(analysis.candidates.isEmpty)
    }

    /// A per-request uuid in every large table, looked up by equality, with more bytes behind
    /// it than tenant_id: unique per row and joined by no foreign key, it co-locates nothing.
    @Test func aColumnUniquePerRowRanksBelowTheTenant() throws {
        var snapshot = try Self.twoHundredTenants()
        snapshot.tables?.append(BaseFixture.table("requests", bytes: 900 * Self.gigabyte, live: 9_000_000_000))
        snapshot.columnStats? += [
            Self.stats("documents", "request_id", type: "uuid", distinct: -1, commonFreq: 0),
            Self.stats("comments", "request_id", type: "uuid", distinct: -1, commonFreq: 0),
            Self.stats("requests", "request_id", type: "uuid", distinct: -1, commonFreq: 0),
        ]
        snapshot.statements.topByTotalTime? += [Fixture.lookup("602", "requests", ["request_id"])]
        let ranked = ShardKeyRanking.candidates(snapshot)
        #expect(ranked.map(\.column) == ["tenant_id", "request_id"])
        let unique = try #require(ranked.last)
        #expect(unique.colocatesNothing && unique.coveredBytes > ranked[0].coveredBytes)
        #expect(unique.reasons.contains { $0.hasPrefix("unique per row and joined through no foreign key") })
        // joined through a foreign key, the same column groups rows: it ranks by its bytes
        snapshot.foreignKeys? += [Fixture.key("documents", ["request_id"], references: "requests", ["request_id"])]
        #expect(ShardKeyRanking.candidates(snapshot).first?.column == "request_id")
    }

    /// Notion's blocks: space_id, a key to the small spaces table, is 80% NULL while it is
    /// backfilled; parent_id references blocks itself.
    static func blocks(spaceKey: Bool = true, spaceNulls: Double = 0.8) throws -> Snapshot {
        var snapshot = try BaseFixture.snapshot()
        snapshot.tables = [
            BaseFixture.table("blocks", bytes: 800 * gigabyte, live: 2_000_000_000),
            BaseFixture.table("spaces", bytes: 50_000_000, live: 100_000),
        ]
        snapshot.partitionedTables = []
        snapshot.columnStats = [
            stats("blocks", "id", type: "uuid", distinct: -1, commonFreq: 0),
            stats("blocks", "space_id", type: "uuid", distinct: 80_000, commonFreq: 0.0001, nulls: spaceNulls),
            stats("blocks", "parent_id", type: "uuid", distinct: -0.2, commonFreq: 0.00001, nulls: 0.001),
            stats("blocks", "content", type: "text", distinct: -0.9, commonFreq: 0, width: 300),
        ]
        var primaryKey = IndexStats(
            schema: "public", table: "blocks", name: "blocks_pkey", isUnique: true, isPrimary: true, isValid: true)
        primaryKey.columns = ["id"]
        snapshot.indexes = [primaryKey]
        snapshot.foreignKeys = [Fixture.key("blocks", ["parent_id"], references: "blocks", ["id"])]
        if spaceKey {
            snapshot.foreignKeys? += [Fixture.key("blocks", ["space_id"], references: "spaces", ["id"])]
        } else {
            // no constraint, but pages are read by space: a key all the same
            snapshot.statements.topByTotalTime? += [Fixture.lookup("603", "blocks", ["space_id"])]
        }
        return snapshot
    }

    @Test func aTenantKeyBeingBackfilledIsAdvisedAsBackfillThenDistribute() throws {
        let snapshot = try Self.blocks()
        let ranked = ShardKeyRanking.candidates(snapshot)
        #expect(ranked.map(\.column) == ["space_id", "parent_id"])
        #expect(ranked[0].needsBackfill && ranked[0].nullShare == 0.8)
        let actions = ShardKeyRanking.citusActions(snapshot)
        #expect(
            actions[0].hasPrefix("Backfill space_id (80% NULL in public.blocks), then distribute on it: "), "\(actions)"
        )
        #expect(actions.contains("SELECT create_distributed_table('public.blocks', 'space_id');"))
        #expect(!actions.contains { $0.contains("'parent_id'") })
        let nulls = try #require(
            ShardKeyRanking.evidence(snapshot).first { $0.metric.rawValue == "shard_key_null_frac(space_id)" })
        #expect(nulls.value == 0.8 && nulls.threshold == 0.05)
        #expect(
            ShardKeyRanking.analyze(snapshot).rejected.first { $0.column == "content" }?.reason
                == "text with no key or equality use")
    }

    /// Backfilled, it is simply the distribution column; mostly NULL and referencing no
    /// tenant-like table, it is not advised at all (NULL rows share one shard).
    @Test func aCompleteTenantKeyIsDistributedOnAndANullColumnWithoutOneIsRejected() throws {
        let complete = try Self.blocks(spaceNulls: 0)
        #expect(ShardKeyRanking.citusActions(complete).first?.hasPrefix("Distribute on space_id: ") == true)
        let unreferenced = ShardKeyRanking.analyze(try Self.blocks(spaceKey: false))
        #expect(unreferenced.candidates.map(\.column) == ["parent_id"])
        #expect(
            unreferenced.rejected.first { $0.column == "space_id" }?.reason
                == "80% NULL (> 5%): rows with a NULL distribution column all land in one shard")
    }

    /// The multi-tenant schema collected by a role that may not SELECT events and orders:
    /// pg_stats shows their columns without statistics.
    static func hidden() throws -> Snapshot {
        var snapshot = try Fixture.multiTenant()
        let reason = { (table: String) in
            "column statistics hidden: pg_stats shows only tables the role may SELECT; grant SELECT on \(table), or the role pg_read_all_data (PostgreSQL 14+)"
        }
        for table in ["events", "orders", "line_items"] {
            snapshot.unavailable.append(
                Unavailable(section: "column_stats.public.\(table)", reason: reason("public.\(table)")))
        }
        snapshot.columnStats = snapshot.columnStats?.map { column in
            ColumnStats(schema: column.schema, table: column.table, column: column.column, dataType: column.dataType)
        }
        return snapshot
    }

    @Test func hiddenStatisticsMakeTheColumnUnknownNeverNone() throws {
        let snapshot = try Self.hidden()
        let analysis = ShardKeyRanking.analyze(snapshot)
        #expect(analysis.candidates.isEmpty)
        #expect(analysis.hidden.map(\.table) == ["public.events", "public.orders", "public.line_items"])
        let actions = ShardKeyRanking.citusActions(snapshot)
        #expect(actions.count == 1)
        #expect(
            actions[0].hasPrefix(
                "Distribution column unknown (column statistics hidden: pg_stats shows only tables the role may SELECT; grant SELECT on public.events, or the role pg_read_all_data (PostgreSQL 14+); likewise for 2 more of the largest tables: public.orders, public.line_items)"
            ), "\(actions)")
        #expect(!actions[0].contains("tenant"), "no advice to add a tenant id from statistics it could not see")
        let hidden = try #require(
            ShardKeyRanking.evidence(snapshot).first { $0.metric.rawValue == "shard_key_column_stats_hidden" })
        #expect(hidden.value == 3)

        // the same columns, visible and without statistics (never analyzed): nothing hidden
        var unanalyzed = snapshot
        unanalyzed.unavailable = []
        #expect(ShardKeyRanking.citusActions(unanalyzed).first?.hasPrefix("No distribution column found") == true)

        // one table hidden: ranked on the others, and said so
        var partly = try Fixture.multiTenant()
        partly.unavailable = [
            Unavailable(section: "column_stats.public.line_items", reason: "column statistics hidden: x")
        ]
        let partial = ShardKeyRanking.citusActions(partly)
        #expect(partial.first?.hasPrefix("Distribute on tenant_id: in 2 of the 5 largest tables") == true, "\(partial)")
        #expect(
            partial.contains {
                $0.hasPrefix("Ranked without the tables whose statistics are hidden (column statistics hidden: x)")
            })
    }

    /// Redaction keeps the `column_stats.` prefix and hashes the table behind it.
    @Test func hiddenStatisticsSurviveRedaction() throws {
        let redacted = testRedaction(try Self.hidden())
        let hide = testRedactionKey.pseudonym
        #expect(redacted.unavailable.contains { $0.section == "column_stats.\(hide("public")).\(hide("events"))" })
        #expect(redacted.hiddenColumnStats.count == 3)
        #expect(ShardKeyRanking.citusActions(redacted).first?.hasPrefix("Distribution column unknown (") == true)
    }
}
