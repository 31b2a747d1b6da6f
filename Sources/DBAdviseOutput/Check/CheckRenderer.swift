import DBAdviseAnalysis
import DBAdviseModel
import Foundation

/// The formats `check --format` offers.
public enum CheckFormat: String, Sendable, CaseIterable {
    case text, json, junit, github
}

/// Picks the renderer for `dbadvise check`. Renderers are pure: they return text, the caller
/// prints (and appends ``githubStepSummary(_:comparison:)`` to `$GITHUB_STEP_SUMMARY`).
public enum CheckRenderer {
    /// `ruleIDs` are the registered rules, in registry order: JUnit has one test case per rule.
    /// `useColor` only affects text.
    public static func render(
        _ report: Report, comparison: BaselineComparison?, ruleIDs: [String],
        as format: CheckFormat, useColor: Bool = false
    ) -> String {
        let outcome = CheckOutcome(
            report: DisplayText.escapedStrings(in: report), comparison: DisplayText.escapedStrings(in: comparison))
        switch format {
        case .text: return CheckTextRenderer.render(outcome, useColor: useColor)
        case .json: return JSONReportRenderer.render(outcome.report)
        case .junit: return JUnitCheckRenderer.render(outcome, ruleIDs: ruleIDs)
        case .github: return GitHubCheckRenderer.render(outcome)
        }
    }

    /// Markdown for `$GITHUB_STEP_SUMMARY`: the verdict, a table of breaches, the
    /// recommendations and the growth forecast.
    public static func githubStepSummary(_ report: Report, comparison: BaselineComparison?)
        -> String
    {
        GitHubCheckRenderer.stepSummary(
            CheckOutcome(
                report: DisplayText.escapedStrings(in: report), comparison: DisplayText.escapedStrings(in: comparison)))
    }

    /// The gate `check` exits by: the report's, or with a baseline, the baseline's decision
    /// (only new or worse breaches at or above `fail_on` fail).
    public static func gate(of report: Report, comparison: BaselineComparison?) -> GateResult {
        comparison?.gate(failOn: report.gate.failOn) ?? report.gate
    }

    /// `table_size_gb public.events: 1,200 ≥ 1,000 GB (critical)`.
    public static func breachLine(_ breach: GateBreach) -> String {
        let comparison = breach.threshold.direction == .lowerIsWorse ? "≤" : "≥"
        return "\(breach.threshold.rawValue) \(breach.target): \(Formatting.rate(breach.value)) "
            + "\(comparison) \(Formatting.rate(breach.limit)) \(breach.unit) "
            + "(\(breach.severity.rawValue))"
    }
}

/// What every check renderer shows: the gate in effect, and each breach and recommendation
/// with where it stands against the baseline and whether it fails the gate.
struct CheckOutcome {
    struct CheckedBreach {
        let breach: GateBreach
        /// Nil without a baseline.
        let status: BaselineStatus?
        /// The baseline's value when the breach got worse.
        let was: BaselineFinding?
        let fails: Bool
    }

    struct CheckedRecommendation {
        let recommendation: Recommendation
        let status: BaselineStatus?
    }

    /// The report with the gate in effect and, with a baseline, its `baseline` section.
    let report: Report
    let comparison: BaselineComparison?
    let breaches: [CheckedBreach]
    let recommendations: [CheckedRecommendation]

    init(report original: Report, comparison: BaselineComparison?) {
        var report = original
        report.gate = CheckRenderer.gate(of: original, comparison: comparison)
        if let comparison { report.baseline = ReportBaseline(comparison) }
        self.report = report
        self.comparison = comparison
        let failOn = report.gate.failOn
        breaches = report.gate.breaches.map { breach in
            let finding = BaselineFinding(breach: breach)
            let status = comparison?.status(of: finding)
            let was = comparison?.worse.first { $0.current == finding }?.baseline
            let fails = failOn.fails(on: breach.severity) && status != .unchanged
            return CheckedBreach(breach: breach, status: status, was: was, fails: fails)
        }
        recommendations = report.recommendations.map {
            CheckedRecommendation(recommendation: $0, status: comparison?.status(of: $0))
        }
    }

    var failing: [CheckedBreach] { breaches.filter(\.fails) }

    /// `PASSED` or `FAILED`.
    var verdict: String { report.gate.passed ? "PASSED" : "FAILED" }

    var databaseName: String { report.source.database ?? "database" }

    /// ` [new]`, ` [worse, was 120 GB]`, or nothing (unchanged, or no baseline).
    static func mark(_ status: BaselineStatus?, was: BaselineFinding? = nil) -> String {
        switch status {
        case .new: return " [new]"
        case .worse:
            guard let was else { return " [worse]" }
            if let value = was.value {
                let unit = was.unit.map { " \($0)" } ?? ""
                return " [worse, was \(Formatting.rate(value))\(unit)]"
            }
            return " [worse, was \(was.severity.rawValue)]"
        case .unchanged, nil: return ""
        }
    }

    /// `1 new, 0 worse, 3 unchanged, 2 resolved since the baseline of 2026-11-24T19:00:00Z`.
    var baselineLine: String? {
        guard let comparison else { return nil }
        let date = SnapshotCoding.formatTimestamp(comparison.baselineCreatedAt).prefix(19) + "Z"
        return "\(comparison.new.count) new, \(comparison.worse.count) worse, "
            + "\(comparison.unchanged.count) unchanged, \(comparison.resolved.count) resolved "
            + "since the baseline of \(date)"
    }

    /// `public.events reaches table_size_gb critical (1,000 GB) in 41.5 days`, soonest first.
    var forecastLines: [String] {
        (report.growth?.daysToCritical ?? []).map { entry in
            let when = entry.days == 0 ? "has reached" : "reaches"
            let days = entry.days == 0 ? "" : " in \(Formatting.number(entry.days)) days"
            return "\(entry.target) \(when) \(entry.threshold.rawValue) critical "
                + "(\(Formatting.bytes(entry.criticalBytes)))\(days) at "
                + "\(Formatting.bytes(entry.bytesPerDay))/day"
        }
    }

    /// `database grows 1.2 GB/day (r² 0.99 over 7 snapshots, 6 days)`.
    var growthLine: String? {
        guard let growth = report.growth else { return nil }
        let series = "\(growth.snapshots) snapshots, \(Formatting.number(growth.spanDays)) days"
        guard let database = growth.database else {
            return "database size trend unknown (\(series))"
        }
        let verb = database.bytesPerDay < 0 ? "shrinks" : "grows"
        return "database \(verb) \(Formatting.bytes(abs(database.bytesPerDay)))/day "
            + "(r² \(Formatting.rate(database.rSquared)) over \(series))"
    }
}
