import DBAdviseModel
import Foundation

/// The name of a measured number in a report: evidence's `metric`, a note's `metric`, a
/// forecast's `metric`. Every name a rule or helper may use is declared here, so a typo is a
/// compile error rather than a new key in the JSON; names that carry a table, index, column
/// or resource are built by the functions below, never spelled in a rule. The raw values are
/// the contract's JSON and never change.
///
/// Decoding accepts any string: names built from a table or a column are open-ended, and a
/// report written by a newer dbadvise may carry a metric this one does not declare.
public struct MetricKey: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The name as the report's JSON spells it.
    public let rawValue: String

    private init(_ rawValue: String) { self.rawValue = rawValue }

    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// The metric a threshold key judges is named like the key (`cache_hit_ratio`).
    public init(threshold: ThresholdKey) { self.init(threshold.rawValue) }

    // The report's `metrics`, named in `notes` when they are null.
    public static let databaseBytes = MetricKey("database_bytes")
    public static let largestTableBytes = MetricKey("largest_table_bytes")
    public static let writesPerSecond = MetricKey("writes_per_second")
    public static let readsPerSecond = MetricKey("reads_per_second")
    public static let readStatementTimeShare = MetricKey("read_statement_time_share")
    public static let cacheHitRatio = MetricKey("cache_hit_ratio")
    public static let replicationLagSeconds = MetricKey("replication_lag_seconds")
    public static let connectionsUsedRatio = MetricKey("connections_used_ratio")
    public static let activeSessionsPerVCPU = MetricKey("active_sessions_per_vcpu")
    public static let queryMix = MetricKey("query_mix")

    // Names with what they are of: `shard_key_distinct(tenant_id)`, `relfrozenxid_age(public.t)`.
    public static func shardKeyDistinct(column: String) -> MetricKey { MetricKey("shard_key_distinct(\(column))") }
    public static func shardKeyMostCommonFreq(column: String) -> MetricKey {
        MetricKey("shard_key_most_common_freq(\(column))")
    }
    public static func shardKeyForeignKeys(column: String) -> MetricKey {
        MetricKey("shard_key_foreign_keys(\(column))")
    }
    public static func shardKeyNullFrac(column: String) -> MetricKey { MetricKey("shard_key_null_frac(\(column))") }
    public static func shardKeyRejected(column: String) -> MetricKey { MetricKey("shard_key_rejected(\(column))") }
    public static func correlation(column: String) -> MetricKey { MetricKey("correlation(\(column))") }
    public static func relfrozenxidAge(table: String) -> MetricKey { MetricKey("relfrozenxid_age(\(table))") }
    public static func partitionCount(table: String) -> MetricKey { MetricKey("partition_count(\(table))") }
    public static func largestToMedianPartition(table: String) -> MetricKey {
        MetricKey("largest_to_median_partition(\(table))")
    }
    public static func partitionsMissingIndex(index: String) -> MetricKey {
        MetricKey("partitions_missing_index(\(index))")
    }
    /// A capacity resource's demand against its capacity: `cpu_utilization`, `io_utilization`.
    public static func utilization(resource: String) -> MetricKey { MetricKey("\(resource)_utilization") }

    // How reason sentences name a metric they compare with a threshold
    // (``RuleContext/comparison(_:_:metric:)``): words, not report keys, so no note is found
    // under them.
    public static let writesSpoken = MetricKey("writes/s")
    public static let cacheHitRatioSpoken = MetricKey("cache hit ratio")
    public static let connectionsUsedSpoken = MetricKey("connections used")
    public static let activeSessionsPerVCPUSpoken = MetricKey("active sessions per vCPU")
    public static let sizeSpoken = MetricKey("size")
    public static let replayLagSpoken = MetricKey("replay lag")
    public static let p95ReplayLagSpoken = MetricKey("p95 replay lag")

    // Evidence of the rules and the planners.
    public static let analyticBlockShare = MetricKey("analytic_block_share")
    public static let analyticBusySessions = MetricKey("analytic_busy_sessions")
    public static let analyticReadTimeShare = MetricKey("analytic_read_time_share")
    public static let analyticStatementTimeShare = MetricKey("analytic_statement_time_share")
    public static let analyticTimeShare = MetricKey("analytic_time_share")
    public static let analyticTimeShareOnHotTables = MetricKey("analytic_time_share_on_hot_tables")
    public static let autovacuumCount = MetricKey("autovacuum_count")
    public static let busySessionsRemoved = MetricKey("busy_sessions_removed")
    public static let callsPerSecond = MetricKey("calls_per_second")
    public static let ceilingCPUSessions = MetricKey("ceiling_cpu_sessions")
    public static let ceilingWritesPerSecond = MetricKey("ceiling_writes_per_second")
    public static let checkpointsReq = MetricKey("checkpoints_req")
    public static let coldPartitions = MetricKey("cold_partitions")
    public static let columnStatsHidden = MetricKey("column_stats_hidden")
    public static let cpuSessions = MetricKey("cpu_sessions")
    public static let datfrozenxidAge = MetricKey("datfrozenxid_age")
    public static let deadTupleRatio = MetricKey("dead_tuple_ratio")
    public static let defaultPartitionBytes = MetricKey("default_partition_bytes")
    public static let defaultPartitionRows = MetricKey("default_partition_rows")
    public static let droppablePartitionBytes = MetricKey("droppable_partition_bytes")
    public static let droppablePartitions = MetricKey("droppable_partitions")
    public static let expectedPartitionBytes = MetricKey("expected_partition_bytes")
    public static let expectedPartitions = MetricKey("expected_partitions")
    public static let freshnessNeedSeconds = MetricKey("freshness_need_seconds")
    public static let growthBytesPerDay = MetricKey("growth_bytes_per_day")
    public static let idleInTransaction = MetricKey("idle_in_transaction")
    public static let idxScan = MetricKey("idx_scan")
    public static let impliedRetentionDays = MetricKey("implied_retention_days")
    public static let inactiveSlotRetainedBytes = MetricKey("inactive_slot_retained_bytes")
    public static let indexBytes = MetricKey("index_bytes")
    public static let ioWaitSessions = MetricKey("io_wait_sessions")
    public static let largestPartitionBytes = MetricKey("largest_partition_bytes")
    public static let largestRelationBytes = MetricKey("largest_relation_bytes")
    public static let lockWaitSessions = MetricKey("lock_wait_sessions")
    public static let lockWaitShare = MetricKey("lock_wait_share")
    public static let medianPartitionBytes = MetricKey("median_partition_bytes")
    public static let nDeadTup = MetricKey("n_dead_tup")
    public static let nTupDel = MetricKey("n_tup_del")
    public static let oldPartitionDeletes = MetricKey("old_partition_deletes")
    public static let oldestTransactionSeconds = MetricKey("oldest_transaction_seconds")
    public static let partitionBytes = MetricKey("partition_bytes")
    public static let partitionCount = MetricKey("partition_count")
    public static let partitionsMissingIndex = MetricKey("partitions_missing_index")
    public static let pointReadTimeShare = MetricKey("point_read_time_share")
    public static let recoveryConflicts = MetricKey("recovery_conflicts")
    public static let relationBytes = MetricKey("relation_bytes")
    public static let replayLagBytes = MetricKey("replay_lag_bytes")
    public static let replayPaused = MetricKey("replay_paused")
    public static let replicaReachable = MetricKey("replica_reachable")
    public static let replicationLagP95Seconds = MetricKey("replication_lag_p95_seconds")
    public static let replicationLagPeakSeconds = MetricKey("replication_lag_peak_seconds")
    public static let requestedCheckpointShare = MetricKey("requested_checkpoint_share")
    public static let retainedBytes = MetricKey("retained_bytes")
    public static let retainedStorageShare = MetricKey("retained_storage_share")
    public static let retentionDays = MetricKey("retention_days")
    public static let rowsPerCall = MetricKey("rows_per_call")
    public static let seenByPrimary = MetricKey("seen_by_primary")
    public static let shardKeyColumnStatsHidden = MetricKey("shard_key_column_stats_hidden")
    public static let shardKeyRejectedMore = MetricKey("shard_key_rejected_more")
    public static let standbyLongestQuerySeconds = MetricKey("standby_longest_query_seconds")
    public static let startingTTLSeconds = MetricKey("starting_ttl_seconds")
    public static let statementSecondsPerSecond = MetricKey("statement_seconds_per_second")
    public static let statementTimeShare = MetricKey("statement_time_share")
    public static let statisticsAgeDays = MetricKey("statistics_age_days")
    public static let statisticsDays = MetricKey("statistics_days")
    public static let tableBytes = MetricKey("table_bytes")
    public static let tableWriteShare = MetricKey("table_write_share")
    public static let tableWritesPerRead = MetricKey("table_writes_per_read")
    public static let tableWritesPerSecond = MetricKey("table_writes_per_second")
    public static let tempBytesPerSecond = MetricKey("temp_bytes_per_second")
    public static let transactionsBeforeStop = MetricKey("transactions_before_stop")
    public static let unparsedStatements = MetricKey("unparsed_statements")
    public static let vcpuHeadroom = MetricKey("vcpu_headroom")
    public static let vcpus = MetricKey("vcpus")
    public static let walBytesPerSecond = MetricKey("wal_bytes_per_second")
    public static let walReceiverLastMessageAgeSeconds = MetricKey("wal_receiver_last_message_age_seconds")
    public static let walReceiverStreaming = MetricKey("wal_receiver_streaming")
    public static let workMem = MetricKey("work_mem")
    public static let workingSetBytes = MetricKey("working_set_bytes")
    public static let writesPerCPUSession = MetricKey("writes_per_cpu_session")
}
