import DBAdviseAnalysis
import DBAdviseModel
import DBAdviseOutput
import DBAdviseRules
import DBAdviseTestSupport
import Foundation
import Testing

/// Every renderer's output, byte for byte, from fixed inputs: the captured fixture with the
/// "busy" edits of ``ReportOutputTests`` (thresholds crossed, recommendations with evidence),
/// the fixture as it is, a four-day series grown from it, and the rule registry. One golden
/// file each under Golden/; `DBADVISE_UPDATE_GOLDEN=1 swift test --filter RendererGoldenTests`
/// rewrites them (then read the diff before committing it).
@Suite struct RendererGoldenTests {
    static let ruleIDs = RuleRegistry.descriptions.map(\.id)

    // MARK: - Reports

    @Test func markdownReport() throws {
        try Golden.check(ReportRenderer.render(try ReportOutputTests.scenario("busy"), as: .markdown), "busy-report.md")
    }

    @Test func jsonReport() throws {
        try Golden.check(ReportRenderer.render(try ReportOutputTests.scenario("busy"), as: .json), "busy-report.json")
    }

    /// The text report of a series: growth trends, forecasts against the thresholds, and the
    /// what-if plan at ten times the data.
    @Test func seriesTextReport() throws {
        let report = try RuleRegistry.analyzer.report(
            snapshots: try GrowingSeries.snapshots(), config: GrowingSeries.config, sourceType: .snapshot,
            generatedAt: fixedDate, whatIf: try WhatIfScenario.parse("data=10x"), isWrite: WhatIfStatements.isWrite)
        try Golden.check(ReportRenderer.render(report, as: .text, useColor: false), "series-report.txt")
    }

    // MARK: - check

    @Test func checkText() throws {
        try Golden.check(try Self.check(as: .text), "check.txt")
    }

    @Test func checkJUnit() throws {
        try Golden.check(try Self.check(as: .junit), "check.junit.xml")
    }

    @Test func checkGitHubAnnotations() throws {
        try Golden.check(try Self.check(as: .github), "check.github.txt")
    }

    /// Against a baseline taken from the fixture as it is: every breach of the busy report is
    /// new, and the step summary lists them.
    @Test func checkTextAgainstABaseline() throws {
        let busy = try ReportOutputTests.scenario("busy")
        let comparison = Baseline(report: try ReportOutputTests.scenario("base")).compare(with: busy)
        try Golden.check(
            CheckRenderer.render(busy, comparison: comparison, ruleIDs: Self.ruleIDs, as: .text), "check-baseline.txt")
        try Golden.check(CheckRenderer.githubStepSummary(busy, comparison: comparison), "check-step-summary.md")
    }

    static func check(as format: CheckFormat) throws -> String {
        CheckRenderer.render(
            try ReportOutputTests.scenario("busy"), comparison: nil, ruleIDs: ruleIDs, as: format)
    }

    // MARK: - Fleet

    @Test(arguments: ReportFormat.allCases)
    func fleetReport(_ format: ReportFormat) throws {
        let fleet = FleetReport(
            entries: [
                FleetReport.Entry(
                    key: "db1-5432-shop",
                    connection: ConnectionInfo(host: "db1", port: "5432", database: "shop", user: nil),
                    report: try ReportOutputTests.scenario("busy")),
                FleetReport.Entry(
                    key: "db2-5432-billing",
                    connection: ConnectionInfo(host: "db2", port: "5432", database: "billing", user: nil),
                    report: try ReportOutputTests.scenario("idle")),
            ],
            unreachable: [FleetFailure(entry: "db3-5432-audit", reason: "connection refused")],
            failOn: .critical, generatedAt: fixedDate)
        let text = FleetReportRenderer.render(fleet, as: format, useColor: false, directory: "fleet/")
        try Golden.check(text, "fleet-report.\(Golden.fileExtension(format))")
    }

    // MARK: - Rules catalog and plot

    @Test(arguments: ReportFormat.allCases)
    func rulesCatalog(_ format: ReportFormat) throws {
        try Golden.check(
            RuleCatalogRenderer.render(RuleRegistry.descriptions, as: format), "rules.\(Golden.fileExtension(format))")
    }

    @Test func explain() throws {
        let rule = try #require(RuleRegistry.rule(id: "partition-large-time-series"))
        try Golden.check(RuleCatalogRenderer.explain(rule.ruleDescription), "explain-partition-large-time-series.txt")
    }

    @Test func seriesPlot() throws {
        let svg = try #require(
            SeriesPlot.render(snapshots: try GrowingSeries.snapshots(), config: GrowingSeries.config))
        try Golden.check(svg, "series-plot.svg")
    }
}

/// Four daily snapshots of the fixture in which `public.events` grows from 40 to 55 GB (and
/// the database with it) and the write rate climbs: trends, forecasts and a plot with a
/// threshold ahead.
enum GrowingSeries {
    static let config = BaseFixture.config

    static func snapshots() throws -> [Snapshot] {
        let base = try BaseFixture.snapshot()
        return (0...3).map { day in
            var snapshot = base
            let shift = Double(day - 3) * 86_400
            snapshot.interval.startedAt.addTimeInterval(shift)
            snapshot.interval.finishedAt.addTimeInterval(shift)
            let events = (40 + 5 * day) * BaseFixture.gigabyte
            snapshot.database?.sizeBytes = events + BaseFixture.gigabyte
            snapshot.rates.writesPerSecond = 800 + 100 * Double(day)
            snapshot.tables?.append(
                BaseFixture.table(
                    "events", bytes: events, live: 200_000_000 + 25_000_000 * day, writes: 300, reads: 10))
            return snapshot
        }
    }
}

/// Golden files under Tests/DBAdviseRulesTests/Golden/.
enum Golden {
    static let directory = Shell.packageRoot.appendingPathComponent(
        "Tests/DBAdviseRulesTests/Golden", isDirectory: true)

    static func fileExtension(_ format: ReportFormat) -> String {
        switch format {
        case .text: "txt"
        case .json: "json"
        case .markdown: "md"
        }
    }

    /// `actual` equals the golden file `name`; with DBADVISE_UPDATE_GOLDEN=1 it becomes it.
    /// A difference is reported at its first line, with both versions of that line.
    static func check(_ actual: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let file = directory.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["DBADVISE_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try actual.write(to: file, atomically: true, encoding: .utf8)
        }
        guard let expected = try? String(contentsOf: file, encoding: .utf8) else {
            Issue.record(
                "Golden/\(name) is missing: run DBADVISE_UPDATE_GOLDEN=1 swift test --filter RendererGoldenTests",
                sourceLocation: sourceLocation)
            return
        }
        if let difference = TextDifference(expected: expected, actual: actual) {
            let message =
                "Golden/\(name) differs at line \(difference.line): golden \(difference.expected), rendered "
                + "\(difference.actual); if the change is intended, run DBADVISE_UPDATE_GOLDEN=1 swift test "
                + "--filter RendererGoldenTests and review the diff"
            Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
        }
    }
}
