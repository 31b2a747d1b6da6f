import DBAdviseModel
import Foundation

/// Evidence as a sentence fragment: `active_sessions_per_vcpu 0.95 ≥ 0.7 sessions/vCPU`.
public enum EvidenceText {
    public static func line(_ evidence: Evidence) -> String {
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

    public static func metricRows(_ report: Report) -> [(String, String)] {
        let metrics = report.metrics
        func or(_ metric: MetricKey, _ value: String?) -> String {
            value ?? "unknown (\(report.notes.first { $0.metric == metric }?.reason ?? "not measured"))"
        }
        var largest = metrics.largestTableBytes.map(Formatting.bytes)
        if let name = metrics.largestTable, let size = largest { largest = "\(size) (\(name))" }
        return [
            ("database size", or(.databaseBytes, metrics.databaseBytes.map(Formatting.bytes))),
            ("largest table", or(.largestTableBytes, largest)),
            ("writes/s", or(.writesPerSecond, metrics.writesPerSecond.map(Formatting.rate))),
            ("reads/s", or(.readsPerSecond, metrics.readsPerSecond.map(Formatting.rate))),
            ("cache hit ratio", or(.cacheHitRatio, metrics.cacheHitRatio.map(Formatting.percent))),
            (
                "replication lag",
                or(.replicationLagSeconds, metrics.replicationLagSeconds.map { "\(Formatting.rate($0)) s" })
            ),
            (
                "connections used",
                or(.connectionsUsedRatio, metrics.connectionsUsedRatio.map(Formatting.percent))
            ),
            (
                "active sessions/vCPU",
                or(.activeSessionsPerVCPU, metrics.activeSessionsPerVCPU.map(Formatting.rate))
            ),
        ] + capacityRows(report)
    }

    /// The window, the hardware and each resource's demand against its capacity.
    public static func capacityRows(_ report: Report) -> [(String, String)] {
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

    public static func capacityLine(_ resource: CapacityModel.Resource) -> String {
        func show(_ value: Double) -> String {
            resource.unit == .bytes
                ? Formatting.bytes(value)
                : resource.unit == .bytesPerSecond ? Formatting.bytes(value) + "/s" : Formatting.rate(value)
        }
        guard let demand = resource.demand else { return "unknown" }
        var line = show(demand)
        if let capacity = resource.capacity { line += " of \(show(capacity))" }
        if ![.bytes, .bytesPerSecond].contains(resource.unit) { line += " \(resource.unit)" }
        if let utilization = resource.utilization { line += " (\(Formatting.percent(utilization)))" }
        if resource.saturated { line += ", saturated" }
        return line
    }

    public static func breach(_ breach: GateBreach) -> String {
        let comparison = breach.threshold.direction == .lowerIsWorse ? "≤" : "≥"
        return "\(breach.threshold.rawValue) \(breach.severity.rawValue): \(breach.target) "
            + "\(Formatting.rate(breach.value)) \(comparison) \(Formatting.rate(breach.limit)) \(breach.unit)"
    }
}
