import DBAdviseAnalysis
import DBAdviseModel

/// Rows landing in the default partition: a range or list is missing.
public struct DefaultPartitionRowsRule: Rule {
    public static let maximumRows = RuleParameter(
        name: "default_partition_rows", value: 1, unit: .rows,
        why: "Any row in the default partition means the partition it belongs to was never created.")

    public static let description = RuleDescription(
        id: "partition-default-catching-rows", strategy: .partitioning,
        title: "Create the missing partitions: rows land in the default partition",
        rationale: """
            A default partition catches rows no other partition accepts. Rows there are not \
            pruned, grow a partition nobody sized, and block attaching a partition for the \
            same range until they are moved (the attach scans the default partition).
            """,
        sources: [Manual.partitioning],
        thresholds: [], parameters: [maximumRows],
        inputs: ["partitioned_tables.default_partition", "partitioned_tables.partitions.rows"])

    public init() {}

    public func evaluate(_ context: RuleContext) -> RuleVerdict {
        let trees = context.snapshot.partitionedTables ?? []
        let found = trees.compactMap { tree -> Recommendation? in
            guard let partition = tree.partitions.first(where: \.isDefault), let rows = partition.rows,
                Double(rows) >= Self.maximumRows.value
            else { return nil }
            return recommendation(
                severity: .warning, target: tree.qualifiedName,
                summary:
                    "The default partition \(partition.qualifiedName) holds \(Formatting.grouped(rows)) rows.",
                evidence: [
                    Self.maximumRows.evidence(metric: .defaultPartitionRows, value: Double(rows)),
                    Evidence(
                        metric: .defaultPartitionBytes, value: partition.totalBytes.map(Double.init), threshold: nil,
                        unit: .bytes),
                ],
                actions: [
                    "Create the partitions those rows belong to (pg_partman premake), then move the rows out of the default partition.",
                    "Alert when the default partition is not empty.",
                ])
        }
        guard found.isEmpty else { return .recommend(found) }
        let defaults = trees.filter { $0.partitions.contains(where: \.isDefault) }.count
        return pass(
            defaults == 0 ? "no default partitions" : "\(defaults) default partition(s), all empty",
            [Self.maximumRows.evidence(metric: .defaultPartitionRows, value: 0)])
    }
}
