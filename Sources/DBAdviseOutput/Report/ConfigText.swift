import DBAdviseAnalysis
import DBAdviseModel
import Foundation

/// The config a report was made with, its warnings and the findings it accepted, worded once
/// for every format (text, Markdown, the check formats).
public enum ConfigText {
    /// "Config: ./dbadvise.yml (found in the working directory)".
    public static func configLine(_ report: Report) -> String {
        "Config: \(report.config.origin.description)"
    }

    /// One line per expired `ignore:` entry.
    public static func warningLines(_ report: Report) -> [String] {
        report.config.warnings.map { "warning: \($0)" }
    }

    /// "cache-hot-repeated-reads on public.countries (warning): Cache … — accepted: tiny table (until 2027-06-30)".
    public static func suppressedLine(_ finding: SuppressedFinding) -> String {
        let until = finding.until.map { " (until \($0))" } ?? ""
        let what = finding.kind == .breach ? finding.finding : "\(finding.finding) [\(finding.rule)]"
        return "\(finding.target) (\(finding.severity.rawValue)): \(what) — accepted: \(finding.reason)\(until)"
    }

    public static func suppressedHeading(_ report: Report) -> String {
        "Suppressed by ignore entries (\(report.suppressed.count))"
    }
}
