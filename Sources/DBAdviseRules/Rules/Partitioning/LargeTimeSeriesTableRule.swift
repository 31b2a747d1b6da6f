import DBAdviseCore

/// A large table that grows along time: the textbook range-partitioning case.
public struct LargeTimeSeriesTableRule: Rule {
    public static let minimumCorrelation = RuleParameter(
        name: "minimum_abs_correlation", value: 0.9, unit: "ratio",
        why: "pg_stats.correlation near ±1 means rows lie on disk in the column's order: appended over time.")

    public static let description = RuleDescription(
        id: "partition-large-time-series", strategy: .partitioning,
        title: "Range-partition a large time-ordered table",
        rationale: """
            The manual's rule of thumb: partitioning pays off when a table would otherwise \
            exceed the server's physical memory. A table that grows along a timestamp or serial \
            column partitions by range on it: recent partitions stay in memory, old ones are \
            detached or dropped instead of DELETEd and vacuumed. Partition before you shard.
            """,
        sources: [Manual.partitioning, Manual.pgStats],
        thresholds: [.tableSizeGB], parameters: [minimumCorrelation],
        inputs: [
            "tables.total_bytes", "column_stats.correlation", "column_stats.data_type",
            "tables.n_tup_del", "tables.n_dead_tup", "hardware.memory_gb",
        ])

    public init() {}

    public func evaluate(_ context: RuleContext) -> RuleVerdict {
        let levels = context.levels(.tableSizeGB)
        let found = context.largeUnpartitionedTables.compactMap { entry -> Recommendation? in
            let columns = context.timeOrderedColumns(
                of: entry.table.name, minimumCorrelation: Self.minimumCorrelation.value)
            guard let column = columns.first else { return nil }
            let correlation = column.correlation ?? 0
            var evidence = [
                Evidence(
                    metric: "table_bytes", value: Double(entry.table.bytes), levels: levels, severity: entry.severity),
                Self.minimumCorrelation.evidence(metric: "correlation(\(column.column))", value: abs(correlation)),
            ]
            evidence += context.churnEvidence(entry.table.name)
            return recommendation(
                severity: entry.severity, target: entry.table.name,
                summary:
                    "\(entry.table.name) is \(Formatting.bytes(entry.table.bytes)) (≥ \(Formatting.bytes(levels.measuredLimit(for: entry.severity))) table_size_gb \(entry.severity.rawValue)) and grows along \(column.column) (\(column.dataType), correlation \(Formatting.rate(correlation))).",
                evidence: evidence,
                actions: [
                    "Range-partition \(entry.table.name) by \(column.column) (monthly or weekly partitions sized well under memory).",
                    "Create future partitions ahead of time (pg_partman) and detach or drop old ones instead of DELETE.",
                    "Make sure frequent queries filter on \(column.column) so partition pruning applies.",
                ])
        }
        guard found.isEmpty else { return .recommend(found) }
        let large = context.largeUnpartitionedTables
        if large.isEmpty {
            return pass(context.largestTableComparison, [sizeEvidence(context)])
        }
        return pass(
            "\(large.count) large table(s) have no time-ordered column (|correlation| ≥ \(Formatting.rate(Self.minimumCorrelation.value)))",
            [sizeEvidence(context)])
    }

    private func sizeEvidence(_ context: RuleContext) -> Evidence {
        context.judge("largest_table_bytes", context.metrics.largestTableBytes.map(Double.init), .tableSizeGB).evidence
    }
}
