import DBAdviseAnalysis
import DBAdviseModel
import Foundation

/// A large table that grows along time: the textbook range-partitioning case.
public struct LargeTimeSeriesTableRule: Rule {
    public static let minimumCorrelation = PartitionPlanning.minimumCorrelation
    public static let minimumPartitionBytes = PartitionPlanning.minimumPartitionBytes
    public static let maximumPartitionBytes = PartitionPlanning.maximumPartitionBytes
    public static let minimumPartitions = PartitionPlanning.minimumPartitions
    public static let memoryShare = PartitionPlanning.memoryShare
    public static let retentionDeleteShare = PartitionPlanning.retentionDeleteShare

    public static let description = RuleDescription(
        id: "partition-large-time-series", strategy: .partitioning,
        title: "Range-partition a large time-ordered table",
        rationale: """
            The manual's rule of thumb: partitioning pays off when a table would otherwise \
            exceed the server's physical memory. A table that grows along a timestamp or serial \
            column partitions by range on it: recent partitions stay in memory, old ones are \
            detached or dropped instead of DELETEd and vacuumed. The interval is sized from the \
            measured growth so each partition lands in the size band; a serial key's width is \
            sized so the existing rows fill at least four partitions (never "every 2,000,000 \
            ids" for a 1 M-row table). Partitions under a useful size (1 GB, or a quarter of \
            table_size_gb's warning when that is smaller) are no plan: none is offered and the \
            reason says why. Growth \
            measured over an unsettled window (a bulk load, minutes since a reset) is not used. \
            Partition before you shard. A table whose column statistics pg_stats hid from the \
            collecting role has an unknown time order, reported as such (with the grant that \
            shows them), never as none.
            """,
        sources: [Manual.partitioning, Manual.pgStats, Manual.pgPartman],
        thresholds: [.tableSizeGB],
        parameters: [
            minimumCorrelation, minimumPartitionBytes, maximumPartitionBytes, minimumPartitions, memoryShare,
            retentionDeleteShare,
        ],
        inputs: [
            "tables.total_bytes", "column_stats.correlation", "column_stats.data_type",
            "tables.n_tup_ins", "tables.n_tup_del", "tables.n_dead_tup", "tables.autovacuum_count",
            "tables.writes_per_second", "indexes.columns", "hardware.memory_gb", "growth trends",
            "unavailable (column_stats.<table>)",
        ])

    public init() {}

    public func evaluate(_ context: RuleContext) -> RuleVerdict {
        let levels = context.levels(.tableSizeGB)
        var withoutPlan: [String] = []
        let found = context.largeUnpartitionedTables.compactMap { entry -> Recommendation? in
            let columns = context.timeOrderedColumns(
                of: entry.table.name, minimumCorrelation: Self.minimumCorrelation.value)
            // A timestamp or date key reads better in queries and retention than a serial one.
            let temporal = columns.first(where: \.isTemporal)
            guard let column = temporal ?? columns.first else { return nil }
            let correlation = column.correlation ?? 0
            let proposal = context.partitionProposal(for: entry.table.name, column: column)
            if let why = proposal.noPlanReason {
                withoutPlan.append(
                    "\(entry.table.name) (\(Formatting.bytes(entry.table.bytes)), by \(column.column)): \(why)")
                return nil
            }
            var evidence = [
                Evidence(
                    metric: .tableBytes, value: Double(entry.table.bytes), levels: levels, severity: entry.severity),
                Self.minimumCorrelation.evidence(metric: .correlation(column: column.column), value: abs(correlation)),
            ]
            evidence += context.churnEvidence(entry.table.name)
            evidence += proposal.evidence
            return recommendation(
                severity: entry.severity, target: entry.table.name,
                summary:
                    "\(entry.table.name) is \(Formatting.bytes(entry.table.bytes)) (≥ \(Formatting.bytes(levels.measuredLimit(for: entry.severity))) table_size_gb \(entry.severity.rawValue)) and grows along \(column.column) (\(column.dataType), correlation \(Formatting.rate(correlation))). \(proposal.reason)",
                evidence: evidence,
                actions: [
                    "Range-partition \(entry.table.name) by \(column.column), \(proposal.plan.interval.label) (\(proposal.plan.interval.sql)); make frequent queries filter on \(column.column) so partition pruning applies."
                ] + proposal.plan.actions)
        }
        guard found.isEmpty else { return .recommend(found) }
        let large = context.largeUnpartitionedTables
        if large.isEmpty {
            return pass(context.largestTableComparison, [sizeEvidence(context)])
        }
        if !withoutPlan.isEmpty {
            return pass(
                "no partitioning plan would help: " + withoutPlan.joined(separator: "; "), [sizeEvidence(context)])
        }
        // statistics the role could not see say nothing about time order: unknown, not none
        let hidden = context.snapshot.hiddenColumnStats
        let unknown = large.filter { hidden[$0.table.name] != nil }
        let none = large.count - unknown.count
        var reasons: [String] = []
        if let first = unknown.first, let reason = hidden[first.table.name] {
            reasons.append(
                "time order unknown for \(unknown.map(\.table.name).joined(separator: ", ")) (\(reason))")
        }
        if none > 0 {
            reasons.append(
                "\(none) large table(s) have no time-ordered column (|correlation| ≥ \(Formatting.rate(Self.minimumCorrelation.value)))"
            )
        }
        return pass(reasons.joined(separator: "; "), [sizeEvidence(context)])
    }

    private func sizeEvidence(_ context: RuleContext) -> Evidence {
        context.judge(.largestTableBytes, context.metrics.largestTableBytes.map(Double.init), .tableSizeGB).evidence
    }
}
