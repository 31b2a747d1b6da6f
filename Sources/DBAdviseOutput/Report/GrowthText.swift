import DBAdviseAnalysis
import DBAdviseModel
import Foundation

/// The growth, forecast and what-if sections as plain sentences, shared by the text and
/// Markdown renderers (each adds its own headings and bullets).
enum GrowthText {
    /// Series, database trends, fastest growers; empty for a single snapshot. Changes read as
    /// a person says them ("grows 1.2 GB a day", "writes 190/s, falling 10/s a day"); over a
    /// series too short for a trend, only the latest values and why there is no trend.
    static func trendLines(_ growth: ReportGrowth?) -> [String] {
        guard let growth else { return [] }
        var lines = [
            "\(growth.snapshots) snapshots over \(Formatting.days(growth.spanDays))"
                + (growth.resets.isEmpty
                    ? ""
                    : "; \(growth.resets.count) statistics reset\(growth.resets.count == 1 ? "" : "s") "
                        + "or restart\(growth.resets.count == 1 ? "" : "s") between snapshots (not counted as shrinkage)")
        ]
        if let reason = growth.tooShortReason {
            var latest: [String] = []
            if let writes = growth.writesPerSecond { latest.append("writes \(Formatting.rate(writes.latest))/s") }
            if let reads = growth.readsPerSecond { latest.append("reads \(Formatting.rate(reads.latest))/s") }
            lines.append(
                "No trends: \(reason)" + (latest.isEmpty ? "." : "; latest " + latest.joined(separator: ", ") + "."))
            return lines
        }
        var database: [String] = []
        if let size = growth.database {
            database.append(
                "\(change(size.bytesPerDay, Formatting.bytes, up: "grows", down: "shrinks")) (R² \(Formatting.rate(size.rSquared)))"
            )
        }
        if let rows = growth.databaseRows { database.append(rowChange(rows.perDay)) }
        if let writes = growth.writesPerSecond { database.append(rateChange("writes", writes)) }
        if let reads = growth.readsPerSecond { database.append(rateChange("reads", reads)) }
        if !database.isEmpty { lines.append("Database: " + database.joined(separator: ", ")) }
        for table in growth.tables.prefix(3) where table.bytes.bytesPerDay > 0 {
            var parts = [change(table.bytes.bytesPerDay, Formatting.bytes, up: "grows", down: "shrinks")]
            if let rows = table.rows { parts.append(rowChange(rows.perDay)) }
            parts.append("R² \(Formatting.rate(table.bytes.rSquared))")
            lines.append("\(table.target): " + parts.joined(separator: ", "))
        }
        return lines
    }

    /// One sentence per forecast, soonest first; a sentence saying why when there is none.
    static func forecastLines(_ report: Report) -> [String] {
        guard let growth = report.growth else { return [] }
        if report.forecasts.isEmpty, let reason = growth.tooShortReason { return ["No forecast: \(reason)."] }
        guard !report.forecasts.isEmpty else {
            return [
                "No threshold is approached at the measured trends within "
                    + "\(Formatting.number(Forecasts.horizonDays / 365)) years."
            ]
        }
        return report.forecasts.map(\.sentence)
    }

    /// The what-if answer: summary, new steps, thresholds crossed.
    static func whatIfLines(_ whatIf: ReportWhatIf) -> [String] {
        var lines = ["At \(whatIf.scenario.description): \(whatIf.summary)"]
        lines.append(
            whatIf.newSteps.isEmpty
                ? "No scaling step beyond today's would be needed."
                : "New steps: " + whatIf.newSteps.map(\.displayName).joined(separator: ", ") + ".")
        for recommendation in whatIf.recommendations where recommendation.strategy.isScalingStep {
            lines.append(
                "\(recommendation.severity.rawValue) \(recommendation.strategy.rawValue): "
                    + "\(recommendation.title) (\(recommendation.target))")
        }
        for breach in whatIf.breaches { lines.append("crosses " + EvidenceText.breach(breach)) }
        return lines
    }

    /// `grows 1.2 GB a day`, `shrinks 300 MB a day`, `flat`.
    static func change(_ perDay: Double, _ show: (Double) -> String, up: String, down: String) -> String {
        guard perDay.isFinite, perDay != 0 else { return "flat" }
        return "\(perDay > 0 ? up : down) \(show(abs(perDay))) a day"
    }

    /// `gains 1,200 rows a day`, `loses 40 rows a day`.
    static func rowChange(_ perDay: Double) -> String {
        change(perDay.rounded(), { Formatting.rate($0) + " rows" }, up: "gains", down: "loses")
    }

    /// `writes 190/s, rising 10/s a day`: a rate and how fast the rate itself changes.
    static func rateChange(_ name: String, _ trend: TrendSummary) -> String {
        let now = "\(name) \(Formatting.rate(trend.latest))/s"
        let moving = change(trend.perDay, { Formatting.rate($0) + "/s" }, up: "rising", down: "falling")
        return moving == "flat" ? "\(now), steady" : "\(now), \(moving)"
    }
}
