import Foundation

/// The growth, forecast and what-if sections as plain sentences, shared by the text and
/// Markdown renderers (each adds its own headings and bullets).
enum GrowthText {
    /// Series, database trends, fastest growers; empty for a single snapshot.
    static func trendLines(_ growth: ReportGrowth?) -> [String] {
        guard let growth else { return [] }
        var lines = [
            "\(growth.snapshots) snapshots over \(Formatting.days(growth.spanDays))"
                + (growth.resets.isEmpty
                    ? ""
                    : "; \(growth.resets.count) statistics reset\(growth.resets.count == 1 ? "" : "s") "
                        + "or restart\(growth.resets.count == 1 ? "" : "s") between snapshots (not counted as shrinkage)")
        ]
        var database: [String] = []
        if let size = growth.database {
            database.append("\(signed(bytes: size.bytesPerDay))/day (R² \(Formatting.rate(size.rSquared)))")
        }
        if let rows = growth.databaseRows { database.append("\(signed(rows.perDay)) rows/day") }
        if let writes = growth.writesPerSecond {
            database.append("writes \(Formatting.rate(writes.latest))/s, \(signed(writes.perDay))/s per day")
        }
        if let reads = growth.readsPerSecond {
            database.append("reads \(Formatting.rate(reads.latest))/s, \(signed(reads.perDay))/s per day")
        }
        if !database.isEmpty { lines.append("Database: " + database.joined(separator: ", ")) }
        for table in growth.tables.prefix(3) where table.bytes.bytesPerDay > 0 {
            var parts = ["\(signed(bytes: table.bytes.bytesPerDay))/day"]
            if let rows = table.rows { parts.append("\(signed(rows.perDay)) rows/day") }
            parts.append("R² \(Formatting.rate(table.bytes.rSquared))")
            lines.append("\(table.target): " + parts.joined(separator: ", "))
        }
        return lines
    }

    /// One sentence per forecast, soonest first; a sentence saying why when there is none.
    static func forecastLines(_ report: Report) -> [String] {
        guard report.growth != nil else { return [] }
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

    private static func signed(bytes value: Double) -> String {
        (value < 0 ? "-" : "+") + Formatting.bytes(abs(value))
    }

    private static func signed(_ value: Double) -> String {
        (value < 0 ? "-" : "+") + Formatting.rate(abs(value))
    }
}
