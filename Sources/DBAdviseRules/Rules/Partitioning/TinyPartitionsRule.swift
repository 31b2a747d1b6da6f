import DBAdviseAnalysis
import DBAdviseModel

/// Many partitions, each tiny: planning cost without the benefit.
public struct TinyPartitionsRule: Rule {
    public static let minimumPartitions = RuleParameter(
        name: "partition_count", value: 100, unit: .partitions,
        why: "Planning time and memory grow with the partitions a query may touch.")
    public static let tinyBytes = RuleParameter(
        name: "median_partition_bytes", value: 10 * 1_048_576, unit: .bytes,
        why: "Partitions under 10 MB add planning work without keeping anything out of memory.")

    public static let description = RuleDescription(
        id: "partition-too-many-tiny", strategy: .partitioning,
        title: "Use fewer, larger partitions",
        rationale: """
            The manual warns that too many partitions lengthen query planning and raise \
            memory use per session. Hundreds of partitions of a few megabytes each cost that \
            without any benefit: coarser ranges (monthly instead of daily) fix it.
            """,
        sources: [Manual.partitioningBestPractices],
        thresholds: [], parameters: [minimumPartitions, tinyBytes],
        inputs: ["partitioned_tables.partitions.total_bytes"])

    public init() {}

    public func evaluate(_ context: RuleContext) -> RuleVerdict {
        let trees = context.topLevelPartitionTrees
        guard !trees.isEmpty else { return pass("no partitioned tables", []) }
        var most = 0
        let found = trees.compactMap { tree -> Recommendation? in
            let leaves = context.leaves(of: tree)
            most = max(most, leaves.count)
            let sizes = leaves.compactMap { $0.totalBytes.map(Double.init) }
            guard Double(leaves.count) >= Self.minimumPartitions.value, let middle = median(sizes),
                middle < Self.tinyBytes.value
            else { return nil }
            return recommendation(
                severity: .warning, target: tree.qualifiedName,
                summary:
                    "\(tree.qualifiedName) has \(leaves.count) partitions with a median size of \(Formatting.bytes(middle)).",
                evidence: [
                    Self.minimumPartitions.evidence(metric: .partitionCount, value: Double(leaves.count)),
                    Self.tinyBytes.evidence(metric: .medianPartitionBytes, value: middle),
                ],
                actions: [
                    "Merge into coarser ranges (weekly or monthly) so each partition holds a meaningful share of the data."
                ])
        }
        guard found.isEmpty else { return .recommend(found) }
        return pass(
            "at most \(most) partitions per table",
            [Self.minimumPartitions.evidence(metric: .partitionCount, value: Double(most))])
    }
}
