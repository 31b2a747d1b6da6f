import DBAdviseAnalysis
import DBAdviseModel
import DBAdviseOutput
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

    /// A time-ordered events table, filled in time order over 200 days, whose rows older than
    /// 150 days were deleted; returns the DSN and the row count.
    static func timeSeriesTable(_ database: String, partman: Bool) throws -> (dsn: String, rows: String) {
        let dsn = try TestServer.freshDatabase(database)
        if partman {
            try TestServer.psql("CREATE SCHEMA partman; CREATE EXTENSION pg_partman SCHEMA partman;", dsn: dsn)
        }
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
        return (dsn, try TestServer.psql("SELECT count(*) FROM public.events", dsn: dsn))
    }

    /// The recommendation's SQL actions (`-- n. title` / `-- lock:` / SQL). The table was
    /// loaded seconds ago, a window no growth can be read from (the plan would then have no
    /// retention); the collected snapshot is edited to what a collection on a server whose
    /// statistics were reset when the data began, 200 days ago, measures: the same counters
    /// over 200 days.
    static func plan(_ dsn: String) throws -> [String] {
        let configFile = try Shell.temporaryFile(".yml")
        try Data(Self.config.utf8).write(to: configFile)
        let collected = try Shell.dbadvise(["collect", "--dsn", dsn, "--interval", "0"])
        #expect(collected.status == 0, "\(collected.stderr)")
        var snapshot = try SnapshotCoding.decoder().decode(Snapshot.self, from: Data(collected.stdout.utf8))
        let days = 200.0 * 86_400
        snapshot.server.statsReset = snapshot.interval.finishedAt.addingTimeInterval(-days)
        snapshot.server.startTime = snapshot.server.statsReset
        snapshot.interval.rateSeconds = days
        snapshot.tables = snapshot.tables?.map { table in
            var table = table
            let written = (table.nTupIns ?? 0) + (table.nTupUpd ?? 0) + (table.nTupDel ?? 0)
            table.writesPerSecond = Double(written) / days
            return table
        }
        let database = snapshot.database
        snapshot.rates.writesPerSecond = database.map {
            Double(($0.tupInserted ?? 0) + ($0.tupUpdated ?? 0) + ($0.tupDeleted ?? 0)) / days
        }
        let file = try Shell.temporaryFile(".json")
        try SnapshotCoding.encoder().encode(snapshot).write(to: file)
        let result = try Shell.dbadvise([
            "analyze", "--input", file.path, "--config", configFile.path, "--format", "json",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSONDecoder().decode(Report.self, from: Data(result.stdout.utf8))
        let plan = try #require(
            report.recommendations.first { $0.rule == "partition-large-time-series" && $0.target == "public.events" },
            "no partitioning recommendation: \(report.recommendations.map(\.rule))")
        return plan.actions.filter { $0.hasPrefix("-- ") }
    }

    @Test func generatedPlanMigratesATimeSeriesTable() throws {
        let (dsn, before) = try Self.timeSeriesTable(Self.database, partman: false)
        let statements = try Self.plan(dsn)
        #expect(statements.contains { $0.contains("PARTITION BY RANGE (created_at)") })
        #expect(statements.contains { $0.contains("ADD PRIMARY KEY (id, created_at)") })
        #expect(statements.contains { $0.contains("partman.create_parent") })
        #expect(!statements.contains { $0.contains("p_type") }, "pg_partman not installed: the 5.x call")
        #expect(statements.contains { $0.contains("partman.part_config") }, "old rows are deleted: retention")
        // The path without pg_partman must run as written (pg_partman's steps say "With pg_partman").
        for sql in statements where !sql.contains("With pg_partman") {
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

    /// pg_partman (Debian's 4.x) installed in the database: the plan writes the call for that
    /// version, and the pg_partman path (its create_parent instead of the hand-made
    /// partitions, retention, the rename after the swap) runs, and so does its maintenance.
    @Test func generatedPlanRunsWithPgPartman() throws {
        guard TestServer.hasPgPartman else {
            // Debian packages pg_partman for its own server (15) only: the other builds must not
            // offer it, and the plan without it is generatedPlanMigratesATimeSeriesTable's.
            let available = try TestServer.psql(
                "SELECT count(*) FROM pg_available_extensions WHERE name = 'pg_partman'", database: "postgres")
            #expect(available == "0", "pg_partman is available: scripts/test-server.sh should have said so")
            return
        }
        let (dsn, before) = try Self.timeSeriesTable(Self.database + "_partman", partman: true)
        let version = try TestServer.psql("SELECT extversion FROM pg_extension WHERE extname = 'pg_partman'", dsn: dsn)
        let statements = try Self.plan(dsn)
        let createParent = try #require(statements.first { $0.contains("partman.create_parent") })
        #expect(createParent.contains("p_type := 'native'") == version.hasPrefix("4."), "\(createParent)")
        #expect(createParent.contains("p_start_partition := (SELECT"))
        for sql in statements where !sql.contains("(without pg_partman") {
            try TestServer.psql(sql, dsn: dsn)
        }
        #expect(try TestServer.psql("SELECT count(*) FROM public.events", dsn: dsn) == before)
        #expect(
            try TestServer.psql(
                "SELECT count(*) FROM partman.part_config WHERE parent_table = 'public.events' AND retention IS NOT NULL",
                dsn: dsn) == "1")
        #expect(
            try TestServer.psql("SELECT count(*) FROM public.events_partitioned_default", dsn: dsn) == "0",
            "pg_partman made partitions from the oldest row on")
        let partitions = "SELECT count(*) FROM pg_inherits WHERE inhparent = 'public.events'::regclass"
        let made = try TestServer.psql(partitions, dsn: dsn)
        try TestServer.psql("SELECT partman.run_maintenance('public.events')", dsn: dsn)
        #expect(
            Int(try TestServer.psql(partitions, dsn: dsn)) ?? 0 >= 1,
            "maintenance still finds the parent (\(made) before)")
        try TestServer.psql("INSERT INTO public.events (created_at, tenant_id) VALUES (now(), 1)", dsn: dsn)
    }
}
