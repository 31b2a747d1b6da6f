import DBAdviseCore

/// Standbys falling behind the primary.
public struct ReplicationLagRule: Rule {
    public static let description = RuleDescription(
        id: "tuning-replication-lag", strategy: .tuning,
        title: "Standbys are falling behind",
        rationale: """
            Reads sent to a lagging standby see old data, and a far-behind standby is a poor \
            failover target. Lag comes from replay conflicts with long standby queries, slow \
            standby storage, or network limits; fix it before sending more reads to replicas.
            """,
        sources: [Manual.hotStandby, Manual.replication],
        thresholds: [.replicationLagSeconds],
        inputs: ["replication.standbys.replay_lag_seconds", "replication.standby_status.replay_delay_seconds",
                 "replication.replicas.status.replay_delay_seconds"])

    public init() {}

    public func evaluate(_ context: RuleContext) -> RuleVerdict {
        let lag = context.metrics.replicationLagSeconds
        let (evidence, severity) = context.judge("replication_lag_seconds", lag, .replicationLagSeconds)
        guard let severity else {
            return pass(context.comparison(lag, .replicationLagSeconds, metric: "replication lag"), [evidence])
        }
        return .recommend([recommendation(
            severity: severity, target: context.databaseName,
            summary: "The slowest standby is \(context.comparison(lag, .replicationLagSeconds, metric: "behind by")).",
            evidence: [evidence],
            actions: [
                "Look for long queries on the standby that conflict with replay (max_standby_streaming_delay).",
                "Check the standby's storage and the network between the servers.",
            ])])
    }
}
