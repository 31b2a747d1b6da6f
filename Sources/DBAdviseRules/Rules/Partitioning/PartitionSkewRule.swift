import DBAdviseAnalysis
import DBAdviseModel

/// A partition that outgrew its siblings or partition_size_gb.
public struct PartitionSkewRule: Rule {
    public static let skewFactor = RuleParameter(
        name: "largest_to_median_partition", value: 10, unit: .times,
        why: "A partition ten times its siblings' median means the key does not spread the data.")
    public static let minimumSkewedBytes = RuleParameter(
        name: "minimum_skewed_partition_bytes", value: 1_073_741_824, unit: .bytes,
        why: "Skew among small partitions is harmless.")

    public static let description = RuleDescription(
        id: "partition-skew", strategy: .partitioning,
        title: "Split an oversized or skewed partition",
        rationale: """
            Partitioning helps only while each partition stays small: a partition past \
            partition_size_gb, or one far larger than its siblings, is again a large table \
            with large indexes and long vacuums. Finer ranges or sub-partitioning spread it. \
            The largest partition is compared with the median of the partitions that hold \
            rows (the default partition and empty ones, made ahead or emptied, left out).
            """,
        sources: [Manual.partitioningBestPractices],
        thresholds: [.partitionSizeGB], parameters: [skewFactor, minimumSkewedBytes],
        inputs: ["partitioned_tables.partitions.total_bytes", "partitioned_tables.partitions.rows"])

    public init() {}

    public func evaluate(_ context: RuleContext) -> RuleVerdict {
        let trees = context.topLevelPartitionTrees
        guard !trees.isEmpty else {
            return pass("no partitioned tables", [])
        }
        let levels = context.levels(.partitionSizeGB)
        var found: [Recommendation] = []
        var quietEvidence: [Evidence] = []
        var quietTrees: [String] = []
        for tree in trees {
            let leaves = context.leaves(of: tree)
            // The default partition has its own rule; empty partitions (made ahead of time, or
            // emptied by retention) would drag the median down and make every table look skewed.
            let sized = leaves.filter { !$0.isDefault && $0.rows != 0 }.compactMap { partition in
                partition.totalBytes.map { (name: partition.qualifiedName, bytes: Double($0)) }
            }
            let countEvidence = Evidence(
                metric: .partitionCount(table: tree.qualifiedName), value: Double(leaves.count), threshold: nil,
                unit: .partitions, note: "\(sized.count) holding rows")
            guard let largest = sized.max(by: { $0.bytes < $1.bytes }), let middle = median(sized.map(\.bytes)) else {
                quietTrees.append("\(tree.qualifiedName) \(leaves.count) partitions, sizes unknown or all empty")
                quietEvidence.append(countEvidence)
                continue
            }
            let ratio = middle > 0 ? largest.bytes / middle : nil
            let sizeSeverity = levels.severity(of: largest.bytes)
            let sizeEvidence = Evidence(
                metric: .partitionBytes, value: largest.bytes, levels: levels, severity: sizeSeverity,
                note: largest.name)
            let skewEvidence = Self.skewFactor.evidence(
                metric: .largestToMedianPartition(table: tree.qualifiedName), value: ratio,
                note: "median \(Formatting.bytes(middle)) of \(sized.count) partitions holding rows")
            let skewed = (ratio ?? 0) >= Self.skewFactor.value && largest.bytes >= Self.minimumSkewedBytes.value
            guard sizeSeverity != nil || skewed else {
                quietTrees.append(
                    "\(tree.qualifiedName) \(leaves.count) partitions, largest \(Formatting.bytes(largest.bytes)) = \(Formatting.number(ratio ?? 0))× the median"
                )
                quietEvidence += [countEvidence, sizeEvidence, skewEvidence]
                continue
            }
            found.append(
                recommendation(
                    severity: sizeSeverity ?? .warning, target: tree.qualifiedName,
                    summary:
                        "Largest partition \(largest.name) is \(Formatting.bytes(largest.bytes)), \(Formatting.number(ratio ?? 0))× the median (\(Formatting.bytes(middle))) of the \(sized.count) partitions holding rows (\(leaves.count) partitions in all).",
                    evidence: [sizeEvidence, skewEvidence, countEvidence],
                    actions: [
                        "Split \(largest.name) into finer ranges, or sub-partition it (by hash on a second key).",
                        "Check that the partition key \(tree.key ?? "") spreads rows evenly.",
                    ]))
        }
        guard found.isEmpty else { return .recommend(found) }
        let largest = context.sizes.partitions.first
        let shown =
            largest.map {
                "largest partition \($0.name) "
                    + context.comparison(Double($0.bytes), .partitionSizeGB, metric: .sizeSpoken).replacingOccurrences(
                        of: "size ", with: "")
            } ?? "partition sizes unknown"
        return pass(
            "\(shown), no skew (\(quietTrees.joined(separator: "; ")))", quietEvidence)
    }
}
