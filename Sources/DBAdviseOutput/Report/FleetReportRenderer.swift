import DBAdviseAnalysis
import DBAdviseModel
import Foundation

/// Picks the fleet renderer for a format. Pure, as ``ReportRenderer``: text in, text out.
public enum FleetReportRenderer {
    /// `directory`: where the per-database series live, for the "full report" hint.
    public static func render(
        _ report: FleetReport, as format: ReportFormat, useColor: Bool = false,
        directory: String? = nil
    ) -> String {
        let report = DisplayText.escapedStrings(in: report)
        return switch format {
        case .text: FleetTextRenderer.render(report, useColor: useColor, directory: directory)
        case .json: FleetJSONRenderer.render(report)
        case .markdown: FleetMarkdownRenderer.render(report, directory: directory)
        }
    }

    /// `shop` on `db1:5432`: how a database is named in the fleet's lists.
    static func server(_ database: FleetDatabase) -> String {
        let place = [database.host, database.port].compactMap { $0 }.joined(separator: ":")
        return place.isEmpty ? database.key : place
    }

    static func nextStep(_ database: FleetDatabase) -> String {
        database.nextStep?.rawValue ?? "stay on one box"
    }

    /// The findings worth a line in the fleet view: critical and warning, at most `limit`.
    static func notable(_ database: FleetDatabase, limit: Int = 5) -> (shown: [Recommendation], more: Int) {
        let notable = database.report.recommendations.filter { $0.severity >= .warning }
            .sorted { $0.severity > $1.severity }
        return (Array(notable.prefix(limit)), max(0, notable.count - limit))
    }

    static func gateLine(_ report: FleetReport) -> String {
        let failed = report.gate.failed.count
        let total = report.databases.count
        return "(fail on \(report.gate.failOn.rawValue)): \(report.gate.passed ? "passed" : "failed"), "
            + "\(failed) of \(total) database\(total == 1 ? "" : "s") failed"
    }

    static func heading(_ report: FleetReport) -> String {
        let count = report.databases.count
        var text = "\(count) database\(count == 1 ? "" : "s")"
        if !report.unreachable.isEmpty { text += ", \(report.unreachable.count) not reached" }
        return text
    }

    /// Every database is analyzed with the same config: the first report names it.
    static func configLine(_ report: FleetReport) -> String? {
        report.databases.first.map { ConfigText.configLine($0.report) }
    }

    static let rankingRule =
        "Ranked by urgency: the worst finding, then the number of critical and warning findings, "
        + "then the next scaling step (higher on the ladder first)."
}

/// snake_case, sorted keys, pretty, ending with a newline.
public enum FleetJSONRenderer {
    public static func render(_ report: FleetReport) -> String {
        guard let data = try? ReportCoding.encode(report),
            let text = String(data: data, encoding: .utf8)
        else {
            return "{\"error\": \"the fleet report could not be encoded\"}\n"
        }
        return text + "\n"
    }
}

/// For a terminal: a ranked table that fits 80 columns, then each database's notable findings.
public enum FleetTextRenderer {
    public static func render(_ report: FleetReport, useColor: Bool, directory: String?) -> String {
        let style = TextReportRenderer.Style(enabled: useColor)
        var lines: [String] = []
        lines.append(style.bold("dbadvise fleet report: \(FleetReportRenderer.heading(report))"))
        lines += TextReportRenderer.wrap(FleetReportRenderer.rankingRule, indent: "")
        if let config = FleetReportRenderer.configLine(report) {
            lines += TextReportRenderer.wrap(config, indent: "", hanging: "  ")
        }
        lines.append("")
        if !report.databases.isEmpty {
            lines.append(
                style.heading(
                    row("#", "DATABASE", "SERVER", pad("WORST", 8), "CRIT", "WARN", "NEXT STEP")))
            for database in report.databases {
                var worst = pad("-", 8)
                if let severity = database.worstSeverity {
                    worst =
                        style.severity(severity)
                        + String(repeating: " ", count: 8 - severity.rawValue.count)
                }
                lines.append(
                    row(
                        "\(database.rank)", database.database ?? "?", FleetReportRenderer.server(database),
                        worst, "\(database.findings.critical)", "\(database.findings.warning)",
                        FleetReportRenderer.nextStep(database)))
            }
            lines.append("")
        }
        for database in report.databases {
            let name = "\(database.database ?? "?") on \(FleetReportRenderer.server(database))"
            lines += TextReportRenderer.wrap(
                style.bold("\(database.rank). \(name)") + " (\(database.key))", indent: "", hanging: "   ")
            lines += TextReportRenderer.wrap(database.summary, indent: "   ")
            let (shown, more) = FleetReportRenderer.notable(database)
            for recommendation in shown {
                lines += TextReportRenderer.wrap(
                    "• \(style.severity(recommendation.severity)) \(recommendation.strategy.rawValue): "
                        + "\(recommendation.title) (\(recommendation.target))",
                    indent: "   ", hanging: "     ")
            }
            if more > 0 { lines.append("   • … and \(more) more") }
            if !database.report.gate.passed {
                lines += TextReportRenderer.wrap(
                    style.red("gate failed") + ": "
                        + database.report.gate.breaches.map { EvidenceText.breach($0) }.joined(separator: "; "),
                    indent: "   ", hanging: "     ")
            }
        }
        if !report.databases.isEmpty { lines.append("") }
        if !report.unreachable.isEmpty {
            lines.append(style.heading("Not reached (\(report.unreachable.count))"))
            for failure in report.unreachable {
                lines += TextReportRenderer.wrap(
                    "• \(failure.entry): \(failure.reason)", indent: "  ", hanging: "    ")
            }
            lines.append("")
        }
        lines.append(style.heading("Gate") + " " + FleetReportRenderer.gateLine(report))
        if let directory, !report.databases.isEmpty {
            let path = directory.hasSuffix("/") ? directory : directory + "/"
            lines += TextReportRenderer.wrap(
                "One database's full report: dbadvise analyze --input \(path)\(report.databases[0].key)/",
                indent: "")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `  1  shop               db1:5432             CRITICAL  1    2    partitioning`;
    /// `worst` comes padded (and maybe colored).
    static func row(
        _ rank: String, _ database: String, _ server: String, _ worst: String, _ critical: String,
        _ warning: String, _ next: String
    ) -> String {
        pad(rank, 3, right: true) + "  " + pad(database, 17) + " " + pad(server, 20, keepEnd: true) + " "
            + worst + " " + pad(critical, 4, right: true) + " " + pad(warning, 4, right: true)
            + "  " + next
    }

    /// Pads or cuts (with …) to `width` characters; `keepEnd` cuts the start instead (a
    /// socket directory's port is worth more than its first letters).
    static func pad(_ text: String, _ width: Int, right: Bool = false, keepEnd: Bool = false) -> String {
        if text.count > width {
            return keepEnd ? "…" + String(text.suffix(width - 1)) : String(text.prefix(width - 1)) + "…"
        }
        let padding = String(repeating: " ", count: width - text.count)
        return right ? padding + text : text + padding
    }
}

/// For a pull request or a wiki page: the ranked table, then each database.
public enum FleetMarkdownRenderer {
    public static func render(_ report: FleetReport, directory: String?) -> String {
        let escape = MarkdownReportRenderer.escape
        var out: [String] = []
        out.append("# dbadvise fleet report: \(FleetReportRenderer.heading(report))")
        out.append("")
        out.append(FleetReportRenderer.rankingRule)
        out.append("")
        if let config = FleetReportRenderer.configLine(report) {
            out.append(escape(config))
            out.append("")
        }
        if !report.databases.isEmpty {
            out.append("| # | database | server | worst | critical | warning | next step |")
            out.append("| ---: | --- | --- | --- | ---: | ---: | --- |")
            for database in report.databases {
                out.append(
                    "| \(database.rank) | \(escape(database.database ?? "?")) | "
                        + "\(escape(FleetReportRenderer.server(database))) | "
                        + "\(database.worstSeverity?.rawValue ?? "—") | \(database.findings.critical) | "
                        + "\(database.findings.warning) | \(FleetReportRenderer.nextStep(database)) |")
            }
            out.append("")
        }
        for database in report.databases {
            out.append(
                "## \(database.rank). \(escape(database.database ?? "?")) on "
                    + "\(escape(FleetReportRenderer.server(database)))")
            out.append("")
            out.append("`\(database.key)` · \(escape(database.summary))")
            out.append("")
            let (shown, more) = FleetReportRenderer.notable(database)
            for recommendation in shown {
                out.append(
                    "- **\(recommendation.severity.rawValue)** `\(recommendation.strategy.rawValue)`: "
                        + "\(escape(recommendation.title)) (`\(recommendation.target)`)")
            }
            if more > 0 { out.append("- … and \(more) more") }
            for breach in database.report.gate.breaches {
                out.append("- gate breach: \(escape(EvidenceText.breach(breach)))")
            }
            if !shown.isEmpty || !database.report.gate.breaches.isEmpty { out.append("") }
        }
        if !report.unreachable.isEmpty {
            out.append("## Not reached")
            out.append("")
            for failure in report.unreachable {
                out.append("- `\(failure.entry)`: \(escape(failure.reason))")
            }
            out.append("")
        }
        out.append("## Gate")
        out.append("")
        out.append(
            "Fail on `\(report.gate.failOn.rawValue)`: **\(report.gate.passed ? "passed" : "failed")**, "
                + "\(report.gate.failed.count) of \(report.databases.count) databases failed.")
        if let directory, let first = report.databases.first {
            let path = directory.hasSuffix("/") ? directory : directory + "/"
            out.append("")
            out.append("One database's full report: `dbadvise analyze --input \(path)\(first.key)/`")
        }
        return out.joined(separator: "\n") + "\n"
    }
}
