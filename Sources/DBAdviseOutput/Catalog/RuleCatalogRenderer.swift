import DBAdviseAnalysis
import DBAdviseModel
import Foundation

/// What `dbadvise rules` and `dbadvise explain` print.
public enum RuleCatalogRenderer {
    /// The list of rules, in registry (ladder) order.
    public static func render(_ rules: [RuleDescription], as format: ReportFormat) -> String {
        switch format {
        case .text:
            return rules.map { rule in
                rule.id.padding(toLength: 36, withPad: " ", startingAt: 0)
                    + rule.strategy.rawValue.padding(toLength: 14, withPad: " ", startingAt: 0)
                    + rule.title
            }.joined(separator: "\n") + "\n"
        case .json:
            guard let data = try? ReportCoding.encoder().encode(rules),
                let text = String(data: data, encoding: .utf8)
            else { return "[]\n" }
            return text + "\n"
        case .markdown:
            var lines = ["| rule | strategy | title | thresholds |", "| --- | --- | --- | --- |"]
            for rule in rules {
                let keys = rule.thresholds.map { "`\($0.rawValue)`" }.joined(separator: ", ")
                lines.append("| `\(rule.id)` | `\(rule.strategy.rawValue)` | \(rule.title) | \(keys) |")
            }
            return lines.joined(separator: "\n") + "\n"
        }
    }

    /// Rationale, sources, thresholds (with the levels in effect), parameters and inputs.
    public static func explain(_ rule: RuleDescription, config: Config = Config()) -> String {
        var lines: [String] = []
        lines += TextReportRenderer.wrap(
            "\(rule.id) (\(rule.strategy.rawValue)): \(rule.title)", indent: "", hanging: "  ")
        lines.append("")
        lines += TextReportRenderer.wrap(rule.rationale, indent: "")
        lines.append("")
        lines.append("Sources:")
        lines += rule.sources.map { "  \($0)" }
        if !rule.thresholds.isEmpty {
            lines.append("")
            lines.append("Thresholds (config key: warning / critical):")
            for key in rule.thresholds {
                let levels = config.levels(key)
                let direction = key.direction == .lowerIsWorse ? ", lower is worse" : ""
                lines += TextReportRenderer.wrap(
                    "thresholds.\(key.rawValue): \(Formatting.rate(levels.warning)) / "
                        + "\(Formatting.rate(levels.critical)) \(key.unit.rawValue)\(direction) — \(key.summary)",
                    indent: "  ", hanging: "    ")
            }
        }
        if !rule.parameters.isEmpty {
            lines.append("")
            lines.append("Parameters:")
            for parameter in rule.parameters {
                lines += TextReportRenderer.wrap(
                    "\(parameter.name) = \(Formatting.measured(parameter.value, unit: parameter.unit)) — \(parameter.why)",
                    indent: "  ", hanging: "    ")
            }
        }
        lines.append("")
        lines.append("Evidence read:")
        lines += rule.inputs.map { "  \($0)" }
        return lines.joined(separator: "\n") + "\n"
    }
}
