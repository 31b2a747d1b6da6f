import DBAdviseCollector
import DBAdviseModel
import DBAdviseTestSupport
import Foundation
import PostgresClient
import Testing

func collect(_ dsn: String, interval: Double, replicas: [String] = []) throws -> Snapshot {
    try SnapshotCollector.collect(
        CollectOptions(conninfo: dsn, replicas: replicas, intervalSeconds: interval, toolVersion: "test"))
}

func validateAgainstSchema(_ snapshot: Snapshot) throws {
    try SchemaValidator.validate(SnapshotCoding.encoder().encode(snapshot), schema: "snapshot.schema.json")
}

@Suite("collect under real pgbench load", .serialized, TestServer.enabled)
struct PgbenchCollectionTests {
    static let database = "collect_pgbench"

    @Test func deltasUnderLoadAreNonZeroAndSchemaValid() throws {
        let dsn = try TestServer.freshDatabase(Self.database)
        try TestServer.pgbench(["-i", "-s", "1", "-q"], database: Self.database)
        let load = try TestServer.startPgbench(["-T", "6", "-c", "2", "-n"], database: Self.database)
        defer { load.terminate() }
        Thread.sleep(forTimeInterval: 0.5)
        let snapshot = try collect(dsn, interval: 3)
        load.waitUntilExit()

        #expect(snapshot.schemaVersion == 1)
        #expect(snapshot.kind == "dbadvise.snapshot")
        #expect(snapshot.interval.mode == .delta)
        #expect(snapshot.interval.activitySamples >= 3)
        #expect(try #require(snapshot.interval.rateSeconds) > 2.5)
        #expect(snapshot.server.versionNum >= 120000)
        #expect(snapshot.server.inRecovery == false)
        #expect(snapshot.connection.database == Self.database)
        #expect(snapshot.database?.name == Self.database)
        #expect(try #require(snapshot.database?.sizeBytes) > 10_000_000)

        #expect(try #require(snapshot.rates.writesPerSecond) > 0)
        #expect(try #require(snapshot.rates.transactionsPerSecond) > 0)
        #expect(try #require(snapshot.rates.readsPerSecond) > 0)
        #expect(try #require(snapshot.rates.walBytesPerSecond) > 0)
        #expect(try #require(snapshot.wal?.walBytes) > 0)

        let tables = try #require(snapshot.tables)
        let accounts = try #require(tables.first { $0.name == "pgbench_accounts" })
        #expect(accounts.schema == "public")
        #expect(try #require(accounts.totalBytes) > 10_000_000)
        #expect(try #require(accounts.indexBytes) > 0)
        #expect(try #require(accounts.writesPerSecond) > 0)
        #expect(try #require(accounts.nTupUpd) > 0)
        let history = try #require(tables.first { $0.name == "pgbench_history" })
        #expect(try #require(history.nTupIns) > 0)

        let indexes = try #require(snapshot.indexes)
        let primaryKey = try #require(indexes.first { $0.name == "pgbench_accounts_pkey" })
        #expect(primaryKey.isPrimary && primaryKey.isUnique)
        #expect(primaryKey.columns == ["aid"])
        #expect(try #require(primaryKey.bytes) > 0)

        let shared = try #require(snapshot.server.setting("shared_buffers"))
        #expect(try #require(shared.bytes) > 0)
        #expect(snapshot.server.settings.contains { $0.name == "autovacuum_vacuum_scale_factor" })
        #expect(
            snapshot.server.extensions?.contains { $0.name == "pg_stat_statements" } == TestServer.hasPgStatStatements)

        if TestServer.hasPgStatStatements {
            // pg_stat_statements deltas name pgbench's statements, never ours
            #expect(snapshot.statements.available)
            let top = try #require(snapshot.statements.topByTotalTime)
            #expect(top.contains { ($0.query ?? "").contains("UPDATE pgbench_accounts") && $0.calls > 0 })
            #expect(!top.contains { ($0.query ?? "").contains("dbadvise") })
            let byCalls = try #require(snapshot.statements.topByCalls)
            #expect(zip(byCalls, byCalls.dropFirst()).allSatisfy { $0.calls >= $1.calls })
        } else {
            // a build without contrib (the PyPI PostgreSQL 16): recorded as unavailable
            #expect(!snapshot.statements.available)
            #expect(snapshot.statements.topByTotalTime == nil)
            #expect(snapshot.unavailable.contains { $0.section == "statements" })
        }

        let activity = try #require(snapshot.activity)
        #expect(activity.samples >= 3)
        #expect(activity.connections >= 1)
        #expect(activity.maxConnections == 100)

        #expect(snapshot.replication?.role == "primary")
        // PostgreSQL 17 moved the checkpoint counters out of pg_stat_bgwriter
        let checkpointView = try TestServer.serverVersionNum() >= 170_000 ? "pg_stat_checkpointer" : "pg_stat_bgwriter"
        #expect(snapshot.checkpoints?.source == checkpointView)
        #expect(try #require(snapshot.checkpoints?.checkpointsTimed) >= 0)
        #expect(snapshot.foreignKeys == [], "read, and pgbench -i makes none")
        try validateAgainstSchema(snapshot)
    }

    @Test func intervalZeroGivesAveragesSinceReset() throws {
        let dsn = try TestServer.dsn(database: Self.database)
        _ = try TestServer.freshDatabase("collect_since_reset")
        let snapshot = try collect(dsn, interval: 0)
        #expect(snapshot.interval.mode == .sinceReset)
        #expect(snapshot.interval.activitySamples == 1)
        #expect(try #require(snapshot.interval.rateSeconds) > 0)
        #expect(snapshot.rates.transactionsPerSecond != nil)
        #expect(snapshot.statements.available == TestServer.hasPgStatStatements)
        try validateAgainstSchema(snapshot)
    }

    @Test func redactedSnapshotNamesNoTableAndNoQuery() throws {
        let dsn = try TestServer.dsn(database: Self.database)
        let snapshot = testRedaction(try collect(dsn, interval: 0))
        let text = String(decoding: try SnapshotCoding.encoder().encode(snapshot), as: UTF8.self)
        #expect(snapshot.redacted)
        #expect(!text.contains("pgbench"))
        #expect(!text.contains("\"query\""))
        #expect(!text.contains(Self.database))
        #expect(snapshot.tables?.contains { $0.name == testRedactionKey.pseudonym("pgbench_accounts") } == true)
        try validateAgainstSchema(snapshot)
    }

    @Test func columnStatisticsOfLargeTables() throws {
        try TestServer.psql("ANALYZE", database: Self.database)
        let snapshot = try collect(try TestServer.dsn(database: Self.database), interval: 0)
        let aid = try #require(snapshot.columnStats?.first { $0.table == "pgbench_accounts" && $0.column == "aid" })
        #expect(aid.dataType == "integer")
        // random updates move rows around: the correlation is known, not necessarily near 1
        #expect(abs(try #require(aid.correlation)) <= 1)
        #expect(try #require(aid.nDistinct) == -1)
        #expect(aid.nullFrac == 0)
    }
}

@Suite("collect: partitions, locks, missing extension, round trips", .serialized, TestServer.enabled)
struct CatalogCollectionTests {
    @Test func partitionTreesWithStrategyKeyAndDefault() throws {
        let database = "collect_partitions"
        let dsn = try TestServer.freshDatabase(database)
        try TestServer.psql(
            """
            CREATE TABLE events (id bigserial, created_at timestamptz NOT NULL, payload text)
                PARTITION BY RANGE (created_at);
            CREATE TABLE events_2026_01 PARTITION OF events FOR VALUES FROM ('2026-01-01 00:00+00') TO ('2026-02-01 00:00+00');
            CREATE TABLE events_2026_02 PARTITION OF events FOR VALUES FROM ('2026-02-01 00:00+00') TO ('2026-03-01 00:00+00');
            CREATE TABLE events_default PARTITION OF events DEFAULT;
            CREATE INDEX ON events (created_at);
            INSERT INTO events (created_at, payload)
                SELECT timestamptz '2026-01-01' + (i || ' minutes')::interval, repeat('x', 100)
                FROM generate_series(0, 59999) AS i;
            INSERT INTO events (created_at) SELECT timestamptz '2026-03-15' FROM generate_series(1, 500);
            CREATE TABLE tenants_data (tenant text, v int) PARTITION BY LIST (tenant);
            CREATE TABLE tenants_a PARTITION OF tenants_data FOR VALUES IN ('a');
            CREATE TABLE hashed (id int) PARTITION BY HASH (id);
            CREATE TABLE hashed_0 PARTITION OF hashed FOR VALUES WITH (MODULUS 2, REMAINDER 0);
            CREATE TABLE hashed_1 PARTITION OF hashed FOR VALUES WITH (MODULUS 2, REMAINDER 1);
            CREATE INDEX events_payload_idx ON ONLY events (payload);
            CREATE INDEX events_2026_01_payload_idx ON events_2026_01 (payload);
            ALTER INDEX events_payload_idx ATTACH PARTITION events_2026_01_payload_idx;
            ANALYZE;
            """, database: database)
        // Bounds must read the same whatever the database's DateStyle and TimeZone.
        try TestServer.psql(
            "ALTER DATABASE \(database) SET DateStyle = 'SQL, DMY'; ALTER DATABASE \(database) SET TimeZone = 'America/New_York'",
            database: "postgres")
        Thread.sleep(forTimeInterval: 1)  // let the inserts' statistics reach pg_stat_user_tables
        let snapshot = try collect(dsn, interval: 0)
        let trees = try #require(snapshot.partitionedTables)
        let events = try #require(trees.first { $0.name == "events" })
        #expect(events.strategy == .range)
        #expect(events.key == "RANGE (created_at)")
        #expect(events.keyColumns == ["created_at"])
        #expect(events.partitions.count == 3)
        #expect(events.defaultPartition == "public.events_default")
        let defaultPartition = try #require(events.partitions.first { $0.isDefault })
        #expect(defaultPartition.bound == "DEFAULT")
        // March has no partition: its rows land in the default
        #expect(try #require(defaultPartition.rows) == 500)
        let january = try #require(events.partitions.first { $0.name == "events_2026_01" })
        #expect(january.bound == "FOR VALUES FROM ('2026-01-01 00:00:00+00') TO ('2026-02-01 00:00:00+00')")
        // An index made ON ONLY the parent, attached on January only.
        let indexes = try #require(events.partitionedIndexes)
        let payload = try #require(indexes.first { $0.name == "events_payload_idx" })
        #expect(!payload.isValid)
        #expect(payload.missingPartitions == ["public.events_2026_02", "public.events_default"])
        #expect(payload.definition == "CREATE INDEX events_payload_idx ON ONLY public.events USING btree (payload)")
        let createdAtIndex = try #require(indexes.first { $0.name == "events_created_at_idx" })
        #expect(createdAtIndex.isValid && createdAtIndex.missingPartitions.isEmpty)
        #expect(trees.first { $0.name == "hashed" }?.partitionedIndexes == [])
        #expect(try #require(january.rows) == 44640)
        #expect(try #require(january.totalBytes) > 0)
        // the parent has no storage: its size is its partitions'
        let parent = try #require(snapshot.tables?.first { $0.name == "events" })
        #expect(parent.relkind == "p")
        let partitionBytes = events.partitions.compactMap(\.totalBytes).reduce(0, +)
        #expect(parent.totalBytes == partitionBytes)
        #expect(snapshot.tables?.first { $0.name == "events_2026_02" }?.partitionOf == "public.events")
        #expect(trees.first { $0.name == "tenants_data" }?.strategy == .list)
        #expect(trees.first { $0.name == "hashed" }?.strategy == .hash)
        #expect(trees.first { $0.name == "hashed" }?.partitions.count == 2)
        let createdAt = try #require(snapshot.columnStats?.first { $0.table == "events" && $0.column == "created_at" })
        #expect(createdAt.dataType == "timestamp with time zone")
        #expect(try #require(createdAt.correlation) > 0.9)
        try validateAgainstSchema(snapshot)
    }

    /// Foreign keys with their columns in key order on both sides, across schemas, declared on
    /// a partitioned table and referencing one: each key once, as declared (not its clones on
    /// the partitions).
    @Test func foreignKeysInKeyOrderOncePerDeclaration() throws {
        let database = "collect_foreign_keys"
        let dsn = try TestServer.freshDatabase(database)
        try TestServer.psql(
            """
            CREATE SCHEMA billing;
            CREATE TABLE tenants (id int PRIMARY KEY);
            CREATE TABLE orders (tenant_id int NOT NULL REFERENCES tenants, id bigint NOT NULL, PRIMARY KEY (tenant_id, id));
            CREATE TABLE billing.invoices (id bigint PRIMARY KEY, tenant_id int NOT NULL, order_id bigint NOT NULL,
                CONSTRAINT invoices_order_fkey FOREIGN KEY (order_id, tenant_id) REFERENCES orders (id, tenant_id));
            CREATE TABLE events (tenant_id int NOT NULL REFERENCES tenants, at date NOT NULL) PARTITION BY RANGE (at);
            CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
            CREATE TABLE events_2027 PARTITION OF events FOR VALUES FROM ('2027-01-01') TO ('2028-01-01');
            CREATE TABLE accounts (id int NOT NULL, region int NOT NULL, PRIMARY KEY (id, region)) PARTITION BY LIST (region);
            CREATE TABLE accounts_1 PARTITION OF accounts FOR VALUES IN (1);
            CREATE TABLE accounts_2 PARTITION OF accounts FOR VALUES IN (2);
            CREATE TABLE logins (account_id int NOT NULL, region int NOT NULL, FOREIGN KEY (account_id, region) REFERENCES accounts);
            """, database: database)
        let snapshot = try collect(dsn, interval: 0)
        let keys = try #require(snapshot.foreignKeys)
        #expect(
            keys.map { "\($0.qualifiedTable)→\($0.qualifiedReferencedTable)" }
                == [
                    "billing.invoices→public.orders", "public.events→public.tenants", "public.logins→public.accounts",
                    "public.orders→public.tenants",
                ], "\(keys)")
        let invoice = try #require(keys.first { $0.name == "invoices_order_fkey" })
        #expect(invoice.columns == ["order_id", "tenant_id"])
        #expect(invoice.referencedColumns == ["id", "tenant_id"])
        #expect(invoice.enforced)
        #expect(keys.first { $0.table == "logins" }?.referencedColumns == ["id", "region"])
        #expect(keys.first { $0.table == "events" }?.name == "events_tenant_id_fkey")
        #expect(!snapshot.unavailable.contains { $0.section == "foreign_keys" })
        try validateAgainstSchema(snapshot)

        let redacted = testRedaction(snapshot)
        let hidden = try #require(
            redacted.foreignKeys?.first { $0.name == testRedactionKey.pseudonym("invoices_order_fkey") })
        #expect(hidden.schema == testRedactionKey.pseudonym("billing"))
        #expect(hidden.columns == ["order_id", "tenant_id"].map(testRedactionKey.pseudonym))
        #expect(hidden.referencedTable == testRedactionKey.pseudonym("orders"))
        let text = String(decoding: try SnapshotCoding.encoder().encode(redacted), as: UTF8.self)
        #expect(!text.contains("invoices") && !text.contains("tenant_id"))
        try validateAgainstSchema(redacted)
    }

    @Test func tableUnderAccessExclusiveLockDoesNotHangCollection() throws {
        let database = "collect_locked"
        let dsn = try TestServer.freshDatabase(database)
        try TestServer.psql(
            "CREATE TABLE held (id int PRIMARY KEY); CREATE TABLE free (id int); INSERT INTO held SELECT generate_series(1, 1000)",
            database: database)
        // another session (in this process, over its own connection) takes the lock and keeps it
        let holder = try Connection(conninfo: dsn)
        try holder.query("BEGIN")
        try holder.query("LOCK TABLE held IN ACCESS EXCLUSIVE MODE")
        defer { _ = try? holder.query("ROLLBACK") }
        let held =
            try TestServer.psql(
                "SELECT count(*) FROM pg_locks WHERE relation = 'held'::regclass AND mode = 'AccessExclusiveLock' AND granted",
                database: database) == "1"
        #expect(held)
        let started = Date()
        let snapshot = try collect(dsn, interval: 0)
        #expect(Date().timeIntervalSince(started) < 20)
        let heldTable = try #require(snapshot.tables?.first { $0.name == "held" })
        #expect(heldTable.totalBytes == nil)
        #expect(snapshot.unavailable.contains { $0.section == "public.held" && $0.reason.contains("ACCESS EXCLUSIVE") })
        let freeTable = try #require(snapshot.tables?.first { $0.name == "free" })
        #expect(freeTable.totalBytes != nil)
        #expect(snapshot.indexes?.first { $0.name == "held_pkey" }?.bytes == nil)
        try validateAgainstSchema(snapshot)
    }

    @Test func missingPgStatStatementsIsRecordedWithTheReason() throws {
        let database = "collect_no_statements"
        let dsn = try TestServer.freshDatabase(database, statements: false)
        let snapshot = try collect(dsn, interval: 0)
        #expect(!snapshot.statements.available)
        #expect(snapshot.statements.reason?.contains("CREATE EXTENSION pg_stat_statements") == true)
        #expect(snapshot.statements.topByCalls == nil)
        #expect(snapshot.unavailable.contains { $0.section == "statements" })
        try validateAgainstSchema(snapshot)
    }

    @Test func roundTripsDoNotGrowWithTheNumberOfTables() throws {
        let database = "collect_round_trips"
        let dsn = try TestServer.freshDatabase(database)
        try TestServer.psql("CREATE TABLE t0 (id int PRIMARY KEY)", database: database)
        let options = CollectOptions(conninfo: dsn, replicas: [], intervalSeconds: 0, toolVersion: "test")
        let few = try SnapshotCollector(options: options)
        _ = try few.collect()
        try TestServer.psql(
            "DO $$ BEGIN FOR i IN 1..200 LOOP EXECUTE format('CREATE TABLE t%s (id int PRIMARY KEY, v text)', i); END LOOP; END $$",
            database: database)
        let many = try SnapshotCollector(options: options)
        let snapshot = try many.collect()
        #expect(snapshot.tables?.count == 201)
        #expect(many.queriesSent == few.queriesSent)
        #expect(many.queriesSent < 30)
    }

    @Test func unreachableReplicaIsRecordedNotFatal() throws {
        let dsn = try TestServer.dsn()
        let snapshot = try collect(dsn, interval: 0, replicas: ["host=127.0.0.1 port=1 connect_timeout=2"])
        let replica = try #require(snapshot.replication?.replicas?.first)
        #expect(!replica.reachable)
        #expect(replica.error?.isEmpty == false)
        // the primary itself as a --replica: reachable, but not a standby
        let notStandby = try collect(dsn, interval: 0, replicas: [dsn])
        #expect(notStandby.replication?.replicas?.first?.reachable == true)
        #expect(notStandby.replication?.replicas?.first?.error?.contains("not a standby") == true)
    }

    @Test func unreachableServerIsAnError() {
        #expect(throws: CollectorError.self) {
            _ = try collect("host=127.0.0.1 port=1 connect_timeout=2", interval: 0)
        }
    }
}
