import DBAdviseAnalysis
import DBAdviseModel
import DBAdviseOutput
import DBAdviseTestSupport
import Foundation
import Testing

/// Fleet mode of the real binary: flags that cannot work together, before any connection.
@Suite("dbadvise collect fleet: usage errors (no server needed)")
struct FleetUsageTests {
    @Test(arguments: [
        ["collect", "--all-databases", "--interval", "0"],
        ["collect", "--all-databases", "--interval", "0", "--output", "/tmp/one-file.json"],
        ["collect", "--all-databases", "--jobs", "0", "--output", "/tmp/x/"],
        ["collect", "--jobs", "2", "--interval", "0"],
        ["collect", "--dsn-file", "/nonexistent/dsns.txt", "--output", "/tmp/x/"],
        ["collect", "--dsn-file", "/dev/null", "--dsn", "host=db1", "--output", "/tmp/x/"],
        ["collect", "--all-databases", "--replica", "host=db2", "--output", "/tmp/x/"],
    ])
    func exitsTwoWithOneError(arguments: [String]) throws {
        let result = try Shell.dbadvise(arguments)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        let lines = result.stderr.split(separator: "\n")
        #expect((1...2).contains(lines.count), "\(result.stderr)")
        #expect(lines.first?.hasPrefix("dbadvise: ") == true)
    }

    @Test func withoutADirectoryTheMessageSaysWhatToPass() throws {
        let result = try Shell.dbadvise(["collect", "--all-databases", "--interval", "0"])
        #expect(result.stderr.contains("--output must be a directory"))
        #expect(result.stderr.contains("DIR/<host>-<port>-<dbname>/"))
    }

    @Test func aMalformedLineIsNamedWithoutItsPasswordBeforeConnecting() throws {
        let file = try Shell.temporaryFile(".txt")
        try Data("# servers\n\nhost=127.0.0.1 port=1 connect_timeout=1\nhost=db2 password=Sw0rdf1sh oops\n".utf8)
            .write(to: file)
        let directory = try Shell.temporaryDirectory()
        let result = try Shell.dbadvise(
            ["collect", "--dsn-file", file.path, "--interval", "0", "--output", directory.path + "/"])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("\(file.path):4: invalid connection string"))
        #expect(!result.stderr.contains("Sw0rdf1sh"))
        // nothing was collected: the first line (unreachable) would otherwise be exit 3
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    @Test func aFileWithoutEntriesIsAUsageError() throws {
        let file = try Shell.temporaryFile(".txt")
        try Data("# nothing yet\n\n".utf8).write(to: file)
        let result = try Shell.dbadvise(
            ["collect", "--dsn-file", file.path, "--output", try Shell.temporaryDirectory().path + "/"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("holds no connection string"))
    }
}

/// A cluster of its own for the fleet suite, so `--all-databases` sees exactly the databases
/// made here and none that other suites create and drop meanwhile. It lives under the test
/// server's directory, so `scripts/test-server.sh stop` stops it with the rest.
enum FleetServer {
    struct Info: Sendable {
        let socket: String
        let port: String

        func dsn(_ database: String) -> String {
            "host=\(socket) port=\(port) dbname=\(database) user=postgres"
        }
    }

    struct StartFailed: Error, CustomStringConvertible {
        let description: String
    }

    static let started: Result<Info, StartFailed> = {
        do {
            let (socket, port) = try TestServer.startOwnCluster("fleet")
            let info = Info(socket: socket, port: port)
            let setup = [
                "CREATE DATABASE fleet_a", "CREATE DATABASE fleet_b", "CREATE DATABASE fleet_big",
                "CREATE DATABASE fleet_closed", "ALTER DATABASE fleet_closed ALLOW_CONNECTIONS false",
            ]
            for sql in setup { try TestServer.psql(sql, dsn: info.dsn("postgres")) }
            // about 6 MB in one table: the one database over the suite's low thresholds
            try TestServer.psql(
                "CREATE TABLE events AS SELECT g AS id, now() AS at, repeat('x', 40) AS payload "
                    + "FROM generate_series(1, 80000) AS g",
                dsn: info.dsn("fleet_big"))
            try TestServer.psql("CREATE TABLE accounts (id int PRIMARY KEY)", dsn: info.dsn("fleet_a"))
            return .success(info)
        } catch {
            return .failure(StartFailed(description: "the fleet suite's server: \(error)"))
        }
    }()

    static func info() throws -> Info { try started.get() }

    /// Every connectable database of the fleet server, as --all-databases must find them.
    static let connectable: Set<String> = ["postgres", "dbadvise_test", "fleet_a", "fleet_b", "fleet_big"]
}

@Suite("dbadvise collect --all-databases / --dsn-file against a server of its own", TestServer.enabled, .serialized)
struct FleetCommandTests {
    /// `host-port-dbname` directories of a fleet directory, and the snapshot files in each
    /// (`allFiles`: the history store beside them too).
    func layout(_ directory: URL, allFiles: Bool = false) throws -> [String: [String]] {
        var result: [String: [String]] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) {
            result[name] = try FileManager.default.contentsOfDirectory(
                atPath: directory.appendingPathComponent(name).path
            ).filter { allFiles || $0.hasSuffix(".json") }.sorted()
        }
        return result
    }

    func key(_ info: FleetServer.Info, _ database: String) -> String {
        let socket = info.socket.split(separator: "/").joined(separator: "_")
        return "\(socket)-\(info.port)-\(database)"
    }

    @Test func allDatabasesWritesOneSeriesPerConnectableDatabaseAndNeverOverwrites() throws {
        let info = try FleetServer.info()
        let directory = try Shell.temporaryDirectory().appendingPathComponent("fleet")
        let arguments = [
            "collect", "--dsn", info.dsn("postgres"), "--all-databases", "--interval", "0",
            "--output", directory.path + "/", "--jobs", "2",
        ]
        let first = try Shell.dbadvise(arguments)
        #expect(first.status == 0, "\(first.stderr)")
        let afterFirst = try layout(directory)
        #expect(Set(afterFirst.keys) == Set(FleetServer.connectable.map { key(info, $0) }))
        #expect(afterFirst.values.allSatisfy { $0.count == 1 })
        #expect(!afterFirst.keys.contains { $0.contains("fleet_closed") || $0.contains("template") })
        // each file is that database's snapshot
        for database in FleetServer.connectable {
            let subdirectory = directory.appendingPathComponent(key(info, database))
            let file = try #require(afterFirst[key(info, database)]?.first)
            #expect(file.hasPrefix("\(database)-"))
            let data = try Data(contentsOf: subdirectory.appendingPathComponent(file))
            let snapshot = try SnapshotCoding.decoder().decode(Snapshot.self, from: data)
            #expect(snapshot.connection.database == database)
        }
        #expect(first.stdout.hasPrefix("dbadvise fleet report: 5 databases\n"), "\(first.stdout)")
        #expect(first.stderr.components(separatedBy: "snapshot written to").count - 1 == 5)
        let firstContents = try Data(
            contentsOf: directory.appendingPathComponent(key(info, "fleet_a"))
                .appendingPathComponent(try #require(afterFirst[key(info, "fleet_a")]?.first)))

        // a second collection (the same second, even) adds a file next to each
        let second = try Shell.dbadvise(arguments)
        #expect(second.status == 0, "\(second.stderr)")
        let afterSecond = try layout(directory)
        #expect(Set(afterSecond.keys) == Set(afterFirst.keys))
        #expect(afterSecond.values.allSatisfy { $0.count == 2 })
        let kept = try Data(
            contentsOf: directory.appendingPathComponent(key(info, "fleet_a"))
                .appendingPathComponent(try #require(afterFirst[key(info, "fleet_a")]?.first)))
        #expect(kept == firstContents)
    }

    @Test func oneUnreachableEntryIsReportedAndTheOthersAreWrittenWithoutPasswords() throws {
        let info = try FleetServer.info()
        let password = try TestServer.password()
        let role = try TestServer.passwordRole()
        let closedPassword = "Cl0sed-port-secret"
        let file = try Shell.temporaryFile(".txt")
        try Data(
            """
            # two reachable servers (one with a password) and one that is down

            host=127.0.0.1 port=1 dbname=gone user=postgres password=\(closedPassword) connect_timeout=2
            postgresql://\(role):\(password)@127.0.0.1:\(info.port)/fleet_a
              \(info.dsn("fleet_b"))

            """.utf8
        ).write(to: file)
        let directory = try Shell.temporaryDirectory().appendingPathComponent("servers")
        let result = try Shell.dbadvise(
            ["collect", "--dsn-file", file.path, "--interval", "0", "--output", directory.path + "/"])
        #expect(result.status == 3, "\(result.stderr)")
        let failures = result.stderr.split(separator: "\n").filter { $0.contains(":3 ") }
        #expect(failures.count == 1, "\(result.stderr)")
        #expect(failures.first?.contains("\(file.path):3 host=127.0.0.1 port=1") == true)
        #expect(failures.first?.contains("password=********") == true)
        #expect(result.stderr.contains("1 of 3 entries could not be read"))
        #expect(Set(try layout(directory).keys) == ["127.0.0.1-\(info.port)-fleet_a", key(info, "fleet_b")])
        #expect(result.stdout.contains("2 databases, 1 not reached"))
        #expect(result.stdout.contains("Not reached (1)"))
        // the passwords are nowhere: not in stdout, stderr, nor any file written
        var written = result.stdout + result.stderr
        for (name, files) in try layout(directory, allFiles: true) {
            #expect(files.contains("history.sqlite"), "each database's history store: \(files)")
            for file in files {
                let data = try Data(contentsOf: directory.appendingPathComponent(name).appendingPathComponent(file))
                written += String(decoding: data, as: UTF8.self)
            }
        }
        #expect(!written.contains(password))
        #expect(!written.contains(closedPassword))
        #expect(written.contains("\"user\" : \"\(role)\""))
    }

    @Test func oneJobAndTwoJobsGiveTheSameFleet() throws {
        let info = try FleetServer.info()
        var outcomes: [(directories: Set<String>, databases: Set<String>)] = []
        for jobs in ["1", "2", "16"] {
            let directory = try Shell.temporaryDirectory().appendingPathComponent("jobs\(jobs)")
            let result = try Shell.dbadvise(
                [
                    "collect", "--dsn", info.dsn("fleet_a"), "--all-databases", "--interval", "0",
                    "--output", directory.path + "/", "--jobs", jobs,
                ])
            #expect(result.status == 0, "\(result.stderr)")
            let analyzed = try Shell.dbadvise(["analyze", "--input", directory.path, "--format", "json"])
            #expect(analyzed.status == 0, "\(analyzed.stderr)")
            let report = try ReportCoding.decoder().decode(FleetReport.self, from: Data(analyzed.stdout.utf8))
            outcomes.append((Set(try layout(directory).keys), Set(report.databases.compactMap(\.database))))
        }
        #expect(outcomes.allSatisfy { $0.directories == outcomes[0].directories })
        #expect(outcomes.allSatisfy { $0.databases == FleetServer.connectable })
    }

    @Test func analyzeOfAFleetDirectoryRanksTheDatabasesByUrgency() throws {
        let info = try FleetServer.info()
        let directory = try Shell.temporaryDirectory().appendingPathComponent("ranked")
        let collected = try Shell.dbadvise(
            [
                "collect", "--dsn", info.dsn("postgres"), "--all-databases", "--interval", "0",
                "--output", directory.path + "/",
            ])
        #expect(collected.status == 0, "\(collected.stderr)")
        // thresholds only fleet_big's 6 MB table crosses
        let config = try Shell.temporaryFile(".yml")
        try Data(
            """
            thresholds:
              table_size_gb: {warning: 0.002, critical: 0.004}
              cache_hit_ratio: {warning: 0.02, critical: 0.01}

            """.utf8
        ).write(to: config)

        let json = try Shell.dbadvise(
            ["analyze", "--input", directory.path + "/", "--config", config.path, "--format", "json"])
        #expect(json.status == 0, "\(json.stderr)")
        try SchemaValidator.validate(Data(json.stdout.utf8), schema: "fleet-report.schema.json")
        let report = try ReportCoding.decoder().decode(FleetReport.self, from: Data(json.stdout.utf8))
        #expect(report.kind == "dbadvise.fleet_report")
        #expect(report.databases.map(\.rank) == Array(1...FleetServer.connectable.count))
        #expect(report.databases.first?.database == "fleet_big")
        #expect(report.databases.first?.worstSeverity == .critical)
        #expect(report.databases.first?.key == key(info, "fleet_big"))
        #expect(report.databases.first?.port == info.port)
        for (higher, lower) in zip(report.databases, report.databases.dropFirst()) {
            #expect(!FleetReport.isMoreUrgent(lower, than: higher))
        }
        #expect(!report.gate.passed)
        #expect(report.gate.failed == [key(info, "fleet_big")])
        // each database's report is the report analyze gives for its directory alone
        let single = try Shell.dbadvise(
            [
                "analyze", "--input", directory.appendingPathComponent(key(info, "fleet_big")).path,
                "--config", config.path, "--format", "json",
            ])
        #expect(single.status == 0, "\(single.stderr)")
        let alone = try ReportCoding.decoder().decode(Report.self, from: Data(single.stdout.utf8))
        #expect(alone.recommendations == report.databases.first?.report.recommendations)
        for database in report.databases {
            try SchemaValidator.validate(
                try ReportCoding.encoder().encode(database.report), schema: "report.schema.json")
        }

        let text = try Shell.dbadvise(["analyze", "--input", directory.path, "--config", config.path])
        #expect(text.status == 0)
        #expect(text.stdout.hasPrefix("dbadvise fleet report: 5 databases"))
        // 80 columns, but for the path of the hint, which is one word
        #expect(text.stdout.split(separator: "\n").allSatisfy { $0.count <= 80 || !$0.contains(" ") }, "\(text.stdout)")
        let firstRow = text.stdout.split(separator: "\n").first { $0.hasPrefix("  1  ") }
        #expect(firstRow?.contains("fleet_big") == true)
        #expect(firstRow?.contains("CRITICAL") == true)

        let markdown = try Shell.dbadvise(
            ["analyze", "--input", directory.path, "--config", config.path, "--format", "markdown"])
        #expect(markdown.stdout.contains("| 1 | fleet_big |"))

        let gated = try Shell.dbadvise(
            ["analyze", "--input", directory.path, "--config", config.path, "--fail-on", "critical"])
        #expect(gated.status == 1)
        #expect(gated.stderr.contains("the gate failed for 1 of 5 databases"))
    }

    @Test func redactedFleetNamesDirectoriesAndReportsByPseudonym() throws {
        let info = try FleetServer.info()
        let directory = try Shell.temporaryDirectory().appendingPathComponent("redacted")
        let result = try Shell.dbadvise(
            [
                "collect", "--dsn", info.dsn("postgres"), "--all-databases", "--redact", "--interval", "0",
                "--output", directory.path + "/",
            ])
        #expect(result.status == 0, "\(result.stderr)")
        let names = try layout(directory).keys
        #expect(names.count == FleetServer.connectable.count)
        for name in names {
            #expect(!name.contains("fleet") && !name.contains("socket") && name.hasPrefix("r_"), "\(name)")
        }
        #expect(!result.stdout.contains("fleet_a"))
        #expect(!result.stdout.contains(info.socket))
        // the same pseudonyms next time: the history lines up
        let again = try Shell.dbadvise(
            [
                "collect", "--dsn", info.dsn("postgres"), "--all-databases", "--redact", "--interval", "0",
                "--output", directory.path + "/",
            ])
        #expect(again.status == 0)
        #expect(try layout(directory).keys.sorted() == names.sorted())
        // the databases' keyed pseudonyms name the directories
        for database in FleetServer.connectable {
            #expect(
                names.contains { $0.hasSuffix("-" + testRedactionKey.pseudonym(database)) }, "\(database): \(names)")
        }
        // another key, other pseudonyms: nothing lines up with the first key's history
        let otherKey = try Shell.temporaryDirectory().appendingPathComponent("other.key").path
        let otherDirectory = try Shell.temporaryDirectory().appendingPathComponent("other")
        let other = try Shell.dbadvise(
            [
                "collect", "--dsn", info.dsn("postgres"), "--all-databases", "--redact", "--interval", "0",
                "--output", otherDirectory.path + "/",
            ], environment: ["DBADVISE_REDACT_KEY": otherKey])
        #expect(other.status == 0, "\(other.stderr)")
        #expect(Set(try layout(otherDirectory).keys).isDisjoint(with: Set(names)))
    }

    @Test func anUnreachableServerWithAllDatabasesExitsThree() throws {
        let directory = try Shell.temporaryDirectory().appendingPathComponent("down")
        let result = try Shell.dbadvise(
            [
                "collect", "--dsn", "host=127.0.0.1 port=1 password=Hidden-pw connect_timeout=2", "--all-databases",
                "--interval", "0", "--output", directory.path + "/",
            ])
        #expect(result.status == 3)
        #expect(result.stderr.hasPrefix("dbadvise: host=127.0.0.1 port=1 password=******** connect_timeout=2:"))
        #expect(!result.stderr.contains("Hidden-pw"))
        #expect(result.stdout.contains("0 databases, 1 not reached"))
    }
}
