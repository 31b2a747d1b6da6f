import DBAdviseAnalysis
import DBAdviseModel

/// Reads dominate a loaded primary: replicas take them.
public struct ReadDominatedRule: Rule {
    public static let readTimeShare = RuleParameter(
        name: "read_statement_time_share", value: 0.7, unit: .ratio,
        why: "When read-only statements take most of the primary's statement time, replicas can take most of the load.")

    public static let description = RuleDescription(
        id: "replicas-read-dominated", strategy: .readReplicas,
        title: "Add read replicas: reads dominate a busy primary",
        rationale: """
            Streaming replicas serve read-only queries (hot standby) and add read capacity \
            without touching the write path. Move non-critical and analytic reads there, keep \
            writes and read-your-writes reads on the primary, and design for replication lag. \
            Replicas replay every write, so they never answer write load. The recommendation \
            names the read-only statements worth routing (analytic reads: aggregates, many rows \
            or long mean time; point reads: few rows, short) with their share of primary time, \
            and the staleness they must tolerate given the measured p95 replay lag.
            """,
        sources: [Manual.hotStandby, Manual.replication, Manual.statStatements],
        thresholds: [.activeSessionsPerVCPU, .replicationLagSeconds],
        parameters: [readTimeShare] + MovableReads.parameters,
        inputs: [
            "rates.reads_per_second", "rates.writes_per_second", "statements.top_by_total_time",
            "statements.top_by_calls", "activity.avg_active_sessions", "hardware.vcpus",
            "replication.standbys.lag_samples", "replication.replicas.lag",
        ])

    public init() {}

    public func evaluate(_ context: RuleContext) -> RuleVerdict {
        let perVCPU = context.metrics.activeSessionsPerVCPU
        let (load, severity) = context.judge(.activeSessionsPerVCPU, perVCPU, .activeSessionsPerVCPU)
        let share = readTimeShare(context)
        let shareEvidence = Self.readTimeShare.evidence(
            metric: .readStatementTimeShare, value: share,
            note: share == nil ? context.statementsUnavailableReason : nil)
        let shape = Evidence(
            metric: .readsPerSecond, value: context.metrics.readsPerSecond,
            threshold: nil, unit: .rowsPerSecond, note: "growth shape \(context.growthShape.rawValue)")
        if context.growthShape == .writeHeavy {
            return pass(
                "writes dominate (\(context.growthShapeReason)); replicas do not take write load", [shape, load])
        }
        let readsDominate = context.growthShape == .readHeavy || (share ?? 0) >= Self.readTimeShare.value
        guard readsDominate else {
            let shown = share.map(Formatting.percent) ?? "unknown"
            return pass(
                "reads do not dominate: growth shape \(context.growthShape.rawValue), read statements \(shown) of time",
                [shape, shareEvidence])
        }
        guard context.window.settled else {
            return pass(
                "reads dominate over an unsettled window (\(context.window.unsettledReason ?? "")): no step from it",
                [load, shape])
        }
        // Busy means short of a resource replicas relieve (CPU or IO), per the capacity model;
        // sessions queued on locks are not relieved by moving reads away.
        let short = context.capacity.saturated.filter { ["cpu", "io"].contains($0.resource) }
        guard let severity, !short.isEmpty else {
            let cpu = context.capacity.resource("cpu")?.utilization.map(Formatting.percent) ?? "unknown"
            return pass(
                "reads dominate but the primary has headroom: CPU at \(cpu) of its target, "
                    + context.comparison(perVCPU, .activeSessionsPerVCPU, metric: .activeSessionsPerVCPUSpoken),
                [load, shape] + context.cpuEvidence())
        }
        let budget = LagBudget(context)
        let movable = MovableReads(context)
        let named = movable?.top() ?? []
        let standbys = context.standbyViews.count
        var evidence = [load, shape, shareEvidence]
        if let movable {
            evidence.append(
                Self.readTimeShare.evidence(
                    metric: .analyticReadTimeShare, value: movable.share(of: .analytic),
                    note: "aggregates, many rows or long reads"))
            evidence.append(
                Self.readTimeShare.evidence(
                    metric: .pointReadTimeShare, value: movable.share(of: .point), note: "few rows, short"))
        }
        evidence += named.map(MovableReads.evidence)
        if let unparsed = movable?.unparsedEvidence { evidence.append(unparsed) }
        evidence.append(budget.evidence)
        let split =
            movable.map {
                " Read-only statements take \(Formatting.percent($0.share())) of primary statement time (analytic \(Formatting.percent($0.share(of: .analytic))), point \(Formatting.percent($0.share(of: .point))))."
            } ?? ""
        var actions = [
            standbys == 0
                ? "Add a streaming replica (hot_standby = on) and route read-only traffic to it."
                : "Route more read-only traffic to the \(standbys) existing standby(s), or add one."
        ]
        if let route = MovableReads.routeAction(named) { actions.append(route) }
        actions += [
            budget.sentence,
            "Keep writes and reads that must see their own writes on the primary.",
            "Design for lag: alert on replication_lag_seconds and set max_standby_streaming_delay for long reports.",
        ]
        return .recommend([
            recommendation(
                severity: severity, target: context.databaseName,
                summary:
                    "Reads dominate (\(context.growthShapeReason)) on a busy primary: \(context.comparison(perVCPU, .activeSessionsPerVCPU, metric: .activeSessionsPerVCPUSpoken)).\(split)",
                evidence: evidence, actions: actions)
        ])
    }

    /// Read-only statements' share of total statement time, when statements are readable.
    func readTimeShare(_ context: RuleContext) -> Double? {
        guard context.statementsUnavailableReason == nil, let total = context.totalStatementTimeMs, total > 0 else {
            return nil
        }
        let reads = StatementClassifier.classify(context).statements.filter(\.isRead)
            .reduce(0) { $0 + $1.statement.totalExecTimeMs }
        return reads / total
    }
}
