import DBAdviseCore

/// One partition (or table) that no single machine can hold.
public struct TableBeyondMachineRule: Rule {
    public static let storageShare = RuleParameter(
        name: "storage_share", value: 0.5, unit: "ratio",
        why: "A relation past half the disk cannot be rewritten (VACUUM FULL, ALTER TABLE, pg_repack) in place.")

    public static let description = RuleDescription(
        id: "shard-beyond-one-machine", strategy: .sharding,
        title: "Shard: a single partition outgrows one machine",
        rationale: """
            Partitioning splits a table within one server; once one partition (or a table \
            that cannot be partitioned) exceeds the memory of the largest machine available, \
            or a large share of its storage, only spreading data over servers helps. Use an \
            existing engine such as Citus rather than application-side sharding.
            """,
        sources: [Manual.citus, Manual.partitioning, Manual.citusDistribution, Manual.citusForeignKeys],
        thresholds: [], parameters: [storageShare] + ShardKeyRanking.parameters,
        inputs: [
            "tables.total_bytes", "partitioned_tables.partitions.total_bytes", "hardware.storage_gb",
            "hardware.max_memory_gb", "column_stats.n_distinct", "column_stats.most_common_freq", "foreign_keys",
        ])

    public init() {}

    public func evaluate(_ context: RuleContext) -> RuleVerdict {
        let hardware = context.hardware
        guard hardware.storageBytes != nil || hardware.maxMemoryBytes != nil else {
            return pass(
                "hardware.storage_gb and hardware.max_memory_gb are not configured",
                [
                    Evidence(
                        metric: "largest_partition_bytes",
                        value: context.sizes.partitions.first.map { Double($0.bytes) }, threshold: nil, unit: "bytes",
                        note: "no machine ceiling configured")
                ])
        }
        let storageLimit = hardware.storageBytes.map { $0 * Self.storageShare.value }
        // Partitions against the memory ceiling; any relation against the storage share.
        var found: [Recommendation] = []
        for partition in context.sizes.partitions {
            if let memory = hardware.maxMemoryBytes, Double(partition.bytes) >= memory {
                found.append(shard(partition, limit: memory, limitName: "hardware.max_memory_gb", context: context))
            } else if let storageLimit, Double(partition.bytes) >= storageLimit {
                found.append(
                    shard(partition, limit: storageLimit, limitName: "half of hardware.storage_gb", context: context))
            }
        }
        for table in context.sizes.unpartitionedTables {
            if let storageLimit, Double(table.bytes) >= storageLimit {
                found.append(
                    shard(table, limit: storageLimit, limitName: "half of hardware.storage_gb", context: context))
            }
        }
        guard found.isEmpty else { return .recommend(found) }
        let largest =
            ([context.sizes.partitions.first, context.sizes.unpartitionedTables.max { $0.bytes < $1.bytes }]
            .compactMap { $0 }).max { $0.bytes < $1.bytes }
        let ceiling = [hardware.maxMemoryBytes, storageLimit].compactMap { $0 }.min() ?? 0
        let shown =
            largest.map { "largest table or partition \($0.name) \(Formatting.bytes($0.bytes))" } ?? "no table sizes"
        return pass(
            "\(shown) < \(Formatting.bytes(ceiling)) machine ceiling",
            [
                Evidence(
                    metric: "largest_relation_bytes", value: largest.map { Double($0.bytes) }, threshold: ceiling,
                    unit: "bytes")
            ])
    }

    private func shard(_ relation: SizedRelation, limit: Double, limitName: String, context: RuleContext)
        -> Recommendation
    {
        recommendation(
            severity: .critical, target: relation.name,
            summary:
                "\(relation.name) is \(Formatting.bytes(relation.bytes)), beyond \(limitName) (\(Formatting.bytes(limit))).",
            evidence: [
                Evidence(
                    metric: "relation_bytes", value: Double(relation.bytes), threshold: limit, unit: "bytes",
                    note: "threshold: \(limitName)")
            ] + ShardKeyRanking.evidence(context.snapshot),
            actions: [
                "Shard with Citus (an existing engine, not application-side sharding): distribute \(relation.name) and the tables joined with it on one key."
            ] + ShardKeyRanking.citusActions(context.snapshot))
    }
}
