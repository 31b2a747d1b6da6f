import DBAdviseAnalysis
import DBAdviseModel

/// Reporting queries keep the primary busy.
public struct AnalyticsOnPrimaryRule: Rule {
    public static let analyticTimeShare = RuleParameter(
        name: "analytic_statement_time_share", value: 0.2, unit: .ratio,
        why: "A fifth of statement time in aggregates and reports is worth moving off the primary.")
    public static let analyticSessions = RuleParameter(
        name: "analytic_busy_sessions", value: 0.5, unit: .sessions,
        why: "Analytics must keep at least half a core busy on average to matter.")

    public static let description = RuleDescription(
        id: "replicas-analytics-on-primary", strategy: .readReplicas,
        title: "Move analytics off the primary to a replica",
        rationale: """
            Aggregates, reports and dashboards run long and read a lot; on the primary they \
            compete with the transactions that must be there. A hot standby serves them, at \
            the price of lag and of query cancellations that max_standby_streaming_delay and \
            hot_standby_feedback trade off. A read counts as analytic when it aggregates \
            (GROUP BY, aggregates, window functions), returns many rows per call or runs long; \
            the recommendation names the top ones and the lag they must tolerate.
            """,
        sources: [Manual.hotStandby, Manual.statStatements],
        thresholds: [.replicationLagSeconds],
        parameters: [analyticTimeShare, analyticSessions] + MovableReads.parameters,
        inputs: [
            "statements.top_by_total_time", "statements.top_by_calls", "statements.total_exec_time_ms",
            "interval.rate_seconds", "replication.standbys.lag_samples", "replication.replicas.lag",
        ])

    public init() {}

    public func evaluate(_ context: RuleContext) -> RuleVerdict {
        if let reason = context.statementsUnavailableReason {
            return pass(
                "analytics cannot be told apart: \(reason)",
                [
                    Self.analyticTimeShare.evidence(metric: .analyticStatementTimeShare, value: nil, note: reason)
                ])
        }
        let movable = MovableReads(context)
        let analytic = movable?.reads.filter { $0.kind == .analytic } ?? []
        let analyticMs = analytic.reduce(0) { $0 + $1.statement.totalExecTimeMs }
        let share = movable?.share(of: .analytic) ?? 0
        let busy = context.intervalSeconds.map { analyticMs / 1000 / $0 }
        let evidence = [
            Self.analyticTimeShare.evidence(metric: .analyticStatementTimeShare, value: share),
            Self.analyticSessions.evidence(
                metric: .analyticBusySessions, value: busy,
                note: busy == nil ? "interval length unknown" : nil),
        ]
        if context.growthShape == .writeHeavy {
            return pass("writes dominate (\(context.growthShapeReason)); replicas do not take write load", evidence)
        }
        guard context.window.settled else {
            return pass(
                "analytic statements measured over an unsettled window (\(context.window.unsettledReason ?? ""))",
                [])
        }
        guard share >= Self.analyticTimeShare.value, let busy, busy >= Self.analyticSessions.value else {
            return pass(
                "analytic statements take \(Formatting.percent(share)) of statement time and keep \(Formatting.rate(busy ?? 0)) sessions busy",
                evidence)
        }
        let budget = LagBudget(context)
        let named = movable?.top(.analytic) ?? []
        var actions = ["Point dashboards and reports at a hot standby."]
        if let route = MovableReads.routeAction(named) { actions.append(route) }
        actions += [
            budget.sentence,
            "Set hot_standby_feedback or max_standby_streaming_delay for long reports, and show users the data's age.",
        ]
        return .recommend([
            recommendation(
                severity: .warning, target: context.databaseName,
                summary:
                    "\(analytic.count) analytic statement(s) take \(Formatting.percent(share)) of statement time on the primary (\(Formatting.rate(busy)) sessions busy).",
                evidence: evidence + named.map(MovableReads.evidence)
                    + [movable?.unparsedEvidence, budget.evidence]
                    .compactMap { $0 },
                actions: actions)
        ])
    }
}
