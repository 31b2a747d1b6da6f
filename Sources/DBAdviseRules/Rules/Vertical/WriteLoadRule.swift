import DBAdviseCore

/// Sustained writes past the warning level: the vertical step for a write-bound primary.
public struct WriteLoadRule: Rule {
    public static let description = RuleDescription(
        id: "vertical-write-load", strategy: .vertical,
        title: "Scale the primary up for write load",
        rationale: """
            Every write goes through the one primary and its WAL; replicas do not take any of \
            it. Below the sharding level, the cheaper answers are a larger machine with faster \
            storage, batching, and WAL settings (wal_compression, max_wal_size).
            """,
        sources: [Manual.walConfiguration, Manual.statDatabase],
        thresholds: [.writesPerSecond],
        inputs: ["rates.writes_per_second", "rates.wal_bytes_per_second"])

    public init() {}

    public func evaluate(_ context: RuleContext) -> RuleVerdict {
        let writes = context.metrics.writesPerSecond
        let (evidence, severity) = context.judge("writes_per_second", writes, .writesPerSecond)
        guard let severity else {
            return pass(context.comparison(writes, .writesPerSecond, metric: "writes/s"), [evidence])
        }
        let wal = context.snapshot.rates.walBytesPerSecond
        return .recommend([
            recommendation(
                severity: severity == .critical ? .warning : severity, target: context.databaseName,
                summary:
                    "\(context.comparison(writes, .writesPerSecond, metric: "writes/s")); read replicas would not help.",
                evidence: [
                    evidence, Evidence(metric: "wal_bytes_per_second", value: wal, threshold: nil, unit: "bytes/s"),
                ],
                actions: [
                    "Move the primary to faster storage (provisioned IOPS, local NVMe) and more vCPUs.",
                    "Batch small writes into multi-row INSERTs or COPY; enable wal_compression.",
                    "Do not answer write load with read replicas: they replay every write too.",
                ])
        ])
    }
}
