import DBAdviseTestSupport
import Foundation
import Testing

/// Issue 19's shared store on the real server: `collect --history CONNINFO` appends to schema
/// `dbadvise_history` of a PostgreSQL database, several collectors at once, and `analyze` /
/// `check --history` read a series from it into the report the snapshot files give.
@Suite("shared history store in PostgreSQL", .serialized, TestServer.enabled)
struct SharedHistoryTests {
    /// Table sizes at 0.05 GB warning, and "sustained" reached by a series of seconds, so the
    /// test's few quick collections have trends and forecasts to compare.
    static func config() throws -> String {
        try Shell.configFile(
            "thresholds:\n  table_size_gb: {warning: 0.05, critical: 0.5}\n"
                + "measurement:\n  sustained_hours: 0.0001\n  sustained_snapshots: 3\n")
    }

    /// The JSON report without `generated_at` (the one key that is the clock's).
    static func report(_ arguments: [String], command: String = "analyze") throws -> NSDictionary {
        let result = try Shell.dbadvise([command, "--format", "json"] + arguments)
        try #require(result.status == 0 || (command == "check" && result.status == 1), "\(command): \(result.stderr)")
        var object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        object["generated_at"] = nil
        return object as NSDictionary
    }

    static func prepareSource(_ database: String) throws -> String {
        let dsn = try TestServer.freshDatabase(database, statements: false)
        try TestServer.psql(
            "CREATE TABLE events (id bigserial PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now(), "
                + "payload text)", database: database)
        return dsn
    }

    /// Rounds of two `collect --history` processes started together, one per database, each
    /// also writing its files into its own directory: the store's schema is created by
    /// whichever comes first while the other waits.
    static func collectTwoAtOnce(
        rounds: Int, store: String, sources: [(dsn: String, database: String, directory: URL)]
    ) throws {
        for _ in 1...rounds {
            for source in sources {
                try TestServer.psql(
                    "INSERT INTO events (payload) SELECT repeat('x', 200) FROM generate_series(1, 20000); ANALYZE events",
                    database: source.database)
                try TestServer.settleStatistics(dsn: source.dsn)
            }
            let outputs = try sources.map { _ in try Shell.temporaryFile() }
            var script = ""
            for (index, source) in sources.enumerated() {
                let arguments = [
                    Shell.dbadviseBinary, "collect", "--dsn", source.dsn, "--interval", "0", "--history", store,
                    "--output", source.directory.path + "/",
                ].map(Self.quoted).joined(separator: " ")
                script +=
                    "\(arguments) >\(Self.quoted(outputs[index].path)).out 2>\(Self.quoted(outputs[index].path)) & p\(index)=$!\n"
            }
            for index in sources.indices { script += "wait $p\(index); echo \"$?\"\n" }
            let result = try Shell.script(script)
            let statuses = result.stdout.split(separator: "\n").map(String.init)
            for (index, output) in outputs.enumerated() {
                let stderr = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
                #expect(statuses.count > index && statuses[index] == "0", "collector \(index): \(stderr)")
                #expect(stderr.contains("appended to the history store"), "\(stderr)")
            }
            // Snapshots of one series need distinct times (milliseconds).
            Thread.sleep(forTimeInterval: 0.3)
        }
    }

    static func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    @Test func twoCollectorsFeedOneStoreAndAnalyzeReadsItAsTheFiles() throws {
        let store = try TestServer.freshDatabase("shared_history_store", statements: false)
        let root = try Shell.temporaryDirectory()
        let sources = [
            (
                dsn: try Self.prepareSource("shared_history_a"), database: "shared_history_a",
                directory: root.appendingPathComponent("a", isDirectory: true)
            ),
            (
                dsn: try Self.prepareSource("shared_history_b"), database: "shared_history_b",
                directory: root.appendingPathComponent("b", isDirectory: true)
            ),
        ]
        try Self.collectTwoAtOnce(rounds: 4, store: store, sources: sources)

        // One schema, created once, at the version this dbadvise writes (2: points, then the
        // trend state), each migration recorded once.
        #expect(try TestServer.psql("SELECT count(*) FROM dbadvise_history.schema_version", dsn: store) == "2")
        #expect(try TestServer.psql("SELECT max(version) FROM dbadvise_history.schema_version", dsn: store) == "2")
        #expect(
            try TestServer.psql(
                "SELECT database, count(*) FROM dbadvise_history.snapshots GROUP BY database ORDER BY database",
                dsn: store) == "shared_history_a|4\nshared_history_b|4")

        // Two series and none chosen: exit 2, naming both.
        let ambiguous = try Shell.dbadvise(["analyze", "--history", store])
        #expect(ambiguous.status == 2)
        #expect(ambiguous.stderr.contains("holds 2 series"), "\(ambiguous.stderr)")
        #expect(ambiguous.stderr.contains("shared_history_a@") && ambiguous.stderr.contains("shared_history_b@"))
        let unknown = try Shell.dbadvise(["analyze", "--history", store, "--series", "nosuch"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("no series nosuch"), "\(unknown.stderr)")

        let config = try Self.config()
        for source in sources {
            let fromStore = try Self.report(["--history", store, "--series", source.database, "--config", config])
            let fromFiles = try Self.report(["--input", source.directory.path + "/", "--config", config])
            let growth = try #require(fromFiles["growth"] as? [String: Any])
            #expect(growth["snapshots"] as? Int == 4)
            #expect(((fromFiles["forecasts"] as? [Any])?.count ?? 0) > 0, "a series long enough to forecast from")
            #expect(fromStore == fromFiles, "\(HistoryStoreTests.differences(fromStore, fromFiles))")
            // check reads it the same way.
            let checkStore = try Self.report(
                ["--history", store, "--series", source.database, "--config", config], command: "check")
            let checkFiles = try Self.report(["--input", source.directory.path, "--config", config], command: "check")
            #expect(checkStore == checkFiles)
        }
        // The text's growth and forecast sentences, too.
        let text = try Shell.dbadvise([
            "analyze", "--history", store, "--series", "shared_history_a", "--config", config,
        ])
        let textFiles = try Shell.dbadvise(["analyze", "--input", sources[0].directory.path, "--config", config])
        #expect(text.stdout.contains("public.events reaches table_size_gb"), "\(text.stdout)")
        #expect(text.stdout == textFiles.stdout)

        // A re-run migrates nothing, and a series of one database is found by its full name.
        let again = try Shell.dbadvise([
            "collect", "--dsn", sources[0].dsn, "--interval", "0", "--history", store,
        ])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.isEmpty, "with --history alone nothing goes to stdout")
        #expect(try TestServer.psql("SELECT count(*) FROM dbadvise_history.schema_version", dsn: store) == "2")
        let series = try TestServer.psql(
            "SELECT DISTINCT series FROM dbadvise_history.snapshots WHERE database = 'shared_history_a'", dsn: store)
        let byName = try Self.report(["--history", store, "--series", series])
        #expect((byName["growth"] as? [String: Any])?["snapshots"] as? Int == 5)

        // Live with --dsn: today's snapshot on top of the stored points of its own series.
        let live = try Self.report(["--dsn", sources[1].dsn, "--interval", "0", "--history", store])
        #expect((live["growth"] as? [String: Any])?["snapshots"] as? Int == 5, "4 stored, 1 live")
        let unseen = try Shell.dbadvise([
            "analyze", "--dsn", try TestServer.dsn(), "--interval", "0", "--history", store, "--format", "json",
        ])
        #expect(unseen.status == 0, "\(unseen.stderr)")
        #expect(unseen.stderr.contains("holds no earlier snapshot"), "\(unseen.stderr)")
    }

    @Test func aStoreWrittenByANewerDBAdviseIsRefused() throws {
        let store = try TestServer.freshDatabase("shared_history_newer", statements: false)
        let first = try Shell.dbadvise([
            "collect", "--dsn", try TestServer.dsn(), "--interval", "0", "--history", store,
        ])
        #expect(first.status == 0, "\(first.stderr)")
        let reads = try Shell.dbadvise(["check", "--history", store])
        #expect(reads.status == 0 || reads.status == 1, "\(reads.stderr)")

        try TestServer.psql("INSERT INTO dbadvise_history.schema_version VALUES (99, now())", dsn: store)
        let write = try Shell.dbadvise([
            "collect", "--dsn", try TestServer.dsn(), "--interval", "0", "--history", store,
        ])
        #expect(write.status == 2)
        #expect(write.stderr.contains("schema version 99"), "\(write.stderr)")
        #expect(write.stderr.contains("fix: upgrade dbadvise"))
        let read = try Shell.dbadvise(["analyze", "--history", store])
        #expect(read.status == 2)
        #expect(read.stderr.contains("schema version 99"), "\(read.stderr)")
    }

    @Test func anEmptyStoreIsNoHistoryAndIsNotCreatedByAReader() throws {
        let store = try TestServer.freshDatabase("shared_history_empty", statements: false)
        let result = try Shell.dbadvise(["analyze", "--history", store])
        #expect(result.status == 2)
        #expect(result.stderr.contains("holds no snapshots"), "\(result.stderr)")
        #expect(
            try TestServer.psql(
                "SELECT count(*) FROM pg_namespace WHERE nspname = 'dbadvise_history'", dsn: store) == "0",
            "analyze reads; it never creates the schema")
    }

    @Test func anUnreachableStoreIsExitThreeBeforeCollecting() throws {
        let directory = try Shell.temporaryDirectory()
        // Nothing listens on port 1: refused at once.
        let result = try Shell.dbadvise([
            "collect", "--dsn", try TestServer.dsn(), "--interval", "1h", "--history",
            "host=127.0.0.1 port=1 dbname=metrics connect_timeout=5", "--output", directory.path + "/",
        ])
        #expect(result.status == 3)
        #expect(result.stderr.contains("cannot open the history store"), "\(result.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty, "nothing collected")
        let read = try Shell.dbadvise(["analyze", "--history", "host=127.0.0.1 port=1 dbname=metrics"])
        #expect(read.status == 3)
    }

    @Test func aBadConnectionStringIsExitTwo() throws {
        for arguments in [
            ["collect", "--dsn", try TestServer.dsn(), "--interval", "0", "--history", "host=x nosuchkey=1"],
            ["analyze", "--history", "host=x nosuchkey=1"],
        ] {
            let result = try Shell.dbadvise(arguments)
            #expect(result.status == 2, "\(arguments[0]): \(result.stderr)")
            #expect(result.stderr.contains("invalid --history connection string"), "\(result.stderr)")
        }
        let mixed = try Shell.dbadvise(["analyze", "--history", "dbname=x", "--input", "somewhere/"])
        #expect(mixed.status == 2)
        let series = try Shell.dbadvise(["analyze", "--series", "shop"])
        #expect(series.status == 2)
        #expect(series.stderr.contains("add --history"))
    }

    @Test func thePasswordOfTheStoreIsNowhere() throws {
        let database = "shared_history_password"
        try TestServer.freshDatabase(database, statements: false)
        let role = try TestServer.passwordRole()
        let password = try TestServer.password()
        try TestServer.psql("GRANT CREATE ON DATABASE \(database) TO \(role)", database: "postgres")
        let store = "postgresql://\(role):\(password)@127.0.0.1:\(try TestServer.port())/\(database)"
        let written = try Shell.dbadvise([
            "collect", "--dsn", try TestServer.dsn(), "--interval", "0", "--history", store,
        ])
        #expect(written.status == 0, "\(written.stderr)")
        #expect(written.stderr.contains("\(role)@127.0.0.1"), "the store is named by its role and host")
        let read = try Shell.dbadvise(["analyze", "--history", store, "--format", "json"])
        #expect(read.status == 0, "\(read.stderr)")
        let wrong = store.replacingOccurrences(of: password, with: "not-the-Right-one")
        let refused = try Shell.dbadvise(["analyze", "--history", wrong])
        #expect(refused.status == 3)
        #expect(refused.stderr.contains("password authentication failed"), "\(refused.stderr)")
        for output in [written.stdout, written.stderr, read.stdout, read.stderr] {
            #expect(!output.contains(password))
        }
        #expect(!refused.stderr.contains("not-the-Right-one"))
        let stored = try TestServer.psql(
            "SELECT count(*) FROM dbadvise_history.latest_snapshots WHERE document::text LIKE '%' || $$\(password)$$ || '%'",
            database: database)
        #expect(stored == "0")
    }

    @Test func aFleetAppendsEveryDatabase() throws {
        let store = try TestServer.freshDatabase("shared_history_fleet", statements: false)
        let one = try TestServer.freshDatabase("shared_history_fleet_one", statements: false)
        let two = try TestServer.freshDatabase("shared_history_fleet_two", statements: false)
        let file = try Shell.temporaryFile(".txt")
        try Data("\(one)\n\(two)\n".utf8).write(to: file)
        let directory = try Shell.temporaryDirectory()
        let result = try Shell.dbadvise([
            "collect", "--dsn-file", file.path, "--interval", "0", "--output", directory.path + "/",
            "--history", store,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            try TestServer.psql(
                "SELECT string_agg(database, ',' ORDER BY database) FROM dbadvise_history.latest_snapshots "
                    + "JOIN dbadvise_history.snapshots USING (series, finished_at)", dsn: store)
                == "shared_history_fleet_one,shared_history_fleet_two")
    }

    @Test func aStoreThatRefusesTheWritesIsExitThreeAndTheFileStays() throws {
        let database = "shared_history_refusing"
        let store = try TestServer.freshDatabase(database, statements: false)
        // Created by its owner; the collecting role may connect but not write.
        let created = try Shell.dbadvise([
            "collect", "--dsn", try TestServer.dsn(), "--interval", "0", "--history", store,
        ])
        #expect(created.status == 0, "\(created.stderr)")
        let role = try TestServer.passwordRole()
        let collector =
            "host=127.0.0.1 port=\(try TestServer.port()) dbname=\(database) user=\(role) "
            + "password=\(try TestServer.password())"
        let directory = try Shell.temporaryDirectory()
        func collect() throws -> Shell.Result {
            try Shell.dbadvise([
                "collect", "--dsn", try TestServer.dsn(), "--interval", "0", "--history", collector, "--output",
                directory.path + "/",
            ])
        }
        func files() throws -> Int {
            try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }.count
        }
        // Not even its version readable: refused before collecting.
        let unreadable = try collect()
        #expect(unreadable.status == 3)
        #expect(unreadable.stderr.contains("permission denied"), "\(unreadable.stderr)")
        #expect(try files() == 0, "nothing collected")

        // Readable but not writable: the snapshot file is written, the append refused.
        try TestServer.psql(
            "GRANT USAGE ON SCHEMA dbadvise_history TO \(role); "
                + "GRANT SELECT ON ALL TABLES IN SCHEMA dbadvise_history TO \(role)", dsn: store)
        let refused = try collect()
        #expect(refused.status == 3)
        #expect(refused.stderr.contains("permission denied"), "\(refused.stderr)")
        #expect(refused.stderr.contains("fix: grant"), "\(refused.stderr)")
        #expect(!refused.stderr.contains(try TestServer.password()))
        #expect(try files() == 1, "the snapshot file is written first")
        #expect(try TestServer.psql("SELECT count(*) FROM dbadvise_history.snapshots", dsn: store) == "1")

        // Granted the rights on the tables (not CREATE): it collects into the current store.
        try TestServer.psql(
            "GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA dbadvise_history TO \(role)", dsn: store)
        let granted = try Shell.dbadvise([
            "collect", "--dsn", try TestServer.dsn(), "--interval", "0", "--history", collector,
        ])
        #expect(granted.status == 0, "\(granted.stderr)")
        #expect(try TestServer.psql("SELECT count(*) FROM dbadvise_history.snapshots", dsn: store) == "2")
    }
}
