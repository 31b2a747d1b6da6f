import DBAdviseAnalysis
import DBAdviseModel
import DBAdviseOutput
import DBAdviseTestSupport
import Foundation
import Testing

/// What the report says about partitioning and sharding, decoded from `analyze --format json`.
struct AdviceReport: Decodable {
    struct Evidence: Decodable {
        let metric: String
        let value: Double?
        let threshold: Double?
        let note: String?
    }
    struct Recommendation: Decodable {
        let rule: String
        let strategy: String
        let severity: String
        let target: String
        let summary: String
        let evidence: [Evidence]
        let actions: [String]
    }
    struct NotRecommended: Decodable {
        let strategy: String
        let reason: String
        let evidence: [Evidence]?
    }
    let recommendations: [Recommendation]
    let notRecommended: [NotRecommended]

    enum CodingKeys: String, CodingKey {
        case recommendations
        case notRecommended = "not_recommended"
    }

    func first(_ rule: String, target: String? = nil) -> Recommendation? {
        recommendations.first { $0.rule == rule && (target == nil || $0.target == target) }
    }

    /// Runs the built binary live against `dsn` with a YAML config (`--interval 0`: counters
    /// since the statistics reset).
    /// Waits first until the statements the test ran have their counters in the statistics.
    static func analyze(_ dsn: String, config: String) throws -> AdviceReport {
        try TestServer.settleStatistics(dsn: dsn)
        return try analyze(["--dsn", dsn, "--interval", "0"], config: config)
    }

    /// Runs the built binary on a snapshot file with a YAML config.
    static func analyze(input: String, config: String) throws -> AdviceReport {
        try analyze(["--input", input], config: config)
    }

    private static func analyze(_ source: [String], config: String) throws -> AdviceReport {
        let result = try Shell.dbadvise(
            ["analyze"] + source + ["--config", try Shell.configFile(config), "--format", "json"])
        #expect(result.status == 0, "dbadvise analyze: \(result.stderr)")
        return try JSONDecoder().decode(AdviceReport.self, from: Data(result.stdout.utf8))
    }
}

/// A range-partitioned table as it ages in production: one month far larger than the others,
/// rows in the default partition, an index made ON ONLY the parent and never attached on two
/// partitions, the oldest month emptied by a DELETE job, older months nobody writes or reads.
/// The rules must find each, and the SQL they give must run.
@Suite("partition advice on an existing partitioned table", .serialized, TestServer.enabled)
struct ExistingPartitionsAdviceTests {
    static let database = "partition_advice"

    /// Months m = -11 … +1 around the current one (UTC), 1,500 rows in each past month and the
    /// current one, 30,000 in month -6, 300 rows three months ahead (no partition: default).
    /// Rows are spread over the first 27 days of their month, so February (month -11 in
    /// January) holds all of its own.
    static let setup = """
        CREATE SCHEMA partman;
        CREATE EXTENSION pg_partman SCHEMA partman;
        CREATE TABLE public.metrics (
            id bigserial,
            device_id integer NOT NULL,
            created_at timestamptz NOT NULL,
            value double precision,
            note text
        ) PARTITION BY RANGE (created_at);
        CREATE FUNCTION pg_temp.month_start(m integer) RETURNS timestamptz LANGUAGE sql AS
            $$ SELECT (date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => m)) AT TIME ZONE 'UTC' $$;
        DO $setup$
        BEGIN
            FOR m IN -11..1 LOOP
                EXECUTE format('CREATE TABLE public.%I PARTITION OF public.metrics FOR VALUES FROM (%L) TO (%L)',
                    'metrics_' || to_char(pg_temp.month_start(m) AT TIME ZONE 'UTC', 'YYYY_MM'),
                    pg_temp.month_start(m), pg_temp.month_start(m + 1));
            END LOOP;
        END
        $setup$;
        CREATE TABLE public.metrics_default PARTITION OF public.metrics DEFAULT;
        CREATE INDEX metrics_created_at_idx ON public.metrics (created_at);
        INSERT INTO public.metrics (device_id, created_at, value, note)
            SELECT g % 2000, pg_temp.month_start(m) + (g % 1300) * interval '30 minutes', g, repeat('x', 40)
            FROM generate_series(-11, 0) AS m,
                LATERAL generate_series(1, CASE WHEN m = -6 THEN 30000 ELSE 1500 END) AS g;
        INSERT INTO public.metrics (device_id, created_at, value)
            SELECT g, pg_temp.month_start(3) + g * interval '1 minute', g FROM generate_series(1, 300) AS g;
        -- an index made ON ONLY the parent, attached on every partition but last month's and the default
        CREATE INDEX metrics_device_idx ON ONLY public.metrics (device_id);
        DO $setup$
        DECLARE
            child regclass;
        BEGIN
            FOR child IN
                SELECT inhrelid::regclass FROM pg_inherits
                WHERE inhparent = 'public.metrics'::regclass
                    AND inhrelid NOT IN ('public.metrics_default'::regclass,
                        format('public.metrics_%s', to_char(pg_temp.month_start(-1) AT TIME ZONE 'UTC', 'YYYY_MM'))::regclass)
            LOOP
                EXECUTE format('CREATE INDEX %I ON %s (device_id)', child::text || '_device', child);
                EXECUTE format('ALTER INDEX public.metrics_device_idx ATTACH PARTITION %I', child::text || '_device');
            END LOOP;
        END
        $setup$;
        ANALYZE public.metrics;
        """

    /// After the statistics reset: the current month takes inserts, a retention job deletes
    /// month -11, reports read the last three months, one of them for one device (device_id is
    /// the key the application looks rows up by). Months -10 … -4 see nothing. Literal
    /// bounds, so the planner prunes the partitions a statement does not touch.
    static func workload() throws -> String {
        """
        INSERT INTO public.metrics (device_id, created_at, value)
            SELECT g, timestamptz '\(try monthStart(0))' + g * interval '1 minute', g FROM generate_series(1, 200) AS g;
        DELETE FROM public.metrics WHERE created_at < '\(try monthStart(-10))';
        SELECT count(*) FROM public.metrics WHERE created_at >= '\(try monthStart(-3))';
        SELECT count(*) FROM public.metrics WHERE device_id = 7 AND created_at >= '\(try monthStart(-3))';
        """
    }

    /// The first instant of month `offset` from now, UTC, as a literal.
    static func monthStart(_ offset: Int) throws -> String {
        try TestServer.psql(
            "SELECT to_char(date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => \(offset)), 'YYYY-MM-DD HH24:MI:SS') || '+00'",
            database: database)
    }

    static func month(_ offset: Int) throws -> String {
        try TestServer.psql(
            "SELECT 'public.metrics_' || to_char((date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => \(offset))), 'YYYY_MM')",
            database: database)
    }

    /// Partition sizes low enough that the 4 MB month is past partition_size_gb, on a machine
    /// far larger than the data.
    static let roomyMachine = """
        hardware:
          memory_gb: 64
          max_memory_gb: 1024
          storage_gb: 2000
        thresholds:
          partition_size_gb: {warning: 0.003, critical: 1000}
        """

    /// The largest machine has 2 MB of memory: the 4 MB partition is beyond it.
    static let tinyMachine = """
        hardware:
          memory_gb: 0.001
          max_memory_gb: 0.002
          storage_gb: 2000
        thresholds:
          partition_size_gb: {warning: 0.003, critical: 1000}
        """

    /// The months are placed around the server's current month, and the rules judge them
    /// against the snapshot's own time; a run straddling the end of a month would see every
    /// month move by one between the setup and the analysis. Starting within two minutes of a
    /// month's end (UTC), the test waits until it has passed.
    static func awayFromTheEndOfAMonth() throws {
        let left = try TestServer.psql(
            """
            SELECT EXTRACT(EPOCH FROM date_trunc('month', now() AT TIME ZONE 'UTC') + interval '1 month'
                - now() AT TIME ZONE 'UTC')
            """, database: "postgres")
        if let seconds = Double(left), seconds < 120 { Thread.sleep(forTimeInterval: seconds + 1) }
    }

    @Test func diagnosesAndItsSQLRuns() throws {
        try Self.awayFromTheEndOfAMonth()
        let dsn = try TestServer.freshDatabase(Self.database)
        try TestServer.psql(Self.setup, dsn: dsn)
        // Counters start from here; ANALYZE sets the live row counts again.
        try TestServer.resetStatistics(dsn: dsn)
        try TestServer.psql("ANALYZE public.metrics", dsn: dsn)
        try TestServer.psql(try Self.workload(), dsn: dsn)
        let skewed = try Self.month(-6)
        let lastMonth = try Self.month(-1)
        let emptied = try Self.month(-11)
        let cold = try (-10 ... -4).map(Self.month)
        let read = try (-3 ... -1).map(Self.month)

        let report = try AdviceReport.analyze(dsn, config: Self.roomyMachine)

        // Skew: the 30,000-row month against the median of the months holding rows.
        let skew = try #require(report.first("partition-skew", target: "public.metrics"), "\(report.recommendations)")
        #expect(skew.summary.contains(skewed), "\(skew.summary)")
        let ratio = try #require(skew.evidence.first { $0.metric == "largest_to_median_partition(public.metrics)" })
        #expect((ratio.value ?? 0) >= 10, "\(ratio)")
        let count = try #require(skew.evidence.first { $0.metric == "partition_count(public.metrics)" })
        #expect(count.value == 14, "13 months and the default")

        // Rows in the default partition.
        let inDefault = try #require(report.first("partition-default-catching-rows", target: "public.metrics"))
        #expect(inDefault.summary.contains("300 rows"), "\(inDefault.summary)")

        // The index missing on last month and the default partition, fixed with its own SQL.
        let missing = try #require(report.first("partition-missing-indexes", target: "public.metrics"))
        #expect(missing.summary.contains("metrics_device_idx (invalid) is missing on"), "\(missing.summary)")
        #expect(missing.summary.contains(lastMonth) && missing.summary.contains("public.metrics_default"))

        // Old partitions: month -11 emptied by the DELETE job, months -10 … -4 cold; the
        // months read by reports and the current one are kept.
        let retention = try #require(report.first("partition-retention-drop", target: "public.metrics"))
        #expect(retention.severity == "warning", "old rows are deleted")
        for name in [emptied] + cold {
            #expect(retention.summary.contains(name), "\(name) missing from: \(retention.summary)")
        }
        for name in read + [try Self.month(0)] {
            #expect(!retention.summary.contains(name + " "), "\(name) is in use: \(retention.summary)")
        }
        #expect(retention.evidence.contains { $0.metric == "old_partition_deletes" && $0.value == 1_500 })
        #expect(retention.evidence.contains { $0.metric == "droppable_partitions" && $0.value == 8 })

        // Nothing beyond the machine: sharding is not recommended, with the numbers.
        #expect(!report.recommendations.contains { $0.strategy == "sharding" })
        let sharding = try #require(report.notRecommended.first { $0.strategy == "sharding" })
        #expect(sharding.reason.contains("hardware.max_memory_gb (configured)"), "\(sharding.reason)")
        #expect(sharding.reason.contains(skewed), "the largest partition is named: \(sharding.reason)")

        // A machine smaller than the skewed partition: now sharding is the step for it.
        let small = try AdviceReport.analyze(dsn, config: Self.tinyMachine)
        let shard = try #require(
            small.first("shard-beyond-one-machine", target: skewed), "\(small.recommendations.map(\.target))")
        #expect(shard.summary.contains("hardware.max_memory_gb"), "\(shard.summary)")
        #expect(shard.actions.contains { $0.contains("create_distributed_table") })
        #expect(shard.actions.contains { $0.hasPrefix("Distribute on device_id: ") }, "\(shard.actions)")

        // The SQL actions run: the missing indexes are built and attached …
        for sql in missing.actions where sql.hasPrefix("-- ") {
            try TestServer.psql(sql, dsn: dsn)
        }
        #expect(
            try TestServer.psql(
                "SELECT indisvalid FROM pg_index WHERE indexrelid = 'public.metrics_device_idx'::regclass", dsn: dsn)
                == "t", "every partition has its index: the parent index is valid")
        // … and the old partitions are detached and dropped (plain DETACH: there is a default).
        let partitions = "SELECT count(*) FROM pg_inherits WHERE inhparent = 'public.metrics'::regclass"
        #expect(try TestServer.psql(partitions, dsn: dsn) == "14")
        #expect(!retention.actions.contains { $0.contains("CONCURRENTLY;") })
        for sql in retention.actions where sql.hasPrefix("-- ") {
            try TestServer.psql(sql, dsn: dsn)
        }
        #expect(try TestServer.psql(partitions, dsn: dsn) == "6")
        #expect(try TestServer.psql("SELECT to_regclass('\(skewed)') IS NULL", dsn: dsn) == "t")

        // Analyzed again: nothing left to drop or index.
        let after = try AdviceReport.analyze(dsn, config: Self.roomyMachine)
        #expect(after.first("partition-missing-indexes") == nil)
        #expect(after.first("partition-retention-drop") == nil, "\(after.recommendations.map(\.summary))")
    }

    /// Without a default partition, old partitions are detached CONCURRENTLY, one statement an
    /// action (it cannot run in a transaction block), and that runs too.
    @Test func detachesConcurrentlyWithoutADefaultPartition() throws {
        let database = Self.database + "_concurrent"
        let dsn = try TestServer.freshDatabase(database)
        try TestServer.psql(
            """
            CREATE TABLE public.logs (at date NOT NULL, line text) PARTITION BY RANGE (at);
            CREATE TABLE public.logs_old PARTITION OF public.logs FOR VALUES FROM ('2000-01-01') TO ('2001-01-01');
            CREATE TABLE public.logs_older PARTITION OF public.logs FOR VALUES FROM ('1999-01-01') TO ('2000-01-01');
            CREATE TABLE public.logs_now PARTITION OF public.logs FOR VALUES FROM ('2001-01-01') TO (MAXVALUE);
            INSERT INTO public.logs SELECT date '1999-01-01' + g, 'x' FROM generate_series(0, 729) AS g;
            """, dsn: dsn)
        // A session of its own: the inserts' counters reach the statistics when their session
        // commits, and must land before the reset.
        try TestServer.resetStatistics(dsn: dsn)
        try TestServer.psql("ANALYZE public.logs", dsn: dsn)
        try TestServer.psql("INSERT INTO public.logs VALUES (current_date, 'today')", dsn: dsn)
        let report = try AdviceReport.analyze(dsn, config: Self.roomyMachine)
        let retention = try #require(report.first("partition-retention-drop", target: "public.logs"))
        #expect(retention.severity == "info", "cold partitions only, no deletes")
        let detaches = retention.actions.filter { $0.contains("CONCURRENTLY;") }
        #expect(detaches.count == 2, "\(retention.actions)")
        for sql in retention.actions where sql.hasPrefix("-- ") {
            try TestServer.psql(sql, dsn: dsn)
        }
        #expect(
            try TestServer.psql("SELECT count(*) FROM pg_inherits WHERE inhparent = 'public.logs'::regclass", dsn: dsn)
                == "1")
    }
}

/// A multi-tenant schema: every large table carries tenant_id, joined through foreign keys to
/// tenants (order_items to orders through the co-location key (tenant_id, order_id)); they
/// also share a decoy, created_by, with more distinct values than tenant_id but no foreign
/// key; orders and order_items share a low-cardinality status; small lookup tables. tenant_id
/// must rank first as the distribution column with the foreign keys as evidence, also in a
/// redacted snapshot, the lookups become reference tables, and sharding is recommended only
/// when a table outgrows the configured machine.
@Suite("shard key on a multi-tenant schema", .serialized, TestServer.enabled)
struct MultiTenantShardingTests {
    static let database = "multi_tenant"

    static let schema = """
        CREATE TABLE public.plans (id integer PRIMARY KEY, name text NOT NULL);
        CREATE TABLE public.countries (id integer PRIMARY KEY, name text NOT NULL, code text NOT NULL);
        CREATE TABLE public.tenants (id integer PRIMARY KEY, name text NOT NULL, plan_id integer REFERENCES public.plans);
        CREATE TABLE public.accounts (
            id bigint PRIMARY KEY,
            tenant_id integer NOT NULL REFERENCES public.tenants,
            country_id integer REFERENCES public.countries,
            email text NOT NULL,
            created_by integer NOT NULL,
            created_at timestamptz NOT NULL);
        CREATE TABLE public.products (
            id bigint PRIMARY KEY,
            tenant_id integer NOT NULL REFERENCES public.tenants,
            name text NOT NULL,
            price numeric(10, 2) NOT NULL,
            created_by integer NOT NULL);
        CREATE TABLE public.orders (
            id bigint PRIMARY KEY,
            tenant_id integer NOT NULL REFERENCES public.tenants,
            account_id bigint NOT NULL REFERENCES public.accounts,
            status text NOT NULL,
            total numeric(12, 2) NOT NULL,
            created_by integer NOT NULL,
            created_at timestamptz NOT NULL,
            UNIQUE (tenant_id, id));
        CREATE TABLE public.order_items (
            id bigint PRIMARY KEY,
            tenant_id integer NOT NULL REFERENCES public.tenants,
            order_id bigint NOT NULL,
            product_id bigint NOT NULL REFERENCES public.products,
            status text NOT NULL,
            quantity integer NOT NULL,
            created_by integer NOT NULL,
            FOREIGN KEY (tenant_id, order_id) REFERENCES public.orders (tenant_id, id));
        INSERT INTO public.plans SELECT g, 'plan ' || g FROM generate_series(1, 4) AS g;
        INSERT INTO public.countries SELECT g, 'country ' || g, 'C' || g FROM generate_series(1, 30) AS g;
        INSERT INTO public.tenants SELECT g, 'tenant ' || g, g % 4 + 1 FROM generate_series(1, 1200) AS g;
        INSERT INTO public.accounts
            SELECT g, g % 1200 + 1, g % 30 + 1, 'user' || g || '@example.com', g % 5000 + 1, now() - g * interval '1 minute'
            FROM generate_series(1, 12000) AS g;
        INSERT INTO public.products
            SELECT g, g % 1200 + 1, 'product ' || g, g % 100, g % 5000 + 1 FROM generate_series(1, 6000) AS g;
        INSERT INTO public.orders
            SELECT g, (g % 12000 + 1) % 1200 + 1, g % 12000 + 1, (ARRAY['new', 'paid', 'shipped', 'done'])[g % 4 + 1],
                g % 500, g % 5000 + 1, now() - g * interval '1 minute'
            FROM generate_series(1, 60000) AS g;
        INSERT INTO public.order_items
            SELECT g, o.tenant_id, o.id, (g % 5) * 1200 + o.tenant_id, o.status, g % 7 + 1, g % 5000 + 1
            FROM generate_series(1, 150000) AS g
            JOIN public.orders AS o ON o.id = g % 60000 + 1;
        ANALYZE;
        """

    /// Half of the largest disk, 10 MB, is less than order_items and orders.
    static let smallMachine = """
        hardware:
          memory_gb: 0.004
          max_memory_gb: 0.004
          storage_gb: 0.01
          max_storage_gb: 0.01
        """

    static let roomyMachine = """
        hardware:
          memory_gb: 64
          max_memory_gb: 1024
          storage_gb: 2000
        """

    @Test func tenantColumnRanksFirstAndShardingOnlyBeyondTheMachine() throws {
        let dsn = try TestServer.freshDatabase(Self.database)
        try TestServer.psql(Self.schema, dsn: dsn)

        let small = try AdviceReport.analyze(dsn, config: Self.smallMachine)
        let shard = try #require(
            small.first("shard-beyond-one-machine", target: "public.order_items"),
            "\(small.recommendations.map { "\($0.rule) \($0.target)" })")
        #expect(shard.severity == "critical")
        #expect(shard.summary.contains("half of hardware.max_storage_gb"), "\(shard.summary)")
        // The distribution column: tenant_id, shared by every large table and joined through
        // foreign keys, first; created_by, shared with better statistics but never joined, below.
        let ranked = try #require(shard.actions.first { $0.hasPrefix("Distribute on ") }, "\(shard.actions)")
        #expect(ranked.hasPrefix("Distribute on tenant_id:"), "\(ranked)")
        #expect(
            ranked.contains(
                "joined through 5 foreign keys: order_items→orders, order_items→tenants, orders→tenants, accounts→tenants, products→tenants"
            ),
            "\(ranked)")
        #expect(shard.evidence.contains { $0.metric == "shard_key_distinct(tenant_id)" && ($0.value ?? 0) >= 1_000 })
        let joins = try #require(shard.evidence.first { $0.metric == "shard_key_foreign_keys(tenant_id)" })
        #expect(joins.value == 5, "\(joins)")
        // Citus keeps foreign keys between distributed tables only with the distribution column.
        let extend = try #require(shard.actions.first { $0.hasPrefix("Add tenant_id to the foreign keys") })
        #expect(extend.contains("orders→accounts (account_id)") && extend.contains("order_items→products (product_id)"))
        #expect(!extend.contains("order_items→orders"), "that key already includes tenant_id: \(extend)")
        for table in ["order_items", "orders", "accounts", "products"] {
            #expect(
                shard.actions.contains("SELECT create_distributed_table('public.\(table)', 'tenant_id');"),
                "\(table) distributed on tenant_id: \(shard.actions)")
        }
        // Small lookup tables without tenant_id are copied to every node; those the distributed
        // tables reference (plans through tenants) are named as required.
        for table in ["plans", "countries", "tenants"] {
            #expect(shard.actions.contains("SELECT create_reference_table('public.\(table)');"), "\(table)")
        }
        let required = try #require(shard.actions.first { $0.hasPrefix("Reference tables: ") })
        for table in ["plans", "countries", "tenants"] {
            #expect(required.contains("public.\(table)"), "\(table) is referenced: \(required)")
        }
        // Columns the big tables share but cannot spread rows (status: 4 values) are not offered.
        #expect(!shard.actions.contains { $0.contains("Distribute on status") })
        #expect(!shard.actions.contains { $0.contains("'status')") })

        // A redacted snapshot ranks the same column, under its pseudonym.
        let snapshot = try Shell.temporaryFile(".json")
        defer { try? FileManager.default.removeItem(at: snapshot) }
        let collected = try Shell.dbadvise([
            "collect", "--dsn", dsn, "--interval", "0", "--redact", "--output", snapshot.path,
        ])
        #expect(collected.status == 0, "\(collected.stderr)")
        let redacted = try AdviceReport.analyze(input: snapshot.path, config: Self.smallMachine)
        let hidden = testRedactionKey.pseudonym
        let hiddenShard = try #require(redacted.recommendations.first { $0.rule == "shard-beyond-one-machine" })
        let hiddenRanked = try #require(hiddenShard.actions.first { $0.hasPrefix("Distribute on ") })
        #expect(hiddenRanked.hasPrefix("Distribute on \(hidden("tenant_id")):"), "\(hiddenRanked)")
        #expect(hiddenRanked.contains("joined through 5 foreign keys: "), "\(hiddenRanked)")
        #expect(hiddenRanked.contains("\(hidden("order_items"))→\(hidden("orders"))"), "\(hiddenRanked)")
        // no name in clear ("tenant-like" is the ranking's own word)
        #expect(
            !hiddenRanked.contains("tenant_id") && !hiddenRanked.contains("tenants") && !hiddenRanked.contains("orders")
        )
        #expect(
            hiddenShard.actions.contains(
                "SELECT create_distributed_table('\(hidden("public")).\(hidden("orders"))', '\(hidden("tenant_id"))');")
        )

        // On a machine that holds the data, sharding is not recommended, and the report says why.
        let roomy = try AdviceReport.analyze(dsn, config: Self.roomyMachine)
        #expect(!roomy.recommendations.contains { $0.strategy == "sharding" })
        let reason = try #require(roomy.notRecommended.first { $0.strategy == "sharding" })
        #expect(reason.reason.contains("public.order_items"), "\(reason.reason)")
        #expect(reason.reason.contains("(half of hardware.max_storage_gb 65,536 GB, assumed)"), "\(reason.reason)")
        let ceiling = try #require(reason.evidence?.first { $0.metric == "largest_relation_bytes" })
        #expect((ceiling.value ?? 0) > 0 && (ceiling.threshold ?? 0) > (ceiling.value ?? 0))
    }

    /// The first shard-beyond-one-machine recommendation on the small machine for `schema`,
    /// made in a fresh database `database`.
    static func shardAdvice(database: String, schema: String) throws -> AdviceReport.Recommendation {
        let dsn = try TestServer.freshDatabase(database)
        try TestServer.psql(schema, dsn: dsn)
        let report = try AdviceReport.analyze(dsn, config: smallMachine)
        return try #require(
            report.recommendations.first { $0.rule == "shard-beyond-one-machine" },
            "\(report.recommendations.map { "\($0.rule) \($0.target)" })")
    }

    /// 200 tenants (under the old 1,000-distinct cut-off), each table's only high-cardinality
    /// columns besides tenant_id being an md5 text, a JSONB document, a float and a timestamp.
    @Test func twoHundredTenantsRankFirstAndContentIsNeverOffered() throws {
        let shard = try Self.shardAdvice(
            database: "multi_tenant_200",
            schema: """
                CREATE TABLE public.tenants (id integer PRIMARY KEY, name text NOT NULL);
                CREATE TABLE public.documents (
                    id bigint PRIMARY KEY,
                    tenant_id integer NOT NULL REFERENCES public.tenants,
                    payload text NOT NULL,
                    body jsonb NOT NULL,
                    score double precision NOT NULL,
                    created_at timestamptz NOT NULL);
                INSERT INTO public.tenants SELECT g, 'tenant ' || g FROM generate_series(1, 200) AS g;
                INSERT INTO public.documents
                    SELECT g, g % 200 + 1, md5(g::text), jsonb_build_object('n', g, 'tag', md5(g::text)), g / 7.0,
                        now() - g * interval '1 second'
                    FROM generate_series(1, 60000) AS g;
                ANALYZE;
                """)
        let ranked = try #require(shard.actions.first { $0.hasPrefix("Distribute on ") }, "\(shard.actions)")
        #expect(ranked.hasPrefix("Distribute on tenant_id: "), "\(ranked)")
        #expect(ranked.contains("references the tenant-like table public.tenants"), "\(ranked)")
        let distinct = try #require(shard.evidence.first { $0.metric == "shard_key_distinct(tenant_id)" })
        #expect(distinct.value == 200 && distinct.threshold == 128, "\(distinct)")
        let payload = try #require(
            shard.evidence.first { $0.metric == "shard_key_rejected(payload)" }, "\(shard.evidence.map(\.metric))")
        #expect(payload.note == "text with no key or equality use")
        #expect(
            shard.evidence.first { $0.metric == "shard_key_rejected(body)" }?.note
                == "jsonb: a document, not an identifier")
        for column in ["payload", "body", "score", "created_at"] {
            #expect(!shard.actions.contains { $0.contains("'\(column)')") || $0.hasPrefix("Distribute on \(column)") })
        }
        #expect(shard.actions.contains("SELECT create_distributed_table('public.documents', 'tenant_id');"))
    }

    /// Notion's path: blocks carry space_id (a key to the 200 spaces) on one row in five while
    /// it is backfilled, and parent_id, a key to blocks itself.
    @Test func aTenantKeyBeingBackfilledIsBackfillThenDistributeNotTheParent() throws {
        let shard = try Self.shardAdvice(
            database: "multi_tenant_backfill",
            schema: """
                CREATE TABLE public.spaces (id uuid PRIMARY KEY, name text NOT NULL);
                CREATE TABLE public.blocks (
                    id uuid PRIMARY KEY,
                    space_id uuid REFERENCES public.spaces,
                    parent_id uuid REFERENCES public.blocks,
                    content text NOT NULL);
                INSERT INTO public.spaces SELECT md5('space' || g)::uuid, 'space ' || g FROM generate_series(0, 199) AS g;
                INSERT INTO public.blocks
                    SELECT md5('block' || g)::uuid,
                        CASE WHEN g % 5 = 0 THEN md5('space' || (g / 5) % 200)::uuid END,
                        CASE WHEN g > 10 THEN md5('block' || g / 10)::uuid END,
                        repeat(md5(g::text), 4)
                    FROM generate_series(1, 50000) AS g;
                ANALYZE;
                """)
        let first = try #require(
            shard.actions.first { $0.hasPrefix("Backfill ") || $0.hasPrefix("Distribute on ") }, "\(shard.actions)")
        #expect(first.hasPrefix("Backfill space_id ("), "\(shard.actions)")
        #expect(first.contains("% NULL in public.blocks), then distribute on it: "), "\(first)")
        #expect(shard.actions.contains("SELECT create_distributed_table('public.blocks', 'space_id');"))
        #expect(!shard.actions.contains { $0.contains("'parent_id'") || $0.hasPrefix("Distribute on parent_id") })
        let nulls = try #require(shard.evidence.first { $0.metric == "shard_key_null_frac(space_id)" })
        #expect((nulls.value ?? 0) > 0.7 && (nulls.value ?? 1) < 0.9, "\(nulls)")
        #expect(
            shard.evidence.first { $0.metric == "shard_key_rejected(content)" }?.note
                == "text with no key or equality use")
    }
}

/// A `pg_monitor`-only role cannot SELECT public.events, so pg_stats shows it no statistics:
/// the snapshot says so with the grant, and the partitioning and shard-key advice says
/// "unknown"; granted SELECT, the same table gets its time-ordered plan.
@Suite("advice from statistics the role could not see", .serialized, TestServer.enabled)
struct HiddenColumnStatsAdviceTests {
    static let database = "hidden_column_stats"
    static let role = "shardkeys_monitor"

    static let config =
        MultiTenantShardingTests.smallMachine + """

            thresholds:
              table_size_gb: {warning: 0.001, critical: 10}
            """

    func collect(_ dsn: String) throws -> (snapshot: Snapshot, path: URL) {
        let file = try Shell.temporaryFile(".json")
        let result = try Shell.dbadvise(["collect", "--dsn", dsn, "--interval", "0", "--output", file.path])
        #expect(result.status == 0, "\(result.stderr)")
        let snapshot = try SnapshotCoding.decoder().decode(Snapshot.self, from: Data(contentsOf: file))
        return (snapshot, file)
    }

    @Test func hiddenStatisticsAreUnavailableAndTheAdviceSaysUnknown() throws {
        let dsn = try TestServer.freshDatabase(Self.database)
        try TestServer.psql(
            """
            DROP ROLE IF EXISTS \(Self.role);
            CREATE ROLE \(Self.role) LOGIN IN ROLE pg_monitor;
            CREATE TABLE public.events (
                id bigint PRIMARY KEY,
                tenant_id integer NOT NULL,
                created_at timestamptz NOT NULL,
                payload text NOT NULL);
            INSERT INTO public.events
                SELECT g, g % 300 + 1, now() - (60001 - g) * interval '1 second', md5(g::text)
                FROM generate_series(1, 60000) AS g;
            ANALYZE;
            """, dsn: dsn)
        defer {
            _ = try? TestServer.psql("DROP OWNED BY \(Self.role); DROP ROLE IF EXISTS \(Self.role);", dsn: dsn)
        }
        try TestServer.settleStatistics(dsn: dsn)
        let monitorDSN = dsn.replacingOccurrences(of: "user=postgres", with: "user=\(Self.role)")

        let blind = try collect(monitorDSN)
        defer { try? FileManager.default.removeItem(at: blind.path) }
        let hidden = try #require(
            blind.snapshot.unavailable.first { $0.section == "column_stats.public.events" },
            "\(blind.snapshot.unavailable)")
        #expect(hidden.reason.contains("grant SELECT on public.events"), "\(hidden.reason)")
        #expect(hidden.reason.contains("pg_read_all_data (PostgreSQL 14+)"), "\(hidden.reason)")
        #expect(blind.snapshot.columnStats?.contains { $0.table == "events" && $0.column == "created_at" } == true)

        let report = try AdviceReport.analyze(input: blind.path.path, config: Self.config)
        #expect(report.first("partition-large-time-series", target: "public.events") == nil)
        let partition = try #require(
            report.first("partition-large-table", target: "public.events"),
            "\(report.recommendations.map { "\($0.rule) \($0.target)" })")
        #expect(
            partition.summary.contains("its partition key is unknown (column statistics hidden: "),
            "\(partition.summary)")
        #expect(!partition.summary.contains("no time-ordered column"))
        #expect(!partition.actions.contains { $0.contains("created_at column") })
        let shard = try #require(report.first("shard-beyond-one-machine", target: "public.events"))
        #expect(
            shard.actions.contains { $0.hasPrefix("Distribution column unknown (column statistics hidden: ") },
            "\(shard.actions)")
        #expect(!shard.actions.contains { $0.hasPrefix("Distribute on ") || $0.hasPrefix("No distribution column") })
        #expect(!shard.actions.contains { $0.contains("add a tenant") })

        // granted SELECT, the statistics show: nothing hidden, the time-ordered plan
        try TestServer.psql("GRANT SELECT ON public.events TO \(Self.role);", dsn: dsn)
        let seen = try collect(monitorDSN)
        defer { try? FileManager.default.removeItem(at: seen.path) }
        #expect(
            !seen.snapshot.unavailable.contains { $0.section.hasPrefix("column_stats.") },
            "\(seen.snapshot.unavailable)")
        let granted = try AdviceReport.analyze(input: seen.path.path, config: Self.config)
        let plan = try #require(
            granted.first("partition-large-time-series", target: "public.events"),
            "\(granted.recommendations.map { "\($0.rule) \($0.target)" })")
        #expect(plan.summary.contains("grows along created_at"), "\(plan.summary)")
        #expect(granted.first("partition-large-table", target: "public.events") == nil)
    }

    /// Row-level security hides a table's statistics even from a role that may SELECT it; a
    /// table it may read without a policy shows them. An empty hidden table is not listed.
    @Test func rowLevelSecurityHidesStatisticsAndSaysSo() throws {
        let dsn = try TestServer.freshDatabase("hidden_column_stats_rls")
        try TestServer.psql(
            """
            DROP ROLE IF EXISTS \(Self.role)_rls;
            CREATE ROLE \(Self.role)_rls LOGIN IN ROLE pg_monitor;
            CREATE TABLE public.notes (id bigint PRIMARY KEY, owner_id integer NOT NULL, body text);
            CREATE TABLE public.open_notes (id bigint PRIMARY KEY, owner_id integer NOT NULL);
            CREATE TABLE public.empty_notes (id bigint PRIMARY KEY);
            INSERT INTO public.notes SELECT g, g % 50, md5(g::text) FROM generate_series(1, 5000) AS g;
            INSERT INTO public.open_notes SELECT g, g % 50 FROM generate_series(1, 5000) AS g;
            ALTER TABLE public.notes ENABLE ROW LEVEL SECURITY;
            CREATE POLICY own ON public.notes USING (owner_id = 1);
            GRANT SELECT ON public.notes, public.open_notes TO \(Self.role)_rls;
            ANALYZE;
            """, dsn: dsn)
        defer {
            _ = try? TestServer.psql("DROP OWNED BY \(Self.role)_rls; DROP ROLE IF EXISTS \(Self.role)_rls;", dsn: dsn)
        }
        try TestServer.settleStatistics(dsn: dsn)
        let collected = try collect(dsn.replacingOccurrences(of: "user=postgres", with: "user=\(Self.role)_rls"))
        defer { try? FileManager.default.removeItem(at: collected.path) }
        let hidden = collected.snapshot.unavailable.filter { $0.section.hasPrefix("column_stats.") }
        #expect(hidden.map(\.section) == ["column_stats.public.notes"], "\(collected.snapshot.unavailable)")
        #expect(hidden.first?.reason.contains("row-level security applies to the role on public.notes") == true)
        #expect(
            collected.snapshot.columnStats?.contains { $0.table == "open_notes" && $0.nDistinct != nil } == true,
            "a readable table keeps its statistics")
    }
}
