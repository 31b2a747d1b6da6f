import DBAdviseTestSupport
import Foundation
import Testing

/// The partitioning plan must run: a real time-ordered table with old-row deletes is analyzed
/// by the binary, and the SQL actions of its recommendation are executed with psql.
@Suite("partition plan DDL", .serialized, TestServer.enabled)
struct PartitionPlanDDLTests {
    static let database = "partition_plan_ddl"

    struct Report: Decodable {
        struct Recommendation: Decodable {
            let rule: String
            let target: String
            let actions: [String]
        }
        let recommendations: [Recommendation]
    }

    /// Sizes low enough that a few megabytes count as a large table.
    static let config = """
        hardware:
          vcpus: 2
          memory_gb: 1
        thresholds:
          table_size_gb: {warning: 0.001, critical: 1000}
        """

    @Test func generatedPlanMigratesATimeSeriesTable() throws {
        let dsn = try TestServer.freshDatabase(Self.database)
        try TestServer.psql(
            """
            CREATE TABLE public.events (
                id bigserial PRIMARY KEY,
                created_at timestamptz NOT NULL,
                tenant_id integer NOT NULL,
                payload text);
            CREATE INDEX events_tenant_idx ON public.events (tenant_id);
            CREATE UNIQUE INDEX events_tenant_id_key ON public.events (tenant_id, id);
            INSERT INTO public.events (created_at, tenant_id, payload)
                SELECT now() - interval '200 days' + g * interval '10 minutes', g % 50, repeat('x', 100)
                FROM generate_series(1, 28000) AS g;
            DELETE FROM public.events WHERE created_at < now() - interval '150 days';
            ANALYZE public.events;
            """, dsn: dsn)
        let before = try TestServer.psql("SELECT count(*) FROM public.events", dsn: dsn)
        let configFile = try Shell.temporaryFile(".yml")
        try Data(Self.config.utf8).write(to: configFile)
        let result = try Shell.dbadvise([
            "analyze", "--dsn", dsn, "--interval", "0", "--config", configFile.path, "--format", "json",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSONDecoder().decode(Report.self, from: Data(result.stdout.utf8))
        let plan = try #require(
            report.recommendations.first { $0.rule == "partition-large-time-series" && $0.target == "public.events" },
            "no partitioning recommendation: \(report.recommendations.map(\.rule))")
        let statements = plan.actions.filter { $0.hasPrefix("-- ") }
        #expect(statements.contains { $0.contains("PARTITION BY RANGE (created_at)") })
        #expect(statements.contains { $0.contains("ADD PRIMARY KEY (id, created_at)") })
        #expect(statements.contains { $0.contains("partman.create_parent") })
        #expect(statements.contains { $0.contains("partman.part_config") }, "old rows are deleted: retention")
        // pg_partman is not installed on the test server; everything else must run as written.
        for sql in statements where !sql.contains("partman.") {
            try TestServer.psql(sql, dsn: dsn)
        }
        #expect(
            try TestServer.psql("SELECT relkind FROM pg_class WHERE oid = 'public.events'::regclass", dsn: dsn) == "p")
        #expect(try TestServer.psql("SELECT count(*) FROM public.events", dsn: dsn) == before)
        let inDefault = try TestServer.psql(
            "SELECT count(*) FROM public.events_partitioned_default", dsn: dsn)
        #expect(inDefault == "0", "every row found its partition")
        // New rows keep flowing through the renamed parent.
        try TestServer.psql("INSERT INTO public.events (created_at, tenant_id) VALUES (now(), 1)", dsn: dsn)
    }
}
