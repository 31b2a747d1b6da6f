import DBAdviseAnalysis
import DBAdviseModel
import Foundation

/// For a pull request comment or a wiki page (GitHub-flavored Markdown).
public enum MarkdownReportRenderer {
    public static func render(_ report: Report) -> String {
        var out: [String] = []
        let database = report.source.database ?? "database"
        out.append("# dbadvise report: \(escape(database))")
        out.append("")
        out.append(
            "PostgreSQL \(TextReportRenderer.serverVersion(report.source.serverVersionNum))"
                + (report.source.role.map { ", \($0)" } ?? "")
                + " · collected \(SnapshotCoding.formatTimestamp(report.source.collectedAt))"
                + " · \(report.source.snapshots) snapshot\(report.source.snapshots == 1 ? "" : "s")")
        out.append("")
        out.append(escape(ConfigText.configLine(report)))
        out.append("")
        for warning in ConfigText.warningLines(report) {
            out.append("> **\(escape(warning))**")
            out.append("")
        }
        if let next = report.nextStep {
            out.append("**Next step: \(escape(next.title))** (`\(next.strategy.rawValue)`, \(next.severity.rawValue))")
            out.append("")
            out.append(escape(next.summary))
        } else {
            out.append("**Stay on one box:** \(escape(report.summaryAfterVerdict))")
        }
        out.append("")
        out.append("Growth shape: `\(report.growthShape.rawValue)` — \(escape(report.growthShapeReason))")
        out.append("")
        out.append("## Metrics")
        out.append("")
        out.append("| metric | value |")
        out.append("| --- | --- |")
        for (label, value) in EvidenceText.metricRows(report) {
            out.append("| \(label) | \(escape(value)) |")
        }
        out.append("")
        if !report.recommendations.isEmpty {
            out.append("## Recommendations")
            out.append("")
            for (index, recommendation) in report.recommendations.enumerated() {
                out.append(
                    "### \(index + 1). \(escape(recommendation.title))")
                out.append("")
                out.append(
                    "`\(recommendation.strategy.rawValue)` · **\(recommendation.severity.rawValue)** · "
                        + "`\(recommendation.target)` · rule `\(recommendation.rule)`")
                out.append("")
                out.append(escape(recommendation.summary))
                out.append("")
                out.append("| metric | value | threshold | unit |")
                out.append("| --- | --- | --- | --- |")
                for evidence in recommendation.evidence {
                    let value = evidence.value.map { Formatting.measured($0, unit: evidence.unit) } ?? "unknown"
                    let threshold = evidence.threshold.map { Formatting.measured($0, unit: evidence.unit) } ?? "—"
                    let note = evidence.note.map { " (\(escape($0)))" } ?? ""
                    out.append("| \(evidence.metric) | \(value)\(note) | \(threshold) | \(evidence.unit) |")
                }
                out.append("")
                for action in recommendation.actions { out.append("- \(escape(action))") }
                out.append("")
            }
        }
        for (heading, section) in [
            ("Growth", GrowthText.trendLines(report.growth)), ("Forecasts", GrowthText.forecastLines(report)),
            ("What if", report.whatIf.map(GrowthText.whatIfLines) ?? []),
        ] where !section.isEmpty {
            out.append("## \(heading)")
            out.append("")
            for line in section { out.append("- \(escape(line))") }
            out.append("")
        }
        if !report.notRecommended.isEmpty {
            out.append("## Not recommended")
            out.append("")
            out.append("| strategy | reason |")
            out.append("| --- | --- |")
            for entry in report.notRecommended {
                out.append("| `\(entry.strategy.rawValue)` | \(escape(entry.reason)) |")
            }
            out.append("")
        }
        out += queryMix(report)
        if !report.suppressed.isEmpty {
            out.append("## \(escape(ConfigText.suppressedHeading(report)))")
            out.append("")
            for finding in report.suppressed { out.append("- \(escape(ConfigText.suppressedLine(finding)))") }
            out.append("")
        }
        out.append("## Gate")
        out.append("")
        out.append(
            "Fail on `\(report.gate.failOn.rawValue)`: **\(report.gate.passed ? "passed" : "failed")**, "
                + "\(report.gate.breaches.count) breach\(report.gate.breaches.count == 1 ? "" : "es").")
        if !report.gate.breaches.isEmpty {
            out.append("")
            for breach in report.gate.breaches { out.append("- \(escape(EvidenceText.breach(breach)))") }
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// One row per table and statement class, beside the table's measured rates.
    static func queryMix(_ report: Report) -> [String] {
        guard let mix = report.queryMix else {
            guard let reason = report.notes.first(where: { $0.metric == .queryMix })?.reason else { return [] }
            return ["## Query mix", "", "Unknown: \(escape(reason)).", ""]
        }
        var out = ["## Query mix", ""]
        out.append(
            "\(mix.statements) statements classified (pg_stat_statements); rows/s from pg_stat_user_tables. "
                + "A statement naming two tables counts for both.")
        out.append("")
        out.append("| table | rows written/s | rows read/s | class | statements | calls/s | time share |")
        out.append("| --- | --- | --- | --- | --- | --- | --- |")
        func cells(_ share: QueryMix.ClassShare) -> String {
            "\(share.statementClass.label) | \(share.queryids.count) | "
                + "\(share.callsPerSecond.map(Formatting.rate) ?? "unknown") | "
                + "\(share.timeShare.map(Formatting.percent) ?? "unknown") |"
        }
        for share in mix.classes { out.append("| *all* | | | \(cells(share))") }
        for table in mix.tables {
            for (index, share) in table.classes.enumerated() {
                let head =
                    index == 0
                    ? "`\(escape(table.table))` | \(table.writesPerSecond.map(Formatting.rate) ?? "unknown") | "
                        + "\(table.readsPerSecond.map(Formatting.rate) ?? "unknown")" : " | | "
                out.append("| \(head) | \(cells(share))")
            }
        }
        out.append("")
        for note in mix.notes { out.append("- \(escape(note))") }
        if !mix.notes.isEmpty { out.append("") }
        return out
    }

    /// Keeps table cells and emphasis intact.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}
