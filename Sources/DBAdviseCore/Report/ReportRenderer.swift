import Foundation

/// The formats `analyze --format` offers.
public enum ReportFormat: String, Sendable, CaseIterable {
    case text, json, markdown
}

/// Picks the renderer for a format. Renderers are pure: they return text, the caller prints.
public enum ReportRenderer {
    /// `useColor` only affects text; the CLI decides it (a terminal and no `NO_COLOR`).
    public static func render(_ report: Report, as format: ReportFormat, useColor: Bool = false)
        -> String
    {
        let report = DisplayText.escapedStrings(in: report)
        return switch format {
        case .text: TextReportRenderer.render(report, useColor: useColor)
        case .json: JSONReportRenderer.render(report)
        case .markdown: MarkdownReportRenderer.render(report)
        }
    }
}

/// snake_case, sorted keys, pretty, ending with a newline.
public enum JSONReportRenderer {
    public static func render(_ report: Report) -> String {
        // Encoding cannot fail: every Double in a report is finite (Evidence drops others),
        // and ReportCoding writes a non-finite one as null.
        guard let data = try? ReportCoding.encode(report),
            let text = String(data: data, encoding: .utf8)
        else {
            return "{\"error\": \"the report could not be encoded\"}\n"
        }
        return text + "\n"
    }
}

/// Evidence as a sentence fragment: `active_sessions_per_vcpu 0.95 ≥ 0.7 sessions/vCPU`.
enum EvidenceText {
    static func line(_ evidence: Evidence) -> String {
        let value = evidence.value.map { Formatting.measured($0, unit: evidence.unit) } ?? "unknown"
        var text = "\(evidence.metric) \(value)"
        if let threshold = evidence.threshold {
            let limit = Formatting.measured(threshold, unit: evidence.unit)
            if let measured = evidence.value {
                let relation = measured >= threshold ? "≥" : "<"
                text += " \(relation) \(limit)"
            } else {
                text += " (threshold \(limit))"
            }
        }
        if let note = evidence.note { text += " — \(note)" }
        return text
    }

    static func metricRows(_ report: Report) -> [(String, String)] {
        let metrics = report.metrics
        func or(_ metric: String, _ value: String?) -> String {
            value ?? "unknown (\(report.notes.first { $0.metric == metric }?.reason ?? "not measured"))"
        }
        var largest = metrics.largestTableBytes.map(Formatting.bytes)
        if let name = metrics.largestTable, let size = largest { largest = "\(size) (\(name))" }
        return [
            ("database size", or("database_bytes", metrics.databaseBytes.map(Formatting.bytes))),
            ("largest table", or("largest_table_bytes", largest)),
            ("writes/s", or("writes_per_second", metrics.writesPerSecond.map(Formatting.rate))),
            ("reads/s", or("reads_per_second", metrics.readsPerSecond.map(Formatting.rate))),
            ("cache hit ratio", or("cache_hit_ratio", metrics.cacheHitRatio.map(Formatting.percent))),
            (
                "replication lag",
                or("replication_lag_seconds", metrics.replicationLagSeconds.map { "\(Formatting.rate($0)) s" })
            ),
            (
                "connections used",
                or("connections_used_ratio", metrics.connectionsUsedRatio.map(Formatting.percent))
            ),
            (
                "active sessions/vCPU",
                or("active_sessions_per_vcpu", metrics.activeSessionsPerVCPU.map(Formatting.rate))
            ),
        ] + capacityRows(report)
    }

    /// The window, the hardware and each resource's demand against its capacity.
    static func capacityRows(_ report: Report) -> [(String, String)] {
        var rows: [(String, String)] = []
        if let window = report.window {
            let state =
                window.settled
                ? "settled" : "unsettled: \(window.unsettledReason ?? "unknown window"); rates drive no step"
            let series =
                window.sustained
                ? "; sustained over \(window.settledSnapshots) snapshots"
                : window.snapshots > 1 ? "; \(window.settledSnapshots) of \(window.snapshots) snapshots settled" : ""
            rows.append(("measured over", "\(window.description), \(state)\(series)"))
        }
        if let hardware = report.hardware { rows.append(("hardware", hardware.summary)) }
        for resource in report.capacity?.resources ?? [] {
            rows.append(("capacity: \(resource.resource)", capacityLine(resource)))
        }
        return rows
    }

    static func capacityLine(_ resource: CapacityModel.Resource) -> String {
        func show(_ value: Double) -> String {
            resource.unit == "bytes"
                ? Formatting.bytes(value) : resource.unit == "bytes/s" ? Formatting.bytes(value) + "/s" : Formatting.rate(value)
        }
        guard let demand = resource.demand else { return "unknown" }
        var line = show(demand)
        if let capacity = resource.capacity { line += " of \(show(capacity))" }
        if !["bytes", "bytes/s"].contains(resource.unit) { line += " \(resource.unit)" }
        if let utilization = resource.utilization { line += " (\(Formatting.percent(utilization)))" }
        if resource.saturated { line += ", saturated" }
        return line
    }

    static func breach(_ breach: GateBreach) -> String {
        let comparison = breach.threshold.direction == .lowerIsWorse ? "≤" : "≥"
        return "\(breach.threshold.rawValue) \(breach.severity.rawValue): \(breach.target) "
            + "\(Formatting.rate(breach.value)) \(comparison) \(Formatting.rate(breach.limit)) \(breach.unit)"
    }
}
