import DBAdviseAnalysis
import DBAdviseModel
import DBAdviseOutput
import DBAdviseTestSupport
import Foundation
import Testing

/// `dbadvise check` run as a pipeline would: the real binary, real snapshots collected from
/// the test server (then edited for the case), every exit status and every format.
@Suite("dbadvise check", .serialized, TestServer.enabled)
struct CheckCommandTests {
    static let lowWrites = "thresholds:\n  writes_per_second: {warning: 5, critical: 10}\n"

    /// A snapshot collected live from the test server, edited by `edit`, written to a file.
    func snapshotFile(_ edit: (inout Snapshot) -> Void = { _ in }) throws -> String {
        let collected = try Shell.dbadvise(["collect", "--dsn", try TestServer.dsn(), "--interval", "0"])
        #expect(collected.status == 0, "\(collected.stderr)")
        var snapshot = try SnapshotCoding.decoder().decode(Snapshot.self, from: Data(collected.stdout.utf8))
        snapshot.rates.writesPerSecond = 1
        // A settled window, as an hourly collection gives: an interval of an hour with no bulk
        // load in it (the test server started minutes ago, and other suites load tables), so
        // the gate judges the rates the cases set.
        snapshot.interval.mode = .delta
        snapshot.interval.rateSeconds = 3_600
        // The server's sessions are other suites' work; the machine stays unknown so that the
        // gate judges only what each case sets.
        snapshot.host = nil
        snapshot.tables = snapshot.tables?.map { table in
            var quiet = table
            quiet.writesPerSecond = 0
            return quiet
        }
        edit(&snapshot)
        let file = try Shell.temporaryFile(".json")
        try SnapshotCoding.encoder().encode(snapshot).write(to: file)
        return file.path
    }

    func configFile(_ yaml: String) throws -> String { try Shell.configFile(yaml) }

    @Test func passesBelowEveryThreshold() throws {
        let result = try Shell.dbadvise(["check", "--input", try snapshotFile()])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("PASSED"))
        #expect(result.stderr.isEmpty)
    }

    @Test func aCrossedThresholdFailsWithMetricValueAndLimit() throws {
        let input = try snapshotFile { $0.rates.writesPerSecond = 42 }
        let result = try Shell.dbadvise(["check", "--input", input, "--config", try configFile(Self.lowWrites)])
        #expect(result.status == 1)
        #expect(result.stdout.contains("writes_per_second"))
        #expect(result.stderr.contains("writes_per_second dbadvise_test: 42 ≥ 10 rows/s (critical)"))
        #expect(result.stderr.split(separator: "\n").count == 1)
        // --fail-on overrides gate.fail_on
        let never = try Shell.dbadvise(
            ["check", "--input", input, "--config", try configFile(Self.lowWrites), "--fail-on", "never"])
        #expect(never.status == 0)
        let warningOnly = try snapshotFile { $0.rates.writesPerSecond = 7 }
        let belowCritical = try Shell.dbadvise(
            ["check", "--input", warningOnly, "--config", try configFile(Self.lowWrites)])
        #expect(belowCritical.status == 0)
        let failOnWarning = try Shell.dbadvise(
            ["check", "--input", warningOnly, "--config", try configFile(Self.lowWrites), "--fail-on", "warning"])
        #expect(failOnWarning.status == 1)
    }

    @Test func liveCheckAgainstTheServerWithLowThresholds() throws {
        let config = try configFile("thresholds:\n  database_size_gb: {warning: 0.001, critical: 0.002}\n")
        let result = try Shell.dbadvise(
            ["check", "--dsn", try TestServer.dsn(), "--interval", "1s", "--config", config, "--format", "json"])
        #expect(result.status == 1, "\(result.stderr)")
        try SchemaValidator.validate(Data(result.stdout.utf8), schema: "report.schema.json")
        struct Head: Decodable {
            struct Gate: Decodable {
                struct Breach: Decodable { let threshold: String; let severity: String }
                let passed: Bool
                let breaches: [Breach]
            }
            let gate: Gate
        }
        let head = try JSONDecoder().decode(Head.self, from: Data(result.stdout.utf8))
        #expect(!head.gate.passed)
        #expect(head.gate.breaches.contains { $0.threshold == "database_size_gb" && $0.severity == "critical" })
        let unreachable = try Shell.dbadvise(["check", "--dsn", "host=127.0.0.1 port=1 connect_timeout=2"])
        #expect(unreachable.status == 3)
    }

    /// The gate and the rules read one judgment of the hit ratio: over enough block accesses
    /// of a warm cache it breaks the gate; over a handful (an idle database) it is shown with a
    /// note and breaks nothing.
    @Test func aHitRatioGatesOnlyOverEnoughBlocksOfAWarmCache() throws {
        func hitRatio(hitsPerSecond: Double, readsPerSecond: Double) throws -> String {
            try snapshotFile { snapshot in
                snapshot.server.startTime = snapshot.interval.finishedAt.addingTimeInterval(-30 * 86_400)
                snapshot.rates.blksHitPerSecond = hitsPerSecond
                snapshot.rates.blksReadPerSecond = readsPerSecond
                snapshot.rates.cacheHitRatio = hitsPerSecond / (hitsPerSecond + readsPerSecond)
            }
        }
        let busy = try Shell.dbadvise(
            ["check", "--input", try hitRatio(hitsPerSecond: 900, readsPerSecond: 100), "--format", "json"])
        #expect(busy.status == 1, "\(busy.stderr)")
        let busyReport = try ReportCoding.decoder().decode(Report.self, from: Data(busy.stdout.utf8))
        #expect(busyReport.gate.breaches.contains { $0.threshold == .cacheHitRatio && $0.severity == .critical })

        let idle = try Shell.dbadvise(
            ["check", "--input", try hitRatio(hitsPerSecond: 0.9, readsPerSecond: 0.1), "--format", "json"])
        #expect(idle.status == 0, "\(idle.stderr)")
        let report = try ReportCoding.decoder().decode(Report.self, from: Data(idle.stdout.utf8))
        #expect(!report.gate.breaches.contains { $0.threshold == .cacheHitRatio })
        #expect(report.metrics.cacheHitRatio == 0.9, "the value is still shown")
        let note = try #require(report.notes.first { $0.metric.rawValue == "cache_hit_ratio" })
        #expect(note.reason.contains("shared-buffer accesses"), "\(note.reason)")
        // JUnit: the key is skipped with the reason, not passed as if it had been judged.
        let junit = try Shell.dbadvise(
            ["check", "--input", try hitRatio(hitsPerSecond: 0.9, readsPerSecond: 0.1), "--format", "junit"])
        #expect(junit.status == 0)
        #expect(
            junit.stdout.contains("name=\"cache_hit_ratio\"")
                && junit.stdout.contains("<skipped message=\"shown, not judged: only"),
            "\(junit.stdout)")
    }

    /// The idle `postgres` database of the test server, live: the gate passes, whatever its
    /// few catalog reads made of the hit ratio; also with its cache taken as warm (a server
    /// up for a month), so the block count, not the young server, is what keeps it quiet.
    @Test func anIdleDatabaseNeverFailsTheGate() throws {
        let dsn = try TestServer.dsn(database: "postgres")
        let live = try Shell.dbadvise(["check", "--dsn", dsn, "--format", "json"])
        #expect(live.status == 0, "\(live.stderr)\n\(live.stdout)")
        try SchemaValidator.validate(Data(live.stdout.utf8), schema: "report.schema.json")

        let collected = try Shell.dbadvise(["collect", "--dsn", dsn, "--interval", "2s"])
        #expect(collected.status == 0, "\(collected.stderr)")
        var snapshot = try SnapshotCoding.decoder().decode(Snapshot.self, from: Data(collected.stdout.utf8))
        snapshot.server.startTime = snapshot.interval.finishedAt.addingTimeInterval(-30 * 86_400)
        let file = try Shell.temporaryFile(".json")
        try SnapshotCoding.encoder().encode(snapshot).write(to: file)
        let warm = try Shell.dbadvise(["check", "--input", file.path, "--fail-on", "warning", "--format", "json"])
        let report = try ReportCoding.decoder().decode(Report.self, from: Data(warm.stdout.utf8))
        #expect(
            !report.gate.breaches.contains { $0.threshold == .cacheHitRatio },
            "\(report.gate.breaches) \(report.notes)")
        if report.metrics.cacheHitRatio != nil {
            #expect(
                report.notes.contains { $0.metric.rawValue == "cache_hit_ratio" && $0.reason.contains("not judged") })
        }
    }

    @Test func junitIsValidXMLWithOneCasePerThresholdAndRule() throws {
        let input = try snapshotFile { $0.rates.writesPerSecond = 42 }
        let result = try Shell.dbadvise(
            ["check", "--input", input, "--config", try configFile(Self.lowWrites), "--format", "junit"])
        #expect(result.status == 1)
        let file = try Shell.temporaryFile(".xml")
        try Data(result.stdout.utf8).write(to: file)
        let counts = try Shell.run(
            "/usr/bin/env",
            [
                "python3", "-c",
                """
                import sys, xml.etree.ElementTree as ET
                root = ET.parse(sys.argv[1]).getroot()
                suite = root.find('testsuite')
                cases = suite.findall('testcase')
                thresholds = [c for c in cases if c.get('classname') == 'dbadvise.thresholds']
                rules = [c for c in cases if c.get('classname') == 'dbadvise.rules']
                failures = [c.get('name') for c in cases if c.find('failure') is not None]
                print(len(thresholds), len(rules), suite.get('tests'), suite.get('failures'), root.get('failures'), ','.join(failures))
                """, file.path,
            ])
        #expect(counts.status == 0, "\(counts.stderr)")
        let fields = counts.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ").map(
            String.init)
        let rules = try Shell.dbadvise(["rules", "--format", "json"])
        let ruleCount = try JSONSerialization.jsonObject(with: Data(rules.stdout.utf8)) as? [Any]
        #expect(fields.count == 6)
        #expect(fields[0] == String(ThresholdKey.allCases.count))
        #expect(Int(fields[1]) ?? 0 >= ruleCount?.count ?? 1)
        #expect(fields[2] == String((Int(fields[0]) ?? 0) + (Int(fields[1]) ?? 0)))
        #expect(fields[3] == "1")
        #expect(fields[4] == "1")
        #expect(fields[5] == "writes_per_second")
    }

    @Test func githubLinesAndStepSummary() throws {
        let input = try snapshotFile { $0.rates.writesPerSecond = 42 }
        let summary = try Shell.temporaryFile(".md")
        try Data("# earlier step\n".utf8).write(to: summary)
        let result = try Shell.dbadvise(
            ["check", "--input", input, "--config", try configFile(Self.lowWrites), "--format", "github"],
            environment: ["GITHUB_STEP_SUMMARY": summary.path])
        #expect(result.status == 1)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains("::error title=dbadvise writes_per_second::dbadvise_test: 42 ≥ 10 rows/s (critical)"))
        #expect(
            lines.filter { $0.hasPrefix("::") }.allSatisfy {
                $0.hasPrefix("::error ") || $0.hasPrefix("::warning ") || $0.hasPrefix("::notice ")
            })
        let markdown = try String(contentsOf: summary, encoding: .utf8)
        #expect(markdown.hasPrefix("# earlier step\n"))
        #expect(markdown.contains("writes_per_second"))
    }

    @Test func baselineFailsOnlyOnNewOrWorseFindings() throws {
        let config = try configFile(Self.lowWrites)
        let today = try snapshotFile { $0.rates.writesPerSecond = 42 }
        let baseline = try Shell.temporaryFile(".json")
        let recorded = try Shell.dbadvise(
            ["check", "--input", today, "--config", config, "--write-baseline", baseline.path])
        #expect(recorded.status == 0, "\(recorded.stderr)")
        #expect(recorded.stderr.contains("baseline of"))
        try SchemaValidator.validate(try Data(contentsOf: baseline), schema: "baseline.schema.json")

        // the same findings: accepted
        let same = try Shell.dbadvise(["check", "--input", today, "--config", config, "--baseline", baseline.path])
        #expect(same.status == 0, "\(same.stdout) \(same.stderr)")
        // slightly more (within 10%): still the same finding
        let slightly = try snapshotFile { $0.rates.writesPerSecond = 44 }
        #expect(
            try Shell.dbadvise(["check", "--input", slightly, "--config", config, "--baseline", baseline.path]).status
                == 0)
        // worse: the value moved well past the recorded one
        let worse = try snapshotFile { $0.rates.writesPerSecond = 80 }
        let worseResult = try Shell.dbadvise([
            "check", "--input", worse, "--config", config, "--baseline", baseline.path,
        ])
        #expect(worseResult.status == 1)
        #expect(worseResult.stderr.contains("new or worse"))
        // new: a threshold that was not crossed before
        let newBreach = try snapshotFile {
            $0.rates.writesPerSecond = 42
            $0.database?.sizeBytes = 5 * 1_073_741_824
        }
        let sizeConfig = try configFile(Self.lowWrites + "  database_size_gb: {warning: 1, critical: 2}\n")
        let newResult = try Shell.dbadvise([
            "check", "--input", newBreach, "--config", sizeConfig, "--baseline", baseline.path,
        ])
        #expect(newResult.status == 1)
        #expect(newResult.stderr.contains("database_size_gb"))
    }

    @Test func growthGateOverASeries() throws {
        let directory = try Shell.temporaryDirectory()
        let gigabyte = 1_073_741_824
        for day in 0..<3 {
            let file = try snapshotFile { snapshot in
                let shift = Double(day - 3) * 86_400
                snapshot.interval.startedAt = snapshot.interval.startedAt.addingTimeInterval(shift)
                snapshot.interval.finishedAt = snapshot.interval.finishedAt.addingTimeInterval(shift)
                snapshot.database?.sizeBytes = (10 + 2 * day) * gigabyte
            }
            try FileManager.default.moveItem(
                atPath: file, toPath: directory.appendingPathComponent("day\(day).json").path)
        }
        let config = try configFile(
            """
            thresholds:
              database_growth_gb_per_day: {warning: 0.5, critical: 1}
              database_size_gb: {warning: 15, critical: 20}
            """)
        let result = try Shell.dbadvise(["check", "--input", directory.path, "--config", config, "--format", "json"])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("database_growth_gb_per_day dbadvise_test: 2 ≥ 1 GB/day (critical)"))
        // 14 GB today, 2 GB/day, critical at 20 GB: 3 days left
        #expect(result.stdout.contains("\"days_to_critical\""))
        try SchemaValidator.validate(Data(result.stdout.utf8), schema: "report.schema.json")
    }

    @Test(arguments: [
        (["check", "--input", "/nonexistent.json"], "cannot read"),
        (["check", "--format", "xml"], "xml"),
        (["check", "--baseline", "a.json", "--write-baseline", "b.json"], "cannot be used together"),
        (["check", "--dsn", "host=x", "--input", "y.json"], "cannot be used together"),
    ])
    func badUsageExitsTwo(arguments: [String], message: String) throws {
        let result = try Shell.dbadvise(arguments)
        #expect(result.status == 2)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func aBaselineOfTheWrongKindIsRefused() throws {
        let notBaseline = try snapshotFile()
        let result = try Shell.dbadvise(["check", "--input", notBaseline, "--baseline", notBaseline])
        #expect(result.status == 2)
        #expect(result.stderr.contains("dbadvise.baseline"))
        // and --write-baseline never overwrites what is not a baseline
        let before = try Data(contentsOf: URL(fileURLWithPath: notBaseline))
        let refused = try Shell.dbadvise(["check", "--input", notBaseline, "--write-baseline", notBaseline])
        #expect(refused.status == 2)
        #expect(try Data(contentsOf: URL(fileURLWithPath: notBaseline)) == before)
    }

    /// The sample CI jobs call dbadvise with flags that exist and work.
    @Test func sampleWorkflowsRunTheRealCommand() throws {
        let input = try snapshotFile()
        for sample in ["github-actions.yml", "gitlab-ci.yml"] {
            let text = try String(
                contentsOf: Shell.packageRoot.appendingPathComponent("samples/ci/\(sample)"), encoding: .utf8)
            let commands = text.split(separator: "\n").compactMap { line -> String? in
                guard let range = line.range(of: "dbadvise check ") else { return nil }
                return String(line[range.lowerBound...]).components(separatedBy: " >").first
            }
            #expect(!commands.isEmpty, "\(sample) has no dbadvise check")
            for command in commands {
                let arguments = command.split(separator: " ").dropFirst().map { word -> String in
                    switch word {
                    case "nightly.json": input
                    case "dbadvise.yml": Shell.packageRoot.appendingPathComponent("samples/dbadvise.yml").path
                    default: String(word)
                    }
                }
                let result = try Shell.dbadvise(arguments)
                #expect(result.status == 0, "\(sample): \(command): \(result.stderr)")
            }
        }
    }
}
