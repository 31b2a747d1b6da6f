import DBAdviseCore

/// Reads dominate a loaded primary: replicas take them.
public struct ReadDominatedRule: Rule {
    public static let readTimeShare = RuleParameter(
        name: "read_statement_time_share", value: 0.7, unit: "ratio",
        why: "When read-only statements take most of the primary's statement time, replicas can take most of the load.")

    public static let description = RuleDescription(
        id: "replicas-read-dominated", strategy: .readReplicas,
        title: "Add read replicas: reads dominate a busy primary",
        rationale: """
            Streaming replicas serve read-only queries (hot standby) and add read capacity \
            without touching the write path. Move non-critical and analytic reads there, keep \
            writes and read-your-writes reads on the primary, and design for replication lag. \
            Replicas replay every write, so they never answer write load.
            """,
        sources: [Manual.hotStandby, Manual.replication],
        thresholds: [.activeSessionsPerVCPU, .replicationLagSeconds], parameters: [readTimeShare],
        inputs: ["rates.reads_per_second", "rates.writes_per_second", "statements.top_by_total_time",
                 "activity.avg_active_sessions", "hardware.vcpus"])

    public init() {}

    public func evaluate(_ context: RuleContext) -> RuleVerdict {
        let perVCPU = context.metrics.activeSessionsPerVCPU
        let (load, severity) = context.judge("active_sessions_per_vcpu", perVCPU, .activeSessionsPerVCPU)
        let share = readTimeShare(context)
        let shareEvidence = Self.readTimeShare.evidence(
            metric: "read_statement_time_share", value: share,
            note: share == nil ? context.statementsUnavailableReason : nil)
        let shape = Evidence(metric: "reads_per_second", value: context.metrics.readsPerSecond,
                             threshold: nil, unit: "rows/s", note: "growth shape \(context.growthShape.rawValue)")
        if context.growthShape == .writeHeavy {
            return pass("writes dominate (\(context.growthShapeReason)); replicas do not take write load", [shape, load])
        }
        let readsDominate = context.growthShape == .readHeavy || (share ?? 0) >= Self.readTimeShare.value
        guard readsDominate else {
            let shown = share.map(Formatting.percent) ?? "unknown"
            return pass("reads do not dominate: growth shape \(context.growthShape.rawValue), read statements \(shown) of time", [shape, shareEvidence])
        }
        guard let severity else {
            return pass("reads dominate but the primary is not busy: \(context.comparison(perVCPU, .activeSessionsPerVCPU, metric: "active sessions per vCPU"))", [load, shape])
        }
        let lag = context.judge("replication_lag_seconds", context.metrics.replicationLagSeconds, .replicationLagSeconds).evidence
        let standbys = (context.snapshot.replication?.standbys ?? []).count
        return .recommend([recommendation(
            severity: severity, target: context.databaseName,
            summary: "Reads dominate (\(context.growthShapeReason)) on a busy primary: \(context.comparison(perVCPU, .activeSessionsPerVCPU, metric: "active sessions per vCPU")).",
            evidence: [load, shape, shareEvidence, lag],
            actions: [
                standbys == 0 ? "Add a streaming replica (hot_standby = on) and route read-only traffic to it." : "Route more read-only traffic to the \(standbys) existing standby(s), or add one.",
                "Keep writes and reads that must see their own writes on the primary.",
                "Design for lag: alert on replication_lag_seconds and set max_standby_streaming_delay for long reports.",
            ])])
    }

    /// Read-only statements' share of total statement time, when statements are readable.
    func readTimeShare(_ context: RuleContext) -> Double? {
        guard context.statementsUnavailableReason == nil, let total = context.totalStatementTimeMs, total > 0 else { return nil }
        let reads = context.statements.filter { $0.query.map(StatementHeuristics.isReadOnly) ?? false }
            .reduce(0) { $0 + $1.totalExecTimeMs }
        return reads / total
    }
}
