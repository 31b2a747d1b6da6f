import DBAdviseAnalysis
import DBAdviseModel

/// Every rule, in ladder order: vertical, read replicas, partitioning, sharding, CQRS, cache,
/// then tuning. Hand-written so the order is reviewed; tests check each rule has docs and
/// examples, ids are unique, and the order follows the ladder.
public enum RuleRegistry {
    public static let rules: [any Rule] = [
        // 1. Vertical
        CPUSaturationRule(),
        MemoryPressureRule(),
        WriteLoadRule(),
        ConnectionSaturationRule(),
        TempSpillRule(),
        CheckpointPressureRule(),
        // 2. Read replicas
        ReadDominatedRule(),
        AnalyticsOnPrimaryRule(),
        // 3. Partitioning
        LargeTimeSeriesTableRule(),
        LargeTableRule(),
        PartitionSkewRule(),
        DefaultPartitionRowsRule(),
        PartitionMissingIndexRule(),
        PartitionRetentionRule(),
        TinyPartitionsRule(),
        // 4. Sharding
        TableBeyondMachineRule(),
        WriteThroughputRule(),
        DatabaseSizeRule(),
        VerticalCeilingRule(),
        // 5. CQRS
        AnalyticsOnHotTablesRule(),
        // 6. Cache
        HotRepeatedReadsRule(),
        // Tuning
        LockContentionRule(),
        DeadTuplesRule(),
        TransactionIDAgeRule(),
        UnusedLargeIndexRule(),
        ReplicationLagRule(),
        InactiveReplicationSlotRule(),
    ]

    public static var descriptions: [RuleDescription] { rules.map(\.ruleDescription) }

    /// The rule with this id, or nil (the CLI maps nil to exit status 2).
    public static func rule(id: String) -> (any Rule)? {
        rules.first { $0.ruleDescription.id == id }
    }

    /// The analyzer over every registered rule, with the report's query mix.
    public static var analyzer: Analyzer { Analyzer(rules: rules, queryMix: QueryMixBuilder.build) }
}
