import DBAdviseAnalysis
import DBAdviseModel
import DBAdviseOutput
import Foundation
import Testing

/// Ranking and rendering of the fleet report, on reports made without a server.
@Suite struct FleetReportTests {
    func entry(
        _ name: String, _ findings: [(Severity, Strategy)], breaches: [Severity] = [], bytes: Int? = nil
    ) throws -> FleetReport.Entry {
        var report = try Analyzer(rules: []).report(
            snapshots: [minimalSnapshot()], config: Config(), sourceType: .snapshot,
            generatedAt: Date(timeIntervalSince1970: 0))
        report.source.database = name
        report.metrics.databaseBytes = bytes
        report.recommendations = findings.map { severity, strategy in
            Recommendation(
                rule: "test-rule", strategy: strategy, severity: severity, target: "public.t",
                title: "\(severity.rawValue) \(strategy.rawValue)", summary: "Because.", evidence: [], actions: [])
        }
        report.gate.breaches = breaches.map {
            GateBreach(threshold: .tableSizeGB, target: "public.t", value: 2, limit: 1, unit: "GB", severity: $0)
        }
        report.gate.passed = breaches.allSatisfy { $0 < .critical }
        return FleetReport.Entry(
            key: "db1-5432-\(name)", connection: ConnectionInfo(host: "db1", port: "5432", database: name, user: nil),
            report: report)
    }

    @Test func ranksByWorstSeverityThenCountsThenLadderThenSize() throws {
        let report = FleetReport(
            entries: [
                try entry("calm", []),
                try entry("big-calm", [], bytes: 10_000_000),
                try entry("one-warning", [(.warning, .vertical)]),
                try entry("two-warnings", [(.warning, .vertical), (.warning, .tuning)]),
                try entry("warning-sharding", [(.warning, .sharding)]),
                try entry("critical", [(.critical, .tuning)]),
                try entry("critical-breach-only", [], breaches: [.critical, .critical]),
                try entry("info", [(.info, .cache)]),
            ],
            unreachable: [FleetFailure(entry: "host=db9 password=********", reason: "connection refused")],
            failOn: .critical, generatedAt: Date(timeIntervalSince1970: 0))
        #expect(
            report.databases.compactMap(\.database) == [
                "critical-breach-only", "critical", "two-warnings", "warning-sharding", "one-warning", "info",
                "big-calm", "calm",
            ])
        #expect(report.databases.map(\.rank) == Array(1...8))
        #expect(report.databases[0].findings == FindingCounts(critical: 2, warning: 0, info: 0))
        #expect(report.databases[0].nextStep == nil)
        #expect(report.databases[3].nextStep == .sharding)
        #expect(report.databases.last?.worstSeverity == nil)
        #expect(!report.gate.passed)
        #expect(report.gate.failed == ["db1-5432-critical-breach-only"])
    }

    @Test func rendersEveryFormat() throws {
        let report = FleetReport(
            entries: [try entry("shop", [(.critical, .partitioning)]), try entry("billing", [])],
            unreachable: [FleetFailure(entry: "dsns.txt:3 host=db9 password=********", reason: "connection refused")],
            failOn: .critical, generatedAt: Date(timeIntervalSince1970: 0))
        let text = FleetReportRenderer.render(report, as: .text, directory: "fleet/")
        #expect(text.hasPrefix("dbadvise fleet report: 2 databases, 1 not reached\n"))
        #expect(text.contains("  1  shop              db1:5432             CRITICAL    1    0  partitioning"))
        #expect(text.contains("  2  billing           db1:5432             -           0    0  stay on one box"))
        #expect(text.contains("Not reached (1)"))
        #expect(text.contains("dbadvise analyze --input fleet/db1-5432-shop/"))
        #expect(text.split(separator: "\n").allSatisfy { $0.count <= 80 }, "\(text)")
        #expect(!text.contains("\u{1B}["))
        #expect(FleetReportRenderer.render(report, as: .text, useColor: true).contains("\u{1B}["))

        let markdown = FleetReportRenderer.render(report, as: .markdown)
        #expect(markdown.contains("| 1 | shop | db1:5432 | critical | 1 | 0 | partitioning |"))
        #expect(markdown.contains("## Not reached"))

        let json = FleetReportRenderer.render(report, as: .json)
        #expect(json.contains("\"kind\" : \"dbadvise.fleet_report\""))
        #expect(json.contains("\"worst_severity\" : null"))
        #expect(json.contains("\"next_step\" : null"))
        let decoded = try ReportCoding.decoder().decode(FleetReport.self, from: Data(json.utf8))
        #expect(decoded == report)
    }
}
