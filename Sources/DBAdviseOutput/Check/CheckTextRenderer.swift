import DBAdviseAnalysis
import DBAdviseModel
import Foundation

/// `check --format text`: the gate first, then the findings briefly. Fits 80 columns.
enum CheckTextRenderer {
    static func render(_ outcome: CheckOutcome, useColor: Bool) -> String {
        let style = TextReportRenderer.Style(enabled: useColor)
        let report = outcome.report
        let gate = report.gate
        var lines: [String] = []
        let verdict = gate.passed ? style.green(outcome.verdict) : style.red(outcome.verdict)
        lines.append(
            style.bold("dbadvise check: \(outcome.databaseName)")
                + " — \(verdict) (fail on \(gate.failOn.rawValue))")
        if let baseline = outcome.baselineLine {
            lines += TextReportRenderer.wrap(baseline, indent: "")
        }
        lines += TextReportRenderer.wrap(ConfigText.configLine(report), indent: "", hanging: "  ")
        for warning in ConfigText.warningLines(report) {
            lines += TextReportRenderer.wrap(style.red(warning), indent: "", hanging: "  ")
        }
        lines.append("")

        if outcome.breaches.isEmpty {
            lines.append("No threshold crossed.")
        } else {
            lines.append(style.heading("Thresholds crossed (\(outcome.breaches.count))"))
            for checked in outcome.breaches {
                let marker = checked.fails ? "✗" : "•"
                let accepted =
                    checked.status == .unchanged && gate.failOn.fails(on: checked.breach.severity)
                    ? " [baselined]" : ""
                lines += TextReportRenderer.wrap(
                    "\(marker) " + CheckRenderer.breachLine(checked.breach)
                        + CheckOutcome.mark(checked.status, was: checked.was) + accepted,
                    indent: "  ", hanging: "    ")
            }
        }

        if let comparison = outcome.comparison, !comparison.resolved.isEmpty {
            lines.append("")
            lines.append(style.heading("Resolved since the baseline (\(comparison.resolved.count))"))
            for finding in comparison.resolved {
                lines += TextReportRenderer.wrap(
                    "• \(finding.id) \(finding.target) (\(finding.severity.rawValue))",
                    indent: "  ", hanging: "    ")
            }
        }

        lines.append("")
        if outcome.recommendations.isEmpty {
            lines.append("No recommendations.")
        } else {
            lines.append(style.heading("Recommendations (\(outcome.recommendations.count))"))
            for checked in outcome.recommendations {
                let recommendation = checked.recommendation
                lines += TextReportRenderer.wrap(
                    "\(style.severity(recommendation.severity)) "
                        + "\(recommendation.strategy.rawValue) \(recommendation.target): "
                        + recommendation.title + CheckOutcome.mark(checked.status)
                        + " (rule \(recommendation.rule))",
                    indent: "  ", hanging: "    ")
            }
        }

        if !report.suppressed.isEmpty {
            lines.append("")
            lines.append(style.heading(ConfigText.suppressedHeading(report)))
            for finding in report.suppressed {
                lines += TextReportRenderer.wrap(
                    "• " + ConfigText.suppressedLine(finding), indent: "  ", hanging: "    ")
            }
        }

        if let growth = outcome.growthLine {
            lines.append("")
            lines += TextReportRenderer.wrap(style.heading("Growth: ") + growth, indent: "")
            let forecasts = outcome.forecastLines
            let shown = 5
            for line in forecasts.prefix(shown) {
                lines += TextReportRenderer.wrap("• " + line, indent: "  ", hanging: "    ")
            }
            if forecasts.count > shown {
                lines.append("  … and \(forecasts.count - shown) more (see --format json)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
