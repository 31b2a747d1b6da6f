import DBAdviseAnalysis
import DBAdviseModel

/// A large table without a time order: partition by list or hash, or archive.
public struct LargeTableRule: Rule {
    public static let description = RuleDescription(
        id: "partition-large-table", strategy: .partitioning,
        title: "Partition a large table by its access key",
        rationale: """
            Past the server's memory, a table's indexes stop fitting and vacuum passes take \
            hours. Without a time order, list- or hash-partitioning on the key most queries \
            filter by (tenant, region) keeps each partition's indexes small and vacuum short. \
            When pg_stats hid the table's column statistics from the collecting role (it may not \
            SELECT the table), its time order is unknown, not absent: the advice names the grant \
            that shows them instead of a key.
            """,
        sources: [Manual.partitioning, Manual.vacuum, Manual.pgStats],
        thresholds: [.tableSizeGB],
        inputs: [
            "tables.total_bytes", "column_stats.correlation", "tables.n_tup_del", "tables.n_dead_tup",
            "unavailable (column_stats.<table>)",
        ])

    public init() {}

    public func evaluate(_ context: RuleContext) -> RuleVerdict {
        let levels = context.levels(.tableSizeGB)
        let minimum = PartitionPlanning.minimumCorrelation.value
        let hidden = context.snapshot.hiddenColumnStats
        let found = context.largeUnpartitionedTables.filter {
            context.timeOrderedColumns(of: $0.table.name, minimumCorrelation: minimum).isEmpty
        }.map { entry in
            let size =
                "\(entry.table.name) is \(Formatting.bytes(entry.table.bytes)) (≥ \(Formatting.bytes(levels.measuredLimit(for: entry.severity))) table_size_gb \(entry.severity.rawValue))"
            var evidence = [
                Evidence(
                    metric: .tableBytes, value: Double(entry.table.bytes), levels: levels, severity: entry.severity)
            ]
            let summary: String
            let actions: [String]
            if let reason = hidden[entry.table.name] {
                // the role could not see its column statistics: the key is unknown, not absent
                summary = "\(size); its partition key is unknown (\(reason))."
                evidence.append(
                    Evidence(metric: .columnStatsHidden, value: nil, threshold: nil, unit: .columns, note: reason))
                actions = [
                    "Grant what the reason names and collect again: the partition key comes from pg_stats (a time column the rows follow, for range partitioning; else the key most queries filter by, for list or hash partitioning).",
                    "Until then, dbadvise cannot tell whether \(entry.table.name) grows along time; partition it on the column you know it is appended or read by.",
                ]
            } else {
                summary = "\(size) with no time-ordered column."
                actions = [
                    "List- or hash-partition \(entry.table.name) on the key most queries filter by (tenant, account).",
                    "If old rows are deleted in bulk, add a created_at column and range-partition on it instead.",
                ]
            }
            return recommendation(
                severity: entry.severity, target: entry.table.name, summary: summary,
                evidence: evidence + context.churnEvidence(entry.table.name), actions: actions)
        }
        guard found.isEmpty else { return .recommend(found) }
        let evidence = context.judge(
            .largestTableBytes, context.metrics.largestTableBytes.map(Double.init), .tableSizeGB
        ).evidence
        return pass(
            context.largeUnpartitionedTables.isEmpty
                ? context.largestTableComparison
                : "every large table is time-ordered (see partition-large-time-series)", [evidence])
    }
}
