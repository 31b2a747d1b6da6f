import DBAdviseAnalysis
import DBAdviseModel
import DBAdviseOutput
import DBAdviseTestSupport
import Foundation
import Testing

/// Snapshots written to a temporary directory at test time (the CLI test target has no
/// resources): a quiet primary, or one edited to cross a threshold.
enum SnapshotFiles {
    static let finishedAt = Date(timeIntervalSince1970: 1_795_000_000)

    /// A small primary far from every threshold, like a pgbench database under light load.
    static func quiet(database: String = "shop", finishedAt: Date = finishedAt) -> Snapshot {
        var stats = DatabaseStats(name: database)
        stats.sizeBytes = 2 * 1_073_741_824
        stats.datfrozenxidAge = 5_000_000
        stats.blksHit = 1_000_000
        stats.blksRead = 1_000
        var rates = Rates()
        rates.transactionsPerSecond = 50
        rates.writesPerSecond = 100
        rates.readsPerSecond = 1_000
        rates.cacheHitRatio = 0.999
        rates.tempBytesPerSecond = 0
        var table = TableStats(schema: "public", name: "orders", relkind: "r", isPartition: false)
        table.totalBytes = 1_000_000_000
        table.nLiveTup = 1_000_000
        table.nDeadTup = 1_000
        table.writesPerSecond = 100
        table.readsPerSecond = 1_000
        table.nTupDel = 0
        table.autovacuumCount = 1
        table.relfrozenxidAge = 1_000_000
        var statements = StatementStats(available: true, reason: nil)
        statements.extensionVersion = "1.10"
        statements.statementCount = 0
        statements.totalExecTimeMs = 0
        statements.topByTotalTime = []
        return Snapshot(
            tool: ToolInfo(version: "0.1.0"),
            interval: SampleInterval(
                mode: .delta, requestedSeconds: 10, startedAt: finishedAt.addingTimeInterval(-10),
                finishedAt: finishedAt, rateSeconds: 10, activitySamples: 10),
            connection: ConnectionInfo(host: "localhost", port: "5432", database: database, user: "monitor"),
            server: ServerInfo(
                versionNum: 160_004, version: "PostgreSQL 16.4", inRecovery: false,
                startTime: finishedAt.addingTimeInterval(-30 * 86_400), statsReset: nil,
                systemIdentifier: "7300000000000000001",
                settings: [Setting(name: "max_connections", setting: "100", unit: nil, bytes: nil, seconds: nil)],
                extensions: [Extension(name: "pg_stat_statements", version: "1.10")]),
            database: stats, rates: rates, tables: [table], indexes: [], partitionedTables: [],
            columnStats: [],
            replication: Replication(role: "primary", standbys: [], slots: [], standbyStatus: nil, replicas: nil),
            wal: nil, checkpoints: nil,
            activity: ActivitySummary(
                samples: 10, avgActiveSessions: 1, peakActiveSessions: 2, connections: 10,
                maxConnections: 100, waitEventTypes: ["CPU": 1], idleInTransaction: 0,
                oldestQuerySeconds: 0.1, oldestTransactionSeconds: 0.1),
            statements: statements, unavailable: [])
    }

    /// The quiet snapshot with 30,000 writes/s: past writes_per_second critical (20,000).
    static func writeBound() -> Snapshot {
        var snapshot = quiet()
        snapshot.rates.writesPerSecond = 30_000
        return snapshot
    }

    static func encode(_ snapshot: Snapshot) throws -> Data {
        try SnapshotCoding.encoder().encode(snapshot)
    }

    @discardableResult
    static func write(_ snapshot: Snapshot, to url: URL) throws -> URL {
        try encode(snapshot).write(to: url)
        return url
    }

    /// The snapshot's JSON, edited as a dictionary.
    static func edited(_ snapshot: Snapshot, _ edit: (inout [String: Any]) -> Void) throws -> Data {
        var object = try #require(
            try JSONSerialization.jsonObject(with: encode(snapshot)) as? [String: Any])
        edit(&object)
        return try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted])
    }
}

/// `dbadvise analyze --input`, run as the real binary against snapshot files.
@Suite final class AnalyzeInputTests {
    let directory: URL

    init() throws { directory = try Shell.temporaryDirectory() }

    deinit { try? FileManager.default.removeItem(at: directory) }

    func file(_ name: String, _ data: Data) throws -> String {
        let url = directory.appendingPathComponent(name)
        try data.write(to: url)
        return url.path
    }

    func quietFile() throws -> String {
        try file("shop.json", SnapshotFiles.encode(SnapshotFiles.quiet()))
    }

    /// Exit 2 and exactly two stderr lines: `dbadvise: …` and `  fix: …`; nothing on stdout.
    func expectUsageError(
        _ result: Shell.Result, _ fragments: [String], sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(result.status == 2, "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stdout.isEmpty, sourceLocation: sourceLocation)
        let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == 2, "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(lines.first?.hasPrefix("dbadvise: ") == true, sourceLocation: sourceLocation)
        #expect(lines.last?.hasPrefix("  fix: ") == true, "\(result.stderr)", sourceLocation: sourceLocation)
        for fragment in fragments {
            #expect(
                result.stderr.contains(fragment), "\(fragment) not in \(result.stderr)", sourceLocation: sourceLocation)
        }
    }

    @Test func textReportLeadsWithTheDatabaseAndHasNoColorOffATerminal() throws {
        let result = try Shell.dbadvise(["analyze", "--input", try quietFile()], environment: ["NO_COLOR": nil])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty)
        #expect(result.stdout.hasPrefix("dbadvise report: shop"))
        #expect(result.stdout.contains("Not recommended"))
        #expect(!result.stdout.contains("\u{1B}["), "color written to a pipe")
    }

    @Test func jsonReportIsValidAgainstTheSchema() throws {
        let result = try Shell.dbadvise(["analyze", "--input", try quietFile(), "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let data = Data(result.stdout.utf8)
        try SchemaValidator.validate(data, schema: "report.schema.json")
        let report = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(report["kind"] as? String == "dbadvise.report")
        #expect(report["schema_version"] as? Int == 1)
        let source = try #require(report["source"] as? [String: Any])
        #expect(source["type"] as? String == "snapshot")
        #expect(source["database"] as? String == "shop")
        let gate = try #require(report["gate"] as? [String: Any])
        #expect(gate["passed"] as? Bool == true)
    }

    @Test func markdownReportHasAHeading() throws {
        let result = try Shell.dbadvise(["analyze", "--input", try quietFile(), "--format", "markdown"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("# dbadvise report: shop"))
    }

    @Test func aDirectoryIsReadAsOneSeries() throws {
        let series = directory.appendingPathComponent("series", isDirectory: true)
        try FileManager.default.createDirectory(at: series, withIntermediateDirectories: true)
        for day in 0..<3 {
            let snapshot = SnapshotFiles.quiet(
                finishedAt: SnapshotFiles.finishedAt.addingTimeInterval(Double(day) * 86_400))
            try SnapshotFiles.write(snapshot, to: series.appendingPathComponent("shop-\(day).json"))
        }
        // Not a snapshot by its name: ignored.
        try Data("notes".utf8).write(to: series.appendingPathComponent("README.txt"))
        let result = try Shell.dbadvise(["analyze", "--input", series.path, "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let source = try #require(report["source"] as? [String: Any])
        #expect(source["snapshots"] as? Int == 3)
    }

    @Test func repeatedInputsAreOneSeries() throws {
        let first = try quietFile()
        let later = SnapshotFiles.quiet(finishedAt: SnapshotFiles.finishedAt.addingTimeInterval(3_600))
        let second = try file("later.json", SnapshotFiles.encode(later))
        let result = try Shell.dbadvise(["analyze", "--input", first, "--input", second, "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("\"snapshots\" : 2"))
    }

    @Test func snapshotsOfDifferentDatabasesAreRefused() throws {
        let other = try file("other.json", SnapshotFiles.encode(SnapshotFiles.quiet(database: "billing")))
        let result = try Shell.dbadvise(["analyze", "--input", try quietFile(), "--input", other])
        expectUsageError(result, ["different databases", "billing", "shop"])
    }

    @Test func failOnCriticalFailsTheGateOnACriticalBreach() throws {
        let path = try file("writes.json", SnapshotFiles.encode(SnapshotFiles.writeBound()))
        let result = try Shell.dbadvise(["analyze", "--input", path, "--fail-on", "critical", "--format", "json"])
        #expect(result.status == 1, "\(result.stderr)")
        // The report is still printed in full; the cause is one line on stderr.
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let gate = try #require(report["gate"] as? [String: Any])
        #expect(gate["passed"] as? Bool == false)
        #expect(gate["fail_on"] as? String == "critical")
        #expect(result.stdout.contains("writes_per_second"))
        #expect(result.stderr.hasPrefix("dbadvise: the gate failed"))
    }

    @Test func failOnNeverAndNoFailOnNeverExitOne() throws {
        let path = try file("writes.json", SnapshotFiles.encode(SnapshotFiles.writeBound()))
        let never = try Shell.dbadvise(["analyze", "--input", path, "--fail-on", "never"])
        #expect(never.status == 0, "\(never.stderr)")
        #expect(never.stderr.isEmpty)
        // Without --fail-on, analyze reports the gate but does not gate (the contract).
        let unset = try Shell.dbadvise(["analyze", "--input", path, "--format", "json"])
        #expect(unset.status == 0, "\(unset.stderr)")
        #expect(unset.stdout.contains("\"passed\" : false"))
    }

    @Test func failOnWarningPassesAQuietSnapshot() throws {
        let result = try Shell.dbadvise(["analyze", "--input", try quietFile(), "--fail-on", "warning"])
        #expect(result.status == 0, "\(result.stderr)")
    }

    @Test func anUnknownFailOnOrFormatIsAUsageError() throws {
        let path = try quietFile()
        for arguments in [["--fail-on", "sometimes"], ["--format", "html"]] {
            let result = try Shell.dbadvise(["analyze", "--input", path] + arguments)
            expectUsageError(result, [arguments[1]])
        }
    }

    @Test func invalidJSONNamesTheFileLineAndColumn() throws {
        let path = try file("broken.json", Data("{\n  \"kind\": \"dbadvise.snapshot\",\n  \"a\" 2\n}\n".utf8))
        let result = try Shell.dbadvise(["analyze", "--input", path])
        expectUsageError(result, ["cannot read \(path): line 3, column 7"])
    }

    @Test func aTruncatedFileNamesWhereItEnds() throws {
        let data = try SnapshotFiles.encode(SnapshotFiles.quiet())
        let path = try file("truncated.json", data.prefix(data.count / 2))
        let result = try Shell.dbadvise(["analyze", "--input", path])
        expectUsageError(result, ["cannot read \(path): line ", ", column "])
    }

    @Test func anEmptyFileIsNamed() throws {
        let path = try file("empty.json", Data())
        expectUsageError(try Shell.dbadvise(["analyze", "--input", path]), ["cannot read \(path): the file is empty"])
    }

    @Test func aNewerSchemaVersionIsRefused() throws {
        let data = try SnapshotFiles.edited(SnapshotFiles.quiet()) { $0["schema_version"] = 2 }
        let path = try file("v2.json", data)
        let result = try Shell.dbadvise(["analyze", "--input", path])
        expectUsageError(result, ["\(path): schema_version 2 is not supported by this dbadvise (1)"])
    }

    @Test func aReportIsNotASnapshot() throws {
        let report = try Shell.dbadvise(["analyze", "--input", try quietFile(), "--format", "json"])
        let path = try file("report.json", Data(report.stdout.utf8))
        let result = try Shell.dbadvise(["analyze", "--input", path])
        expectUsageError(result, ["\(path): not a dbadvise snapshot (it is a dbadvise report)"])
    }

    @Test func anotherKindIsNotASnapshot() throws {
        let data = try SnapshotFiles.edited(SnapshotFiles.quiet()) { $0["kind"] = "something.else" }
        let path = try file("other-kind.json", data)
        expectUsageError(
            try Shell.dbadvise(["analyze", "--input", path]), ["not a dbadvise snapshot", "something.else"])
        let array = try file("array.json", Data("[1, 2]".utf8))
        expectUsageError(try Shell.dbadvise(["analyze", "--input", array]), ["\(array): not a dbadvise snapshot"])
    }

    @Test func aWrongTypeNamesTheKeyAsInTheFile() throws {
        let data = try SnapshotFiles.edited(SnapshotFiles.quiet()) { object in
            var rates = object["rates"] as? [String: Any] ?? [:]
            rates["writes_per_second"] = "fast"
            object["rates"] = rates
        }
        let path = try file("wrong-type.json", data)
        expectUsageError(
            try Shell.dbadvise(["analyze", "--input", path]), ["\(path): rates.writes_per_second: expected a number"])
    }

    @Test func aMissingFileIsNamed() throws {
        let path = directory.appendingPathComponent("missing.json").path
        expectUsageError(try Shell.dbadvise(["analyze", "--input", path]), ["cannot read \(path): no such file"])
    }

    @Test func aDirectoryWithoutSnapshotsIsRefused() throws {
        let empty = directory.appendingPathComponent("empty", isDirectory: true)
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        expectUsageError(try Shell.dbadvise(["analyze", "--input", empty.path]), ["no snapshots in \(empty.path)"])
    }

    @Test func oneBadFileInADirectoryIsNamed() throws {
        let series = directory.appendingPathComponent("mixed", isDirectory: true)
        try FileManager.default.createDirectory(at: series, withIntermediateDirectories: true)
        try SnapshotFiles.write(SnapshotFiles.quiet(), to: series.appendingPathComponent("a.json"))
        let bad = series.appendingPathComponent("b.json")
        try Data("{".utf8).write(to: bad)
        expectUsageError(try Shell.dbadvise(["analyze", "--input", series.path]), ["cannot read \(bad.path): line 1"])
    }

    @Test func dsnWithInputIsAUsageError() throws {
        let result = try Shell.dbadvise(["analyze", "--dsn", "dbname=shop", "--input", try quietFile()])
        expectUsageError(result, ["--dsn and --input cannot be used together"])
    }

    @Test func replicaWithInputIsAUsageError() throws {
        let result = try Shell.dbadvise(["analyze", "--replica", "host=standby", "--input", try quietFile()])
        expectUsageError(result, ["--replica"])
    }

    @Test func aBadConfigNamesTheKeyPath() throws {
        let config = try file(
            "dbadvise.yml", Data("thresholds:\n  table_size_gb: {warning: 100, critical: 10}\n".utf8))
        let result = try Shell.dbadvise(["analyze", "--input", try quietFile(), "--config", config])
        expectUsageError(result, ["thresholds.table_size_gb", "warning must be at or below critical"])

        let unknown = try file("unknown.yml", Data("hardware:\n  cpus: 8\n".utf8))
        let second = try Shell.dbadvise(["analyze", "--input", try quietFile(), "--config", unknown])
        expectUsageError(second, ["hardware.cpus"])

        let missing = directory.appendingPathComponent("nope.yml").path
        let third = try Shell.dbadvise(["analyze", "--input", try quietFile(), "--config", missing])
        expectUsageError(third, ["cannot read config \(missing)"])
    }

    @Test func aConfigChangesTheGate() throws {
        // writes_per_second critical lowered below the quiet snapshot's 100 writes/s.
        let config = try file(
            "low.yml",
            Data("thresholds:\n  writes_per_second: {warning: 10, critical: 50}\ngate:\n  fail_on: warning\n".utf8))
        let result = try Shell.dbadvise([
            "analyze", "--input", try quietFile(), "--config", config, "--fail-on", "critical",
        ])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stdout.contains("writes_per_second critical"))
    }

    /// No server listens on a fresh socket directory: libpq fails at once, exit 3.
    @Test func anUnreachableServerExitsThree() throws {
        let result = try Shell.dbadvise([
            "analyze", "--dsn", "host=\(directory.path) port=1 dbname=none connect_timeout=2", "--interval", "0",
        ])
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.hasPrefix("dbadvise: cannot read the database"))
    }
}

/// `dbadvise analyze` live against the test server.
@Suite(.serialized, TestServer.enabled) struct AnalyzeLiveTests {
    @Test func liveAnalyzeReportsOnTheDatabase() throws {
        let dsn = try TestServer.dsn()
        let result = try Shell.dbadvise(["analyze", "--dsn", dsn, "--interval", "1s", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        // stderr is not a terminal here: no progress.
        #expect(result.stderr.isEmpty)
        let data = Data(result.stdout.utf8)
        try SchemaValidator.validate(data, schema: "report.schema.json")
        let report = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let source = try #require(report["source"] as? [String: Any])
        #expect(source["type"] as? String == "live")
        #expect(source["database"] as? String == "dbadvise_test")
        #expect(source["role"] as? String == "primary")
    }

    @Test func liveTextReportNamesTheDatabase() throws {
        let result = try Shell.dbadvise(["analyze", "--dsn", try TestServer.dsn(), "--interval", "0"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("dbadvise report: dbadvise_test"))
    }

    @Test func aCollectedSnapshotAnalyzesOffline() throws {
        let directory = try Shell.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("live.json").path
        let collect = try Shell.dbadvise([
            "collect", "--dsn", try TestServer.dsn(), "--interval", "0", "--output", path,
        ])
        try #require(collect.status == 0, "\(collect.stderr)")
        let result = try Shell.dbadvise(["analyze", "--input", path, "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        try SchemaValidator.validate(Data(result.stdout.utf8), schema: "report.schema.json")
        #expect(result.stdout.contains("\"database\" : \"dbadvise_test\""))
        #expect(result.stdout.contains("\"type\" : \"snapshot\""))
    }
}
