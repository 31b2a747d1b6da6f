import DBAdviseAnalysis
import DBAdviseModel
import Foundation

/// `check --format github`: GitHub Actions workflow commands, one line per finding, and the
/// Markdown for `$GITHUB_STEP_SUMMARY`.
///
/// Breaches that fail the gate are `::error`; breaches below `fail_on` or accepted by the
/// baseline, and warning or critical recommendations, are `::warning`; info recommendations are
/// `::notice`. A last plain line states the verdict in the log.
/// https://docs.github.com/en/actions/reference/workflow-commands-for-github-actions
enum GitHubCheckRenderer {
    static func render(_ outcome: CheckOutcome) -> String {
        var lines: [String] = []
        let failOn = outcome.report.gate.failOn
        for checked in outcome.breaches {
            let breach = checked.breach
            let level = checked.fails ? "error" : "warning"
            var message =
                "\(breach.target): \(Formatting.rate(breach.value)) \(comparison(breach)) "
                + "\(Formatting.rate(breach.limit)) \(breach.unit) (\(breach.severity.rawValue))"
            message += CheckOutcome.mark(checked.status, was: checked.was)
            if checked.status == .unchanged, failOn.fails(on: breach.severity) {
                message += " [baselined]"
            }
            lines.append(command(level, title: "dbadvise \(breach.threshold.rawValue)", message))
        }
        for checked in outcome.recommendations {
            let recommendation = checked.recommendation
            let level = recommendation.severity == .info ? "notice" : "warning"
            let message =
                "\(recommendation.target): \(recommendation.title) "
                + "(\(recommendation.severity.rawValue))" + CheckOutcome.mark(checked.status)
            lines.append(command(level, title: "dbadvise \(recommendation.rule)", message))
        }
        for warning in outcome.report.config.warnings {
            lines.append(command("warning", title: "dbadvise config", warning))
        }
        for finding in outcome.report.suppressed {
            lines.append(command("notice", title: "dbadvise ignore", ConfigText.suppressedLine(finding)))
        }
        // Which config gated the run.
        lines.append(command("notice", title: "dbadvise config", ConfigText.configLine(outcome.report)))
        let breaches = outcome.breaches.count
        lines.append(
            "dbadvise check: \(outcome.verdict) (fail on \(failOn.rawValue)): "
                + "\(breaches) breach\(breaches == 1 ? "" : "es"), "
                + "\(outcome.recommendations.count) recommendation"
                + "\(outcome.recommendations.count == 1 ? "" : "s")")
        return lines.joined(separator: "\n") + "\n"
    }

    /// `::error title=dbadvise table_size_gb::public.events: 1,200 ≥ 1,000 GB (critical)`.
    static func command(_ level: String, title: String, _ message: String) -> String {
        "::\(level) title=\(escapeProperty(title))::\(escapeData(message))"
    }

    /// A command's message: `%`, CR and LF are encoded (GitHub's `escapeData`).
    static func escapeData(_ text: String) -> String {
        text.replacingOccurrences(of: "%", with: "%25")
            .replacingOccurrences(of: "\r", with: "%0D")
            .replacingOccurrences(of: "\n", with: "%0A")
    }

    /// A property value: as a message, plus `:` and `,` (GitHub's `escapeProperty`).
    static func escapeProperty(_ text: String) -> String {
        escapeData(text)
            .replacingOccurrences(of: ":", with: "%3A")
            .replacingOccurrences(of: ",", with: "%2C")
    }

    private static func comparison(_ breach: GateBreach) -> String {
        breach.threshold.direction == .lowerIsWorse ? "≤" : "≥"
    }

    static func stepSummary(_ outcome: CheckOutcome) -> String {
        let report = outcome.report
        let gate = report.gate
        var out: [String] = []
        let icon = gate.passed ? "✅" : "❌"
        out.append(
            "## \(icon) dbadvise check: \(escape(outcome.databaseName)) — "
                + "\(gate.passed ? "passed" : "failed")")
        out.append("")
        var facts = ["fail on `\(gate.failOn.rawValue)`"]
        facts.append("\(report.source.snapshots) snapshot\(report.source.snapshots == 1 ? "" : "s")")
        if let baseline = outcome.baselineLine { facts.append(baseline) }
        facts.append(escape(ConfigText.configLine(report)))
        out.append(facts.joined(separator: " · "))
        out.append("")
        if outcome.breaches.isEmpty {
            out.append("No threshold crossed.")
        } else {
            let withBaseline = outcome.comparison != nil
            out.append(
                "| | threshold | target | value | limit | severity |"
                    + (withBaseline ? " baseline |" : ""))
            out.append("| --- | --- | --- | --- | --- | --- |" + (withBaseline ? " --- |" : ""))
            for checked in outcome.breaches {
                let breach = checked.breach
                let status = checked.status.map { " \($0.rawValue) |" } ?? ""
                out.append(
                    "| \(checked.fails ? "❌" : "⚠️") | `\(breach.threshold.rawValue)` | "
                        + "\(escape(breach.target)) | \(Formatting.rate(breach.value)) \(breach.unit) | "
                        + "\(comparison(breach)) \(Formatting.rate(breach.limit)) \(breach.unit) | "
                        + "\(breach.severity.rawValue) |\(status)")
            }
        }
        if let comparison = outcome.comparison, !comparison.resolved.isEmpty {
            out.append("")
            out.append("### Resolved since the baseline")
            out.append("")
            for finding in comparison.resolved {
                out.append(
                    "- `\(finding.id)` \(escape(finding.target)) (\(finding.severity.rawValue))")
            }
        }
        if !outcome.recommendations.isEmpty {
            out.append("")
            out.append("### Recommendations")
            out.append("")
            out.append("| severity | strategy | target | recommendation | rule |")
            out.append("| --- | --- | --- | --- | --- |")
            for checked in outcome.recommendations {
                let recommendation = checked.recommendation
                out.append(
                    "| \(recommendation.severity.rawValue) | `\(recommendation.strategy.rawValue)` | "
                        + "\(escape(recommendation.target)) | "
                        + "\(escape(recommendation.title))\(CheckOutcome.mark(checked.status)) | "
                        + "`\(recommendation.rule)` |")
            }
        }
        if let growth = outcome.growthLine {
            out.append("")
            out.append("### Growth")
            out.append("")
            out.append(escape(growth))
            let forecasts = outcome.forecastLines
            if !forecasts.isEmpty { out.append("") }
            for line in forecasts.prefix(10) { out.append("- \(escape(line))") }
            if forecasts.count > 10 { out.append("- … and \(forecasts.count - 10) more") }
        }
        return out.joined(separator: "\n") + "\n"
    }

    private static func escape(_ text: String) -> String { MarkdownReportRenderer.escape(text) }
}
