import DBAdviseCore

/// Sustained writes beyond what one primary's WAL can carry.
public struct WriteThroughputRule: Rule {
    public static let description = RuleDescription(
        id: "shard-write-throughput", strategy: .sharding,
        title: "Shard: sustained writes beyond one primary",
        rationale: """
            One primary writes one WAL stream; tens of thousands of row writes per second \
            sustained is where a larger machine stops helping and replicas never did. \
            Spreading writes needs several primaries: a sharded engine such as Citus.
            """,
        sources: [Manual.citus, Manual.walConfiguration],
        thresholds: [.writesPerSecond],
        parameters: ShardKeyRanking.parameters,
        inputs: [
            "rates.writes_per_second (every snapshot of the series)", "column_stats.n_distinct",
            "column_stats.most_common_freq", "foreign_keys",
        ])

    public init() {}

    public func evaluate(_ context: RuleContext) -> RuleVerdict {
        let levels = context.levels(.writesPerSecond)
        // Sustained: the lowest rate of the series must cross critical.
        let rates = context.snapshots.compactMap(\.rates.writesPerSecond)
        let sustained = rates.count == context.snapshots.count ? rates.min() : nil
        let evidence = Evidence(
            metric: "writes_per_second", value: sustained, threshold: levels.measuredCritical,
            unit: levels.key.unit.measuredUnit,
            note: sustained == nil ? "write rate unknown in some snapshot" : "lowest of \(rates.count) snapshot(s)")
        guard let sustained, levels.severity(of: sustained) == .critical else {
            let shown = sustained.map(Formatting.rate) ?? "unknown"
            return pass(
                "writes \(shown)/s < \(Formatting.rate(levels.measuredCritical))/s writes_per_second critical",
                [evidence])
        }
        return .recommend([
            recommendation(
                severity: .critical, target: context.databaseName,
                summary:
                    "Writes stay at \(Formatting.rate(sustained))/s or more, past the writes_per_second critical level \(Formatting.rate(levels.measuredCritical))/s.",
                evidence: [evidence] + ShardKeyRanking.evidence(context.snapshot),
                actions: ["Until sharded, batch writes and move write-only logs to a separate database."]
                    + ShardKeyRanking.citusActions(context.snapshot))
        ])
    }
}
