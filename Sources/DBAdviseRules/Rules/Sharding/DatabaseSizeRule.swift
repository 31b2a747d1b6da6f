import DBAdviseAnalysis
import DBAdviseModel

/// A database too large for one machine's backups, restores and vacuums.
public struct DatabaseSizeRule: Rule {
    public static let description = RuleDescription(
        id: "shard-database-size", strategy: .sharding,
        title: "Shard: the database is beyond one machine's comfortable size",
        rationale: """
            Around 10 TB, a single server's base backups, restores, replica rebuilds and \
            anti-wraparound vacuums take days. Sharding (Citus) spreads the data so each node \
            stays small enough to operate.
            """,
        sources: [Manual.citus, Manual.vacuum] + ShardKeyRanking.sources,
        thresholds: [.databaseSizeGB], parameters: ShardKeyRanking.parameters,
        inputs: ["database.size_bytes", "server.extensions"] + ShardKeyRanking.inputs)

    public init() {}

    public func evaluate(_ context: RuleContext) -> RuleVerdict {
        let bytes = context.metrics.databaseBytes.map(Double.init)
        let (evidence, severity) = context.judge(.databaseBytes, bytes, .databaseSizeGB)
        let levels = context.levels(.databaseSizeGB)
        let citus = context.snapshot.server.extensions?.first { $0.name == "citus" }
        if let citus, let bytes, severity == nil {
            return .recommend([
                recommendation(
                    severity: .info, target: context.databaseName,
                    title: "Premature sharding: Citus is installed but the data fits one machine",
                    summary:
                        "citus \(citus.version) is installed, yet the database is \(Formatting.bytes(bytes)) < \(Formatting.bytes(levels.measuredWarning)) database_size_gb warning: distributed planning, cross-node transactions and rebalancing cost more than they save at this size.",
                    evidence: [evidence],
                    actions: [
                        "Keep the tables local (undistribute_table) until one partition or table nears the machine's ceiling; partition first.",
                        "If sharding is for tenant isolation, say so in the config review; size alone does not call for it.",
                    ])
            ])
        }
        guard let bytes, severity == .critical else {
            let shown = bytes.map(Formatting.bytes) ?? "unknown"
            let critical = Evidence(
                metric: .databaseBytes, value: bytes, threshold: levels.measuredCritical, unit: .bytes,
                note: evidence.note)
            return pass(
                "database \(shown) < \(Formatting.bytes(levels.measuredCritical)) database_size_gb critical", [critical]
            )
        }
        return .recommend([
            recommendation(
                severity: .critical, target: context.databaseName,
                summary:
                    "The database is \(Formatting.bytes(bytes)), past \(Formatting.bytes(levels.measuredCritical)) (database_size_gb critical).",
                evidence: [evidence] + ShardKeyRanking.evidence(context.snapshot),
                actions: ["Before sharding, archive or drop data nobody reads (detach old partitions)."]
                    + ShardKeyRanking.citusActions(context.snapshot))
        ])
    }
}
