import DBAdviseAnalysis
import DBAdviseModel

/// Client connections close to max_connections.
public struct ConnectionSaturationRule: Rule {
    public static let description = RuleDescription(
        id: "vertical-connection-saturation", strategy: .vertical,
        title: "Pool connections before they run out",
        rationale: """
            Each connection is a backend process with its own memory; near max_connections \
            new clients are refused. A transaction pooler (PgBouncer) multiplexes many clients \
            onto few backends and is cheaper than raising max_connections on a bigger machine.
            """,
        sources: [Manual.connections, Manual.pgbouncer],
        thresholds: [.connectionsUsedRatio],
        inputs: ["activity.connections", "activity.max_connections", "activity.idle_in_transaction"])

    public init() {}

    public func evaluate(_ context: RuleContext) -> RuleVerdict {
        let ratio = context.metrics.connectionsUsedRatio
        let (evidence, severity) = context.judge(.connectionsUsedRatio, ratio, .connectionsUsedRatio)
        guard let severity, let activity = context.snapshot.activity else {
            return pass(context.comparison(ratio, .connectionsUsedRatio, metric: .connectionsUsedSpoken), [evidence])
        }
        let limit = activity.maxConnections.map(String.init) ?? "max_connections"
        return .recommend([
            recommendation(
                severity: severity, target: context.databaseName,
                summary:
                    "\(activity.connections) of \(limit) connections in use; \(activity.idleInTransaction) idle in transaction.",
                evidence: [
                    evidence,
                    Evidence(
                        metric: .idleInTransaction, value: Double(activity.idleInTransaction), threshold: nil,
                        unit: .connections),
                ],
                actions: [
                    "Put PgBouncer (pool_mode = transaction) in front of the primary and size the pool near the vCPU count.",
                    "Close idle-in-transaction sessions (idle_in_transaction_session_timeout).",
                    "Only then raise max_connections, on a machine with the memory for it.",
                ])
        ])
    }
}
