import Foundation
import Testing

@testable import DBAdviseAnalysis
@testable import DBAdviseModel
@testable import DBAdviseOutput

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Validates JSON against a schema in schemas/ with python3's jsonschema (as the rule tests
/// do); a missing python3 or module fails the test.
func validateJSON(_ data: Data, schema: String) throws {
    let schemaPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("schemas/\(schema)").path
    let script = """
        import json, sys, jsonschema
        schema = json.load(open(sys.argv[1]))
        jsonschema.Draft202012Validator.check_schema(schema)
        errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(json.load(sys.stdin)), key=str)
        for error in errors:
            print("/".join(map(str, error.absolute_path)) + ": " + error.message)
        sys.exit(1 if errors else 0)
        """
    let result = try runPython(script, arguments: [schemaPath], input: data)
    #expect(result.status == 0, "not valid against \(schema) (python3 and jsonschema are required): \(result.output)")
}

func runPython(_ script: String, arguments: [String], input: Data) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script] + arguments
    let stdin = Pipe()
    let output = Pipe()
    process.standardInput = stdin
    process.standardOutput = output
    process.standardError = output
    try process.run()
    stdin.fileHandleForWriting.write(input)
    try stdin.fileHandleForWriting.close()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, text)
}

/// The counts a JUnit reporter reads, from the parsed XML.
struct JUnitCounts: Equatable {
    var suitesTests: Int
    var suitesFailures: Int
    var suiteName: String
    var suiteTests: Int
    var suiteFailures: Int
    var testcases: Int
    var failures: Int
    var skipped: Int
}

/// A parsed JUnit report: the counts, and the failing test cases (`classname/name`) with
/// their failure's message and type.
struct ParsedJUnit {
    var counts: JUnitCounts
    var failed: [String: (message: String, type: String)]

    var failures: Int { counts.failures }
}

/// Parses JUnit XML with Foundation's XMLDocument where it exists, else python3's xml.etree.
func parseJUnit(_ xml: String) throws -> ParsedJUnit {
    #if canImport(FoundationXML) || os(macOS)
        let document = try XMLDocument(xmlString: xml, options: [])
        let root = try #require(document.rootElement())
        #expect(root.name == "testsuites")
        let suites = root.elements(forName: "testsuite")
        #expect(suites.count == 1)
        let suite = try #require(suites.first)
        func int(_ element: XMLElement, _ name: String) -> Int {
            Int(element.attribute(forName: name)?.stringValue ?? "") ?? -1
        }
        let cases = suite.elements(forName: "testcase")
        var failed: [String: (String, String)] = [:]
        var skipped = 0
        for testCase in cases {
            let name =
                "\(testCase.attribute(forName: "classname")?.stringValue ?? "")/"
                + (testCase.attribute(forName: "name")?.stringValue ?? "")
            if let failure = testCase.elements(forName: "failure").first {
                failed[name] = (
                    failure.attribute(forName: "message")?.stringValue ?? "",
                    failure.attribute(forName: "type")?.stringValue ?? ""
                )
            }
            skipped += testCase.elements(forName: "skipped").count
        }
        let counts = JUnitCounts(
            suitesTests: int(root, "tests"), suitesFailures: int(root, "failures"),
            suiteName: suite.attribute(forName: "name")?.stringValue ?? "", suiteTests: int(suite, "tests"),
            suiteFailures: int(suite, "failures"), testcases: cases.count, failures: failed.count,
            skipped: skipped)
        return ParsedJUnit(counts: counts, failed: failed)
    #else
        let script = """
            import json, sys, xml.etree.ElementTree as ET
            root = ET.fromstring(sys.stdin.buffer.read())
            suite = root.find("testsuite")
            cases = suite.findall("testcase")
            failed = {c.get("classname") + "/" + c.get("name"): [c.find("failure").get("message"), c.find("failure").get("type")]
                      for c in cases if c.find("failure") is not None}
            print(json.dumps({"root": root.tag, "tests": root.get("tests"), "failures": root.get("failures"),
                              "name": suite.get("name"), "suite_tests": suite.get("tests"),
                              "suite_failures": suite.get("failures"), "cases": len(cases),
                              "skipped": sum(len(c.findall("skipped")) for c in cases), "failed": failed}))
            """
        let result = try runPython(script, arguments: [], input: Data(xml.utf8))
        #expect(result.status == 0, "not well-formed XML: \(result.output)")
        struct Parsed: Decodable {
            var root: String
            var tests: String
            var failures: String
            var name: String
            var suite_tests: String
            var suite_failures: String
            var cases: Int
            var skipped: Int
            var failed: [String: [String]]
        }
        let parsed = try JSONDecoder().decode(Parsed.self, from: Data(result.output.utf8))
        #expect(parsed.root == "testsuites")
        let counts = JUnitCounts(
            suitesTests: Int(parsed.tests) ?? -1, suitesFailures: Int(parsed.failures) ?? -1, suiteName: parsed.name,
            suiteTests: Int(parsed.suite_tests) ?? -1, suiteFailures: Int(parsed.suite_failures) ?? -1,
            testcases: parsed.cases, failures: parsed.failed.count, skipped: parsed.skipped)
        return ParsedJUnit(counts: counts, failed: parsed.failed.mapValues { ($0.first ?? "", $0.last ?? "") })
    #endif
}

@Suite struct CheckRendererTests {
    static let ruleIDs = ["scale-up-cpu", "partition-large-time-series", "shard-by-tenant"]

    /// A growth series whose latest snapshot breaches table_size_gb (critical) and
    /// writes_per_second (warning), growing fast enough to breach both growth keys.
    static func seriesReport(failOn: FailOn = .critical) throws -> Report {
        let series = (0..<4).map { day in
            var snapshot = seriesSnapshot(
                day: Double(day), databaseBytes: (1_100 + 30 * Double(day)) * gibibyte,
                tables: ["events": (1_000 + 25 * Double(day)) * gibibyte, "orders": 50 * gibibyte])
            snapshot.rates.writesPerSecond = 6_000
            return snapshot
        }
        var report = try Analyzer(rules: []).report(
            snapshots: series, config: Config(), failOn: failOn, sourceType: .snapshot,
            generatedAt: Date(timeIntervalSince1970: 1_795_300_000))
        report.recommendations = [
            ruleFinding("partition-large-time-series", severity: .critical),
            ruleFinding("scale-up-cpu", target: "app", severity: .info),
        ]
        return report
    }

    @Test func everyFormatRenders() throws {
        let report = try Self.seriesReport()
        for format in CheckFormat.allCases {
            let text = CheckRenderer.render(report, comparison: nil, ruleIDs: Self.ruleIDs, as: format)
            #expect(text.hasSuffix("\n") && text.count > 40, "\(format.rawValue)")
        }
        #expect(CheckFormat.allCases.map(\.rawValue) == ["text", "json", "junit", "github"])
    }

    @Test func textLeadsWithTheGateAndFits80Columns() throws {
        let report = try Self.seriesReport()
        #expect(!report.gate.passed)
        let text = CheckRenderer.render(report, comparison: nil, ruleIDs: Self.ruleIDs, as: .text)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first == "dbadvise check: app — FAILED (fail on critical)")
        #expect(text.contains("✗ table_size_gb public.events: 1,075 ≥ 1,000 GB (critical)"))
        #expect(text.contains("• writes_per_second app: 6,000 ≥ 5,000 rows/s (warning)"))
        #expect(text.contains("days_to_critical public.events (table_size_gb): 0 ≤ 30 days (critical)"))
        #expect(text.contains("database_growth_gb_per_day app: 30 ≥ 10 GB/day (warning)"))
        #expect(text.contains("CRITICAL partitioning public.events: Partition public.events"))
        #expect(text.contains("Growth: database grows 30 GB/day (r² 1 over 4 snapshots, 3 days)"))
        for line in lines { #expect(line.count <= 80, "too wide: \(line)") }
        #expect(!text.contains("\u{1B}"))
        #expect(
            CheckRenderer.render(report, comparison: nil, ruleIDs: [], as: .text, useColor: true).contains("\u{1B}["))
    }

    @Test func textMarksNewAndWorseAgainstABaseline() throws {
        let report = try Self.seriesReport()
        var older = report
        older.gate.breaches = report.gate.breaches.filter { $0.threshold != .writesPerSecond }.map { breach in
            var breach = breach
            if breach.threshold == .tableSizeGB { breach.value = 900 }
            return breach
        }
        let comparison = Baseline(report: older).compare(with: report)
        let text = CheckRenderer.render(report, comparison: comparison, ruleIDs: Self.ruleIDs, as: .text)
        #expect(text.contains("1 new, 1 worse,"))
        #expect(text.contains("writes_per_second app: 6,000 ≥ 5,000 rows/s (warning) [new]"))
        #expect(text.contains("table_size_gb public.events: 1,075 ≥ 1,000 GB (critical) [worse, was 900 GB]"))
        #expect(text.contains("[baselined]"))
        #expect(text.hasPrefix("dbadvise check: app — FAILED"))
    }

    @Test func junitIsValidXMLWithACaseperThresholdAndRule() throws {
        let report = try Self.seriesReport()
        let xml = CheckRenderer.render(report, comparison: nil, ruleIDs: Self.ruleIDs, as: .junit)
        #expect(xml.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites"))
        let counts = try parseJUnit(xml)
        let total = ThresholdKey.allCases.count + Self.ruleIDs.count
        // Critical breaches fail: table_size_gb and days_to_critical. Warnings do not.
        #expect(
            counts.counts
                == JUnitCounts(
                    suitesTests: total, suitesFailures: 2, suiteName: "dbadvise check",
                    suiteTests: total, suiteFailures: 2, testcases: total, failures: 2,
                    skipped: 0))
        let table = try #require(counts.failed["dbadvise.thresholds/table_size_gb"])
        #expect(table.message == "table_size_gb public.events: 1,075 ≥ 1,000 GB (critical)")
        #expect(table.type == "critical")
        #expect(counts.failed["dbadvise.thresholds/days_to_critical"] != nil)
        #expect(counts.failed["dbadvise.rules/partition-large-time-series"] == nil, "rule findings never gate")
        #expect(xml.contains("<system-out>writes_per_second app: 6,000 ≥ 5,000 rows/s (warning)</system-out>"))
        #expect(xml.contains("<system-out>CRITICAL public.events: Partition public.events</system-out>"))

        let lenient = try parseJUnit(
            CheckRenderer.render(
                try Self.seriesReport(failOn: .never), comparison: nil, ruleIDs: Self.ruleIDs, as: .junit))
        #expect(lenient.failures == 0 && lenient.counts.suiteFailures == 0)
        let strict = try parseJUnit(
            CheckRenderer.render(
                try Self.seriesReport(failOn: .warning), comparison: nil, ruleIDs: Self.ruleIDs, as: .junit))
        #expect(strict.failures == 5, "table_size, days_to_critical, writes, database size, growth rate")
    }

    @Test func junitSkipsGrowthKeysForOneSnapshotAndEscapesText() throws {
        var report = try checkReport(breaches: [
            GateBreach(
                threshold: .tableSizeGB, target: "public.\"a<b>&c'\u{07}", value: 1_200, limit: 1_000,
                unit: "GB", severity: .critical)
        ])
        report.recommendations = [ruleFinding("partition-large-time-series", target: "x]]>y\ny", severity: .warning)]
        let xml = CheckRenderer.render(report, comparison: nil, ruleIDs: Self.ruleIDs, as: .junit)
        let counts = try parseJUnit(xml)
        #expect(counts.counts.skipped == 2)
        #expect(counts.failures == 1)
        #expect(counts.counts.testcases == ThresholdKey.allCases.count + Self.ruleIDs.count)
        let failure = try #require(counts.failed["dbadvise.thresholds/table_size_gb"])
        // the BEL is shown escaped, as in every format (it used to be dropped here alone)
        #expect(failure.message == "table_size_gb public.\"a<b>&c'\\x07: 1,200 ≥ 1,000 GB (critical)")
        #expect(xml.contains("public.&quot;a&lt;b&gt;&amp;c&apos;"))
        #expect(!xml.contains("\u{07}"))
    }

    @Test func junitWithABaselineFailsOnlyOnNewOrWorse() throws {
        let report = try Self.seriesReport()
        let same = Baseline(report: report).compare(with: report)
        let accepted = try parseJUnit(CheckRenderer.render(report, comparison: same, ruleIDs: Self.ruleIDs, as: .junit))
        #expect(accepted.failures == 0 && accepted.counts.suitesFailures == 0)
        var older = report
        older.gate.breaches.removeAll { $0.threshold == .tableSizeGB }
        let newer = Baseline(report: older).compare(with: report)
        let counts = try parseJUnit(CheckRenderer.render(report, comparison: newer, ruleIDs: Self.ruleIDs, as: .junit))
        #expect(counts.failures == 1)
        #expect(
            counts.failed["dbadvise.thresholds/table_size_gb"]?.message.hasPrefix("table_size_gb public.events:")
                == true)
    }

    @Test func githubLinesHaveLevelsAndEscaping() throws {
        var report = try Self.seriesReport()
        report.gate.breaches.append(
            GateBreach(
                threshold: .tableSizeGB, target: "public.100%\nevil", value: 1_001,
                limit: 1_000, unit: "GB", severity: .critical))
        let text = CheckRenderer.render(report, comparison: nil, ruleIDs: Self.ruleIDs, as: .github)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.contains("::error title=dbadvise table_size_gb::public.events: 1,075 ≥ 1,000 GB (critical)"))
        #expect(
            lines.contains("::error title=dbadvise table_size_gb::public.100%25%0Aevil: 1,001 ≥ 1,000 GB (critical)"))
        #expect(lines.contains("::warning title=dbadvise writes_per_second::app: 6,000 ≥ 5,000 rows/s (warning)"))
        #expect(
            lines.contains(
                "::warning title=dbadvise partition-large-time-series::public.events: "
                    + "Partition public.events (critical)"))
        #expect(lines.contains("::notice title=dbadvise scale-up-cpu::app: Partition app (info)"))
        #expect(lines.last?.hasPrefix("dbadvise check: FAILED (fail on critical): 6 breaches") == true)
        #expect(lines.filter { $0.hasPrefix("::error ") }.count == 3)
        #expect(
            lines.dropLast().allSatisfy {
                $0.hasPrefix("::error ") || $0.hasPrefix("::warning ") || $0.hasPrefix("::notice ")
            })

        var lowered = report
        lowered.gate.failOn = .never
        let never = CheckRenderer.render(lowered, comparison: nil, ruleIDs: [], as: .github)
        #expect(!never.contains("::error"))
    }

    @Test func githubPropertiesEscapeColonsAndCommas() throws {
        var report = try checkReport(breaches: [])
        report.recommendations = [ruleFinding("partition-large-time-series", target: "a:b,c", severity: .warning)]
        let text = CheckRenderer.render(report, comparison: nil, ruleIDs: [], as: .github)
        #expect(text.contains("::warning title=dbadvise partition-large-time-series::a:b,c: Partition a:b,c (warning)"))
        // Titles are properties: `:` and `,` are encoded there too; `%` first, so it is not doubled.
        #expect(GitHubCheckRenderer.escapeProperty("a:b,c%d\r\n") == "a%3Ab%2Cc%25d%0D%0A")
        #expect(GitHubCheckRenderer.escapeData("a:b,c%d\r\n") == "a:b,c%25d%0D%0A")
        #expect(GitHubCheckRenderer.command("error", title: "x: y, z", "m") == "::error title=x%3A y%2C z::m")
        let breach = GateBreach(
            threshold: .cacheHitRatio, target: "app", value: 0.9, limit: 0.95, unit: "ratio",
            severity: .critical)
        let escaped = CheckRenderer.render(
            try checkReport(breaches: [breach]), comparison: nil, ruleIDs: [], as: .github)
        #expect(escaped.contains("::error title=dbadvise cache_hit_ratio::app: 0.90 ≤ 0.95 ratio (critical)"))
        #expect(escaped.hasSuffix("dbadvise check: FAILED (fail on critical): 1 breach, 0 recommendations\n"))
    }

    @Test func githubStepSummaryIsMarkdown() throws {
        let report = try Self.seriesReport()
        let markdown = CheckRenderer.githubStepSummary(report, comparison: nil)
        #expect(markdown.hasPrefix("## ❌ dbadvise check: app — failed"))
        #expect(markdown.contains("| | threshold | target | value | limit | severity |"))
        #expect(markdown.contains("| ❌ | `table_size_gb` | public.events | 1,075 GB | ≥ 1,000 GB | critical |"))
        #expect(markdown.contains("| ⚠️ | `writes_per_second` | app | 6,000 rows/s | ≥ 5,000 rows/s | warning |"))
        #expect(markdown.contains("### Recommendations"))
        #expect(markdown.contains("`partition-large-time-series`"))
        #expect(markdown.contains("### Growth"))
        let passed = CheckRenderer.githubStepSummary(report, comparison: Baseline(report: report).compare(with: report))
        #expect(passed.hasPrefix("## ✅ dbadvise check: app — passed"))
        #expect(passed.contains("| unchanged |"))
    }

    @Test func jsonWithGrowthAndBaselineMatchesTheSchema() throws {
        let report = try Self.seriesReport()
        let plain = CheckRenderer.render(report, comparison: nil, ruleIDs: Self.ruleIDs, as: .json)
        #expect(plain == JSONReportRenderer.render(report), "without a baseline: the report as analyze prints it")
        #expect(!plain.contains("\"baseline\""))
        try validateJSON(Data(plain.utf8), schema: "report.schema.json")

        var older = report
        older.gate.breaches.removeAll { $0.threshold == .writesPerSecond }
        older.gate.breaches = older.gate.breaches.map { breach in
            var breach = breach
            if breach.threshold == .tableSizeGB { breach.value = 900 }
            return breach
        }
        older.gate.breaches.append(
            GateBreach(
                threshold: .cacheHitRatio, target: "app", value: 0.9, limit: 0.95,
                unit: "ratio", severity: .critical))
        let comparison = Baseline(report: older).compare(with: report)
        let json = CheckRenderer.render(report, comparison: comparison, ruleIDs: Self.ruleIDs, as: .json)
        try validateJSON(Data(json.utf8), schema: "report.schema.json")
        let decoded = try ReportCoding.decoder().decode(Report.self, from: Data(json.utf8))
        #expect(decoded.gate.passed == false, "table_size_gb got worse at critical")
        #expect(decoded.gate.breaches == report.gate.breaches)
        let baseline = try #require(decoded.baseline)
        #expect(baseline.counts == ReportBaseline.Counts(new: 1, worse: 1, unchanged: 5, resolved: 1))
        #expect(baseline.new.map(\.id) == ["threshold:writes_per_second"])
        #expect(baseline.worse.map(\.baseline.value) == [900])
        #expect(baseline.resolved.map(\.id) == ["threshold:cache_hit_ratio"])
        #expect(decoded.growth == report.growth)
        #expect(CheckRenderer.gate(of: report, comparison: comparison) == decoded.gate)

        let accepted = CheckRenderer.render(
            report, comparison: Baseline(report: report).compare(with: report), ruleIDs: [], as: .json)
        let acceptedReport = try ReportCoding.decoder().decode(Report.self, from: Data(accepted.utf8))
        #expect(acceptedReport.gate.passed)
        try validateJSON(Data(accepted.utf8), schema: "report.schema.json")
    }
}
