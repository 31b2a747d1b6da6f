import DBAdviseCore

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
        sources: [Manual.citus, Manual.vacuum],
        thresholds: [.databaseSizeGB],
        inputs: ["database.size_bytes"])

    public init() {}

    public func evaluate(_ context: RuleContext) -> RuleVerdict {
        let bytes = context.metrics.databaseBytes.map(Double.init)
        let (evidence, severity) = context.judge("database_bytes", bytes, .databaseSizeGB)
        let levels = context.levels(.databaseSizeGB)
        guard let bytes, severity == .critical else {
            let shown = bytes.map(Formatting.bytes) ?? "unknown"
            let critical = Evidence(
                metric: "database_bytes", value: bytes, threshold: levels.measuredCritical, unit: "bytes",
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
                evidence: [evidence],
                actions: [
                    "Shard with Citus; pick the distribution key from the largest tables' most common filter.",
                    "Before that, archive or drop data nobody reads (detach old partitions).",
                ])
        ])
    }
}
