import DBAdviseAnalysis
import DBAdviseModel

/// One partition (or table) that no single machine can hold.
public struct TableBeyondMachineRule: Rule {
    public static let storageShare = RuleParameter(
        name: "storage_share", value: 0.5, unit: .ratio,
        why: "A relation past half the largest disk cannot be rewritten (VACUUM FULL, ALTER TABLE, pg_repack) in "
            + "place on any machine; past half of today's disk, a bigger disk is the cheaper step.")

    public static let description = RuleDescription(
        id: "shard-beyond-one-machine", strategy: .sharding,
        title: "Shard: a single partition outgrows one machine",
        rationale: """
            Partitioning splits a table within one server; once one partition exceeds the memory \
            of the largest machine available (hardware.max_memory_gb), or any table or partition \
            exceeds half of the largest disk (hardware.max_storage_gb: a rewrite needs room for \
            a second copy), only spreading data over servers helps. Both ceilings are configured, \
            from the instance class, or assumed (1 TB memory, 64 TB storage, RDS's largest \
            volume) and the reason says which. A relation past half of today's disk \
            (hardware.storage_gb) but within the ceiling needs a bigger disk, not shards. Use an \
            existing engine such as Citus rather than application-side sharding.
            """,
        sources: [Manual.citus, Manual.partitioning, Manual.citusDistribution, Manual.citusForeignKeys],
        thresholds: [], parameters: [storageShare] + ShardKeyRanking.parameters,
        inputs: [
            "tables.total_bytes", "partitioned_tables.partitions.total_bytes", "hardware.storage_gb",
            "hardware.max_storage_gb", "hardware.max_memory_gb", "column_stats.n_distinct",
            "column_stats.most_common_freq", "foreign_keys",
        ])

    public init() {}

    /// A ceiling with where it came from: `1,024 GB hardware.max_memory_gb (assumed)`.
    struct Ceiling {
        var bytes: Double
        var name: String

        var text: String { "\(Formatting.bytes(bytes)) \(name)" }
    }

    public func evaluate(_ context: RuleContext) -> RuleVerdict {
        let resolved = context.resolvedHardware
        let hardware = context.hardware
        let memory = Ceiling(
            bytes: (hardware.maxMemoryBytes ?? ResolvedHardware.assumedMaxMemoryGB * ThresholdUnit.bytesPerGigabyte),
            name: "hardware.max_memory_gb (\(resolved.maxMemorySource.rawValue))")
        let maxStorage =
            hardware.maxStorageBytes ?? ResolvedHardware.assumedMaxStorageGB * ThresholdUnit.bytesPerGigabyte
        let storage = Ceiling(
            bytes: maxStorage * Self.storageShare.value,
            name:
                "(half of hardware.max_storage_gb \(Formatting.bytes(maxStorage)), \(resolved.maxStorageSource.rawValue))"
        )
        // Partitions against the memory ceiling; any relation against the storage ceiling.
        var found: [Recommendation] = []
        for partition in context.sizes.partitions {
            if Double(partition.bytes) >= memory.bytes {
                found.append(shard(partition, ceiling: memory, context: context))
            } else if Double(partition.bytes) >= storage.bytes {
                found.append(shard(partition, ceiling: storage, context: context))
            }
        }
        for table in context.sizes.unpartitionedTables where Double(table.bytes) >= storage.bytes {
            found.append(shard(table, ceiling: storage, context: context))
        }
        guard found.isEmpty else { return .recommend(found) }

        // Quiet: each comparison made, with the numbers it compared.
        var reasons: [String] = []
        var evidence: [Evidence] = []
        if let partition = context.sizes.partitions.first {
            reasons.append(
                "largest partition \(partition.name) \(Formatting.bytes(partition.bytes)) < \(memory.text)")
            evidence.append(
                Evidence(
                    metric: .largestPartitionBytes, value: Double(partition.bytes), threshold: memory.bytes,
                    unit: .bytes, note: "threshold: \(memory.name)"))
        }
        let largest = (context.sizes.partitions + context.sizes.unpartitionedTables).max { $0.bytes < $1.bytes }
        if let largest {
            reasons.append(
                "largest table or partition \(largest.name) \(Formatting.bytes(largest.bytes)) < \(storage.text)")
            if let disk = hardware.storageBytes, Double(largest.bytes) >= disk * Self.storageShare.value {
                reasons.append(
                    "it is past half of today's disk (hardware.storage_gb \(Formatting.bytes(disk))): "
                        + "a bigger disk, up to the ceiling, is the step, not shards")
            }
        } else {
            reasons.append("no table sizes (\(context.note(for: .largestTableBytes) ?? "not collected"))")
        }
        evidence.append(
            Evidence(
                metric: .largestRelationBytes, value: largest.map { Double($0.bytes) }, threshold: storage.bytes,
                unit: .bytes, note: "threshold: \(storage.name)"))
        return pass(reasons.joined(separator: "; "), evidence)
    }

    private func shard(_ relation: SizedRelation, ceiling: Ceiling, context: RuleContext) -> Recommendation {
        recommendation(
            severity: .critical, target: relation.name,
            summary:
                "\(relation.name) \(Formatting.bytes(relation.bytes)) ≥ \(ceiling.text): no single machine holds it.",
            evidence: [
                Evidence(
                    metric: .relationBytes, value: Double(relation.bytes), threshold: ceiling.bytes, unit: .bytes,
                    note: "threshold: \(ceiling.name)")
            ] + ShardKeyRanking.evidence(context.snapshot),
            actions: [
                "Shard with Citus (an existing engine, not application-side sharding): distribute \(relation.name) and the tables joined with it on one key."
            ] + ShardKeyRanking.citusActions(context.snapshot))
    }
}
