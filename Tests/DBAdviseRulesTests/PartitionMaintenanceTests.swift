import DBAdviseModel
import DBAdviseOutput
import Foundation
import Testing

@testable import DBAdviseAnalysis
@testable import DBAdviseRules

/// Existing partitioned tables: bounds read as time ranges, missing partition indexes and
/// retention, beyond what the rule examples check.
@Suite struct PartitionMaintenanceTests {
    static func date(_ text: String) -> Date? { PartitionTimeRange.parse(text) }

    @Test func boundsParseAsTimeRanges() throws {
        let month = try #require(
            PartitionTimeRange(bound: "FOR VALUES FROM ('2026-01-01 00:00:00+00') TO ('2026-02-01 00:00:00+00')"))
        #expect(month.lower == Self.date("2026-01-01"))
        #expect(month.upper == Self.date("2026-02-01 00:00:00"))
        #expect(month.upper?.timeIntervalSince1970 == 1_769_904_000)
        let offset = try #require(
            PartitionTimeRange(bound: "FOR VALUES FROM ('2026-01-01 05:30:00.5+05:30') TO (MAXVALUE)"))
        #expect(offset.lower?.timeIntervalSince1970 == 1_767_225_600.5)
        #expect(offset.upper == nil)
        #expect(PartitionTimeRange(bound: "FOR VALUES FROM (MINVALUE) TO ('2026-01-01')")?.lower == nil)
        #expect(PartitionTimeRange(bound: "FOR VALUES FROM (MINVALUE) TO (MAXVALUE)") == nil)
        #expect(PartitionTimeRange(bound: "FOR VALUES FROM (0) TO (1000)") == nil, "integer keys are not time")
        #expect(PartitionTimeRange(bound: "FOR VALUES FROM ('2026-01-01', 1) TO ('2026-02-01', 1)") == nil)
        #expect(PartitionTimeRange(bound: "FOR VALUES FROM ('31/12/2025 19:00:00 EST') TO ('x')") == nil)
        #expect(PartitionTimeRange(bound: "DEFAULT") == nil)
        #expect(PartitionTimeRange(bound: nil) == nil)
    }

    @Test func timestampsAreReadInPostgresISOLayoutOnly() {
        #expect(Self.date("2026-01-01 00:00:00-08")?.timeIntervalSince1970 == 1_767_254_400)
        #expect(Self.date("2026-01-01 00:00:00+0530") == Self.date("2025-12-31 18:30:00"))
        #expect(Self.date("2026-01-01 00:00:00.123456")?.timeIntervalSince1970 == 1_767_225_600.123456)
        for bad in ["2026-1-01", "2026-01-01 00:00", "2026-01-01T00:00:00", "2026-01-01 00:00:00+", "2026-01-01x", ""] {
            #expect(Self.date(bad) == nil, "\(bad)")
        }
    }

    @Test func missingIndexFixBuildsConcurrentlyThenAttaches() throws {
        let rule = PartitionMissingIndexRule()
        let verdict = rule.evaluate(
            try context { snapshot, _ in
                var tree = BaseFixture.partitionTree("events", sizes: [1_000, 2_000])
                tree.partitionedIndexes = [
                    PartitionedIndex(
                        name: "events_tenant_idx",
                        definition: "CREATE INDEX events_tenant_idx ON ONLY public.events USING btree (tenant_id)",
                        isValid: false, isUnique: false, isPrimary: false, constraintName: nil,
                        missingPartitions: ["public.events_p1"]),
                    PartitionedIndex(
                        name: "events_pkey",
                        definition:
                            "CREATE UNIQUE INDEX events_pkey ON ONLY public.events USING btree (id, created_at)",
                        isValid: false, isUnique: true, isPrimary: true, constraintName: "events_pkey",
                        missingPartitions: ["public.events_p0"]),
                ]
                snapshot.partitionedTables = [tree]
            })
        let recommendation = try #require(verdict.recommendations.first)
        #expect(recommendation.severity == .critical, "a primary key is not enforced on events_p0")
        #expect(recommendation.summary.contains("events_tenant_idx (invalid) is missing on public.events_p1"))
        let sql = recommendation.actions.joined(separator: "\n")
        #expect(
            sql.contains("CREATE INDEX CONCURRENTLY events_p1_tenant_idx ON public.events_p1 USING btree (tenant_id);"))
        #expect(sql.contains("ALTER INDEX public.events_tenant_idx ATTACH PARTITION public.events_p1_tenant_idx;"))
        #expect(
            sql.contains(
                "CREATE UNIQUE INDEX CONCURRENTLY events_p0_pkey ON public.events_p0 USING btree (id, created_at);"))
        #expect(
            sql.contains(
                "ALTER TABLE public.events_p0 ADD CONSTRAINT events_p0_pkey PRIMARY KEY USING INDEX events_p0_pkey;"))
        #expect(sql.contains("ON ONLY public.events"), "the recipe for new indexes")
        // each CONCURRENTLY build is an action of its own: it cannot run in a transaction block
        for action in recommendation.actions where action.contains("CONCURRENTLY ") && action.hasPrefix("--") {
            #expect(!action.contains("ALTER INDEX"), "\(action)")
        }
        #expect(
            recommendation.evidence.contains {
                $0.metric.rawValue == "partitions_missing_index(events_pkey)" && $0.value == 1
            })
    }

    @Test func retentionDetachesConcurrentlyOnlyWithoutADefaultPartition() throws {
        let rule = PartitionRetentionRule()
        func tree(withDefault: Bool, version: Int = 150_000) throws -> Recommendation {
            let verdict = rule.evaluate(
                try context { snapshot, _ in
                    snapshot.server.versionNum = version
                    let bounds = [
                        ("2026-01-01", "2026-02-01"), ("2026-02-01", "2026-03-01"), ("2026-03-01", "2027-01-01"),
                    ]
                    var partitions: [Partition] = []
                    for (index, bound) in bounds.enumerated() {
                        let name = "t_p\(index)"
                        partitions.append(
                            Partition(
                                schema: "public", name: name,
                                bound: "FOR VALUES FROM ('\(bound.0) 00:00:00+00') TO ('\(bound.1) 00:00:00+00')",
                                isDefault: false, isPartitioned: false, totalBytes: 1_048_576,
                                rows: index == 0 ? 0 : 100))
                        var table = TableStats(schema: "public", name: name, relkind: "r", isPartition: true)
                        table.nTupIns = 100
                        table.nTupUpd = 0
                        table.nTupDel = index == 0 ? 100 : 0
                        table.nLiveTup = index == 0 ? 0 : 100
                        table.seqScan = 1
                        table.idxScan = 0
                        snapshot.tables?.append(table)
                    }
                    if withDefault {
                        partitions.append(
                            Partition(
                                schema: "public", name: "t_default", bound: "DEFAULT", isDefault: true,
                                isPartitioned: false, totalBytes: 0, rows: 0))
                    }
                    snapshot.partitionedTables = [
                        PartitionTree(
                            schema: "public", name: "t", strategy: .range, key: "RANGE (day)", keyColumns: ["day"],
                            partitionOf: nil, partitions: partitions,
                            defaultPartition: withDefault ? "public.t_default" : nil)
                    ]
                    snapshot.columnStats = [BaseFixture.column("t", "day", type: "date", correlation: 1)]
                })
            return try #require(verdict.recommendations.first)
        }
        let concurrent = try tree(withDefault: false)
        #expect(concurrent.severity == .warning, "old rows are deleted")
        #expect(concurrent.summary.contains("1 partition(s) entirely older than 2026-02-01"), "\(concurrent.summary)")
        #expect(
            concurrent.actions.contains {
                $0.hasSuffix("ALTER TABLE public.t DETACH PARTITION public.t_p0 CONCURRENTLY;")
            })
        #expect(concurrent.actions.contains { $0.hasSuffix("DROP TABLE public.t_p0;") })
        #expect(concurrent.evidence.contains { $0.metric.rawValue == "old_partition_deletes" && $0.value == 100 })
        let plain = try tree(withDefault: true)
        #expect(!plain.actions.contains { $0.contains("CONCURRENTLY;") })
        #expect(
            plain.actions.contains {
                $0.contains("SET lock_timeout = '5s';\nALTER TABLE public.t DETACH PARTITION public.t_p0;")
            })
        let old = try tree(withDefault: false, version: 130_000)
        #expect(old.actions.contains { $0.contains("needs PostgreSQL 14") })
    }
}
