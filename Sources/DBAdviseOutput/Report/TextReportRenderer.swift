import DBAdviseAnalysis
import DBAdviseModel
import Foundation

/// For people at a terminal: fits 80 columns, leads with the one next step.
public enum TextReportRenderer {
    public static let width = 80

    public static func render(_ report: Report, useColor: Bool) -> String {
        let style = Style(enabled: useColor)
        var lines: [String] = []
        let database = report.source.database ?? "database"
        let role = report.source.role.map { ", \($0)" } ?? ""
        lines.append(
            style.bold("dbadvise report: \(database)")
                + " (PostgreSQL \(serverVersion(report.source.serverVersionNum))\(role))")
        lines.append(
            "Collected \(SnapshotCoding.formatTimestamp(report.source.collectedAt)) from "
                + "\(report.source.snapshots) snapshot\(report.source.snapshots == 1 ? "" : "s") "
                + "(\(report.source.type.rawValue))")
        lines += wrap(ConfigText.configLine(report), indent: "", hanging: "  ")
        for warning in ConfigText.warningLines(report) { lines += wrap(style.red(warning), indent: "", hanging: "  ") }
        lines.append("")

        if let next = report.nextStep {
            lines += wrap(
                style.heading("NEXT STEP: ") + next.title + " [\(next.strategy.rawValue), "
                    + "\(style.severity(next.severity))]", indent: "")
            lines += wrap(next.summary, indent: "  ")
        } else {
            lines += wrap(style.heading("STAY ON ONE BOX: ") + report.summaryAfterVerdict, indent: "")
        }
        lines.append("")
        lines += wrap(
            "Growth shape: \(report.growthShape.rawValue) — \(report.growthShapeReason)", indent: "", hanging: "  ")
        lines.append("")

        lines.append(style.heading("Metrics"))
        for (label, value) in EvidenceText.metricRows(report) {
            lines += wrap(
                value, indent: "  " + label.padding(toLength: 22, withPad: " ", startingAt: 0),
                hanging: String(repeating: " ", count: 24))
        }
        lines.append("")

        if !report.recommendations.isEmpty {
            lines.append(style.heading("Recommendations (\(report.recommendations.count))"))
            for (index, recommendation) in report.recommendations.enumerated() {
                let number = "\(index + 1). "
                let pad = String(repeating: " ", count: number.count + 2)
                lines += wrap(
                    "\(number)\(style.severity(recommendation.severity)) "
                        + "\(recommendation.strategy.rawValue): \(recommendation.title)",
                    indent: "  ", hanging: pad)
                lines += wrap("\(recommendation.target) · rule \(recommendation.rule)", indent: pad)
                lines += wrap(recommendation.summary, indent: pad)
                for evidence in recommendation.evidence {
                    lines += wrap("• " + EvidenceText.line(evidence), indent: pad, hanging: pad + "  ")
                }
                for action in recommendation.actions {
                    // a multi-line action is SQL: its first line is wrapped, the rest kept as written
                    let actionLines = action.split(separator: "\n", omittingEmptySubsequences: false)
                    lines += wrap("→ " + (actionLines.first.map(String.init) ?? ""), indent: pad, hanging: pad + "  ")
                    lines += actionLines.dropFirst().flatMap {
                        wrap(String($0), indent: pad + "  ", hanging: pad + "      ")
                    }
                }
            }
            lines.append("")
        }

        for (heading, section) in [
            ("Growth", GrowthText.trendLines(report.growth)), ("Forecasts", GrowthText.forecastLines(report)),
            ("What if", report.whatIf.map(GrowthText.whatIfLines) ?? []),
        ] where !section.isEmpty {
            lines.append(style.heading(heading))
            for line in section { lines += wrap("• " + line, indent: "  ", hanging: "    ") }
            lines.append("")
        }

        if !report.notRecommended.isEmpty {
            lines.append(style.heading("Not recommended"))
            for entry in report.notRecommended {
                lines += wrap(
                    entry.reason,
                    indent: "  " + entry.strategy.rawValue.padding(toLength: 14, withPad: " ", startingAt: 0),
                    hanging: String(repeating: " ", count: 16))
            }
            lines.append("")
        }

        lines += queryMixLines(report, style: style)

        if !report.suppressed.isEmpty {
            lines.append(style.heading(ConfigText.suppressedHeading(report)))
            for finding in report.suppressed {
                lines += wrap("• " + ConfigText.suppressedLine(finding), indent: "  ", hanging: "    ")
            }
            lines.append("")
        }

        let gate = report.gate
        let verdict = gate.passed ? style.green("passed") : style.red("FAILED")
        lines.append(
            style.heading("Gate") + " (fail on \(gate.failOn.rawValue)): \(verdict), "
                + "\(gate.breaches.count) breach\(gate.breaches.count == 1 ? "" : "es")")
        for breach in gate.breaches {
            lines += wrap("• " + EvidenceText.breach(breach), indent: "  ", hanging: "    ")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// How many tables the query mix shows; the JSON report lists all.
    static let queryMixTables = 5

    /// The statement classes overall and for the busiest tables, beside their measured rates.
    static func queryMixLines(_ report: Report, style: Style) -> [String] {
        guard let mix = report.queryMix else {
            guard let reason = report.notes.first(where: { $0.metric == .queryMix })?.reason else { return [] }
            return wrap(style.heading("Query mix") + ": unknown (\(reason))", indent: "", hanging: "  ") + [""]
        }
        var lines = [style.heading("Query mix") + " (pg_stat_statements; rows/s from pg_stat_user_tables)"]
        lines += wrap("\(mix.statements) statements classified", indent: "  ")
        for share in mix.classes { lines += wrap("• " + share.summary, indent: "    ", hanging: "      ") }
        for table in mix.tables.prefix(queryMixTables) {
            lines += wrap("\(table.table): \(table.measuredRates)", indent: "  ", hanging: "    ")
            for share in table.classes { lines += wrap("• " + share.summary, indent: "    ", hanging: "      ") }
        }
        if mix.tables.count > queryMixTables {
            lines.append("  … and \(mix.tables.count - queryMixTables) more table(s) in the JSON report")
        }
        for note in mix.notes { lines += wrap("note: " + note, indent: "  ", hanging: "    ") }
        lines.append("")
        return lines
    }

    /// `150018` → `15.18`; `90624` → `9.6.24`.
    static func serverVersion(_ number: Int) -> String {
        number >= 100_000
            ? "\(number / 10_000).\(number % 10_000)"
            : "\(number / 10_000).\(number / 100 % 100).\(number % 100)"
    }

    /// Word-wraps to ``width`` columns (ANSI escapes do not count), first line with `indent`,
    /// the rest with `hanging` (default: the same indent).
    public static func wrap(_ text: String, indent: String, hanging: String? = nil) -> [String] {
        let rest = hanging ?? indent
        var lines: [String] = []
        var current = indent
        var currentWidth = indent.count
        var lineHasWord = false
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            let wordWidth = visibleWidth(String(word))
            if lineHasWord, currentWidth + 1 + wordWidth > width {
                lines.append(current)
                current = rest + word
                currentWidth = rest.count + wordWidth
            } else {
                current += (lineHasWord ? " " : "") + word
                currentWidth += (lineHasWord ? 1 : 0) + wordWidth
            }
            lineHasWord = true
        }
        lines.append(current)
        return lines
    }

    static func visibleWidth(_ text: String) -> Int {
        var width = 0
        var inEscape = false
        for character in text {
            if character == "\u{1B}" {
                inEscape = true
            } else if inEscape {
                if character == "m" { inEscape = false }
            } else {
                width += 1
            }
        }
        return width
    }

    /// ANSI styling, or none.
    struct Style {
        let enabled: Bool
        private func code(_ text: String, _ sgr: String) -> String {
            enabled ? "\u{1B}[\(sgr)m\(text)\u{1B}[0m" : text
        }
        func bold(_ text: String) -> String { code(text, "1") }
        func heading(_ text: String) -> String { code(text, "1") }
        func green(_ text: String) -> String { code(text, "32") }
        func red(_ text: String) -> String { code(text, "31") }
        func severity(_ severity: Severity) -> String {
            let label = severity.rawValue.uppercased()
            switch severity {
            case .info: return code(label, "36")
            case .warning: return code(label, "33")
            case .critical: return code(label, "1;31")
            }
        }
    }
}
