import DBAdviseAnalysis
import DBAdviseModel
import DBAdviseOutput
import Testing

/// One case for one rule: the base fixture plus an edit, and whether the rule must trigger.
struct RuleExample: Sendable, CustomTestStringConvertible {
    typealias Edit = @Sendable (inout Snapshot, inout Config) -> Void

    let rule: String
    let triggers: Bool
    let name: String
    let edit: Edit
    /// Earlier snapshots, the same as the edited one, one an hour before it: a series that
    /// shows sustained load (0: a single snapshot).
    var seriesHours = 0
    let location: SourceLocation

    var testDescription: String { "\(rule) \(triggers ? "triggers" : "stays quiet"): \(name)" }
}

private func trigger(
    _ rule: String, _ name: String, seriesHours: Int = 0, sourceLocation: SourceLocation = #_sourceLocation,
    _ edit: @escaping RuleExample.Edit
) -> RuleExample {
    RuleExample(rule: rule, triggers: true, name: name, edit: edit, seriesHours: seriesHours, location: sourceLocation)
}

private func quiet(
    _ rule: String, _ name: String, seriesHours: Int = 0, sourceLocation: SourceLocation = #_sourceLocation,
    _ edit: @escaping RuleExample.Edit = { _, _ in }
) -> RuleExample {
    RuleExample(rule: rule, triggers: false, name: name, edit: edit, seriesHours: seriesHours, location: sourceLocation)
}

private let gigabyte = BaseFixture.gigabyte

private func busy(_ snapshot: inout Snapshot, sessions: Double) {
    snapshot.activity?.avgActiveSessions = sessions
}

/// 16 active sessions, 12 of them on CPU, on the fixture's 16 vCPUs: past the 0.7 per vCPU
/// target, a primary that moving load away would relieve.
func busyPrimary(_ snapshot: inout Snapshot) {
    snapshot.activity?.avgActiveSessions = 16
}

/// 100 GB of accounts read in the window on the fixture's 64 GB machine, sessions waiting on IO.
private func coldWorkingSet(_ snapshot: inout Snapshot) {
    snapshot.tables?[0].totalBytes = 100 * gigabyte
    snapshot.tables?[0].readsPerSecond = 5_000
    snapshot.database?.sizeBytes = 120 * gigabyte
    snapshot.activity?.waitEventTypes = ["CPU": 1, "IO": 3]
    snapshot.activity?.avgActiveSessions = 4
    snapshot.server.startTime = snapshot.interval.finishedAt.addingTimeInterval(-30 * 86_400)
}

/// A 150 GB events table ordered by created_at, collected by a role that may not SELECT it:
/// pg_stats showed its columns without statistics, and the collector said why.
func hideColumnStats(of table: String, _ snapshot: inout Snapshot) {
    snapshot.tables?.append(BaseFixture.table(table, bytes: 150 * gigabyte))
    snapshot.columnStats = [
        ColumnStats(schema: "public", table: table, column: "created_at", dataType: "timestamp with time zone")
    ]
    snapshot.unavailable.append(
        Unavailable(
            section: "column_stats.public.\(table)",
            reason:
                "column statistics hidden: pg_stats shows only tables the role may SELECT; grant SELECT on public.\(table), or the role pg_read_all_data (PostgreSQL 14+)"
        ))
}

private func analyticStatement(_ query: String, ms: Double) -> Statement {
    Statement(
        queryid: "900", query: query, calls: 50, totalExecTimeMs: ms, meanExecTimeMs: ms / 50, rows: 50,
        sharedBlksHit: 100_000, sharedBlksRead: 50_000)
}

/// A standby as the primary's pg_stat_replication shows it, with sampled replay lag.
private func standby(p95: Double, peak: Double? = nil, replayBytes: Int = 0, flushBytes: Int = 0) -> StandbyConnection {
    var standby = StandbyConnection()
    standby.applicationName = "replica1"
    standby.clientAddr = "10.0.0.2"
    standby.replayLagSeconds = p95
    standby.replayLagBytes = replayBytes
    standby.flushLagBytes = flushBytes
    standby.writeLagBytes = flushBytes
    var samples = LagSamples(samples: 10)
    samples.p95Seconds = p95
    samples.peakSeconds = peak ?? p95
    samples.peakBytes = replayBytes
    standby.lagSamples = samples
    return standby
}

/// A WAL receiver as pg_stat_wal_receiver shows it: streaming, last message `age` s ago.
func walReceiver(status: String? = "streaming", age: Double? = 2, application: String? = "replica1") -> WalReceiver {
    var receiver = WalReceiver(running: status != nil)
    receiver.status = status
    receiver.lastMsgAgeSeconds = status == nil ? nil : age
    receiver.applicationName = status == nil ? nil : application
    receiver.senderHost = status == nil ? nil : "10.0.0.1"
    receiver.senderPort = status == nil ? nil : 5432
    receiver.walReceiverTimeoutSeconds = 60
    return receiver
}

/// A `--replica` read over its own connection.
private func replica(
    delay: Double, paused: Bool = false, longestQuery: Double = 0.1, conflicts: Int = 0,
    receiver: WalReceiver? = walReceiver()
) -> ReplicaSnapshot {
    var replica = ReplicaSnapshot(
        connection: ConnectionInfo(host: "10.0.0.2", port: "5432", database: "shop", user: "monitor"),
        reachable: true, error: nil)
    replica.inRecovery = true
    var status = StandbyStatus()
    status.replayDelaySeconds = delay
    status.replayPaused = paused
    status.replayLagBytes = 0
    replica.status = status
    var lag = LagSamples(samples: 10)
    lag.p95Seconds = delay
    lag.peakSeconds = delay
    replica.lag = lag
    replica.hotStandbyFeedback = false
    replica.maxStandbyStreamingDelaySeconds = 30
    var recovery = RecoveryConflicts()
    recovery.conflTablespace = 0
    recovery.conflLock = 0
    recovery.conflSnapshot = conflicts
    recovery.conflBufferpin = 0
    recovery.conflDeadlock = 0
    replica.conflicts = recovery
    replica.longestQuerySeconds = longestQuery
    replica.walReceiver = receiver
    return replica
}

private func slot(_ name: String, active: Bool, retained: Int) -> ReplicationSlot {
    var slot = ReplicationSlot(slotName: name, slotType: "physical", active: active)
    slot.retainedBytes = retained
    slot.walStatus = "extended"
    return slot
}

private func readHeavy(_ snapshot: inout Snapshot) {
    snapshot.rates.readsPerSecond = 100_000
    snapshot.rates.writesPerSecond = 500
    busy(&snapshot, sessions: 14)
}

/// Counters of one monthly partition of `public.metrics` (see ``monthlyPartitions``).
private struct MonthCounters {
    var inserted = 1_000
    var deleted = 0
    var scans = 0
    var live = 1_000
}

/// `public.metrics` range-partitioned by month on `created_at`, January 2026 on (the base
/// fixture was captured late in November 2026), each partition with its table counters.
private func monthlyPartitions(
    _ snapshot: inout Snapshot, _ months: [MonthCounters], defaultPartition: Bool = false
) {
    var partitions: [Partition] = []
    for (offset, month) in months.enumerated() {
        let name = String(format: "metrics_2026_%02d", offset + 1)
        let upper = offset + 2 > 12 ? "2027-01-01" : String(format: "2026-%02d-01", offset + 2)
        partitions.append(
            Partition(
                schema: "public", name: name,
                bound:
                    "FOR VALUES FROM ('\(String(format: "2026-%02d-01", offset + 1)) 00:00:00+00') TO ('\(upper) 00:00:00+00')",
                isDefault: false, isPartitioned: false, totalBytes: 8_000_000, rows: month.live))
        var table = TableStats(schema: "public", name: name, relkind: "r", isPartition: true)
        table.partitionOf = "public.metrics"
        table.totalBytes = 8_000_000
        table.nLiveTup = month.live
        table.nTupIns = month.inserted
        table.nTupUpd = 0
        table.nTupDel = month.deleted
        table.seqScan = month.scans
        table.idxScan = 0
        table.writesPerSecond = 0
        snapshot.tables?.append(table)
    }
    if defaultPartition {
        partitions.append(
            Partition(
                schema: "public", name: "metrics_default", bound: "DEFAULT", isDefault: true, isPartitioned: false,
                totalBytes: 8_192, rows: 0))
    }
    snapshot.partitionedTables = [
        PartitionTree(
            schema: "public", name: "metrics", strategy: .range, key: "RANGE (created_at)",
            keyColumns: ["created_at"], partitionOf: nil, partitions: partitions,
            defaultPartition: defaultPartition ? "public.metrics_default" : nil, partitionedIndexes: [])
    ]
    snapshot.columnStats = [
        BaseFixture.column("metrics", "created_at", type: "timestamp with time zone", correlation: 1)
    ]
}

/// The base partition tree with one parent index that two partitions lack.
private func treeMissingIndex(unique: Bool = false) -> PartitionTree {
    var tree = BaseFixture.partitionTree("events", sizes: [gigabyte, gigabyte, gigabyte])
    tree.partitionedIndexes = [
        PartitionedIndex(
            name: unique ? "events_pkey" : "events_tenant_idx",
            definition: unique
                ? "CREATE UNIQUE INDEX events_pkey ON ONLY public.events USING btree (id, created_at)"
                : "CREATE INDEX events_tenant_idx ON ONLY public.events USING btree (tenant_id)",
            isValid: false, isUnique: unique, isPrimary: unique, constraintName: unique ? "events_pkey" : nil,
            missingPartitions: ["public.events_p1", "public.events_p2"])
    ]
    return tree
}

/// Every rule's examples. The registry test fails when a registered rule has none of a kind.
let ruleExamples: [RuleExample] = [
    // MARK: vertical
    trigger("vertical-cpu-saturation", "14 active sessions on 16 vCPUs") { snapshot, _ in busy(&snapshot, sessions: 14)
    },
    quiet("vertical-cpu-saturation", "2 active sessions on 16 vCPUs"),
    quiet("vertical-cpu-saturation", "14 active sessions over a 2 s sample: unsettled") { snapshot, _ in
        busy(&snapshot, sessions: 14)
        snapshot.interval.rateSeconds = 2
    },
    quiet("vertical-cpu-saturation", "16 active sessions, 14 of them waiting on row locks: contention") {
        snapshot, _ in
        busy(&snapshot, sessions: 16)
        snapshot.activity?.waitEventTypes = ["CPU": 2, "Lock": 14]
        snapshot.statements.totalExecTimeMs = nil
    },
    quiet("vertical-cpu-saturation", "vCPUs unknown") { snapshot, config in
        busy(&snapshot, sessions: 14)
        config.hardware.vcpus = nil
    },

    trigger("vertical-memory-pressure", "cache hit ratio 0.90, 100 GB read on 64 GB, sessions wait on IO") {
        snapshot, _ in
        snapshot.rates.cacheHitRatio = 0.90
        coldWorkingSet(&snapshot)
    },
    quiet("vertical-memory-pressure", "cache hit ratio 0.999"),
    quiet("vertical-memory-pressure", "cache hit ratio 0.90 right after a restart: a cold cache") { snapshot, _ in
        snapshot.rates.cacheHitRatio = 0.90
        coldWorkingSet(&snapshot)
        snapshot.server.startTime = snapshot.interval.finishedAt.addingTimeInterval(-600)
    },
    quiet("vertical-memory-pressure", "cache hit ratio 0.90 but the working set fits in memory") { snapshot, _ in
        snapshot.rates.cacheHitRatio = 0.90
        coldWorkingSet(&snapshot)
        snapshot.tables?[0].totalBytes = 10 * gigabyte
    },
    quiet("vertical-memory-pressure", "cache hit ratio 0.90 but no session waits on IO") { snapshot, _ in
        snapshot.rates.cacheHitRatio = 0.90
        coldWorkingSet(&snapshot)
        snapshot.activity?.waitEventTypes = ["CPU": 5]
    },
    quiet("vertical-memory-pressure", "low ratio over a few catalog reads of an idle database") { snapshot, _ in
        snapshot.rates.cacheHitRatio = 0.90
        coldWorkingSet(&snapshot)
        snapshot.rates.blksHitPerSecond = 45
        snapshot.rates.blksReadPerSecond = 5
    },

    trigger("vertical-write-load", "6,000 writes/s on a CPU-saturated primary") { snapshot, _ in
        snapshot.rates.writesPerSecond = 6_000
        busy(&snapshot, sessions: 16)
    },
    quiet("vertical-write-load", "800 writes/s"),
    quiet("vertical-write-load", "6,000 writes/s with CPU headroom") { snapshot, _ in
        snapshot.rates.writesPerSecond = 6_000
    },
    quiet("vertical-write-load", "6,000 writes/s over 3 s: unsettled") { snapshot, _ in
        snapshot.rates.writesPerSecond = 6_000
        busy(&snapshot, sessions: 16)
        snapshot.interval.rateSeconds = 3
    },

    trigger("vertical-connection-saturation", "95 of 100 connections") { snapshot, _ in
        snapshot.activity?.connections = 95
    },
    quiet("vertical-connection-saturation", "20 of 100 connections"),

    trigger("vertical-temp-spills", "50 MB/s of temp files") { snapshot, _ in
        snapshot.rates.tempBytesPerSecond = 50 * 1_048_576
    },
    quiet("vertical-temp-spills", "no temp files"),
    quiet("vertical-temp-spills", "temp rate unknown") { snapshot, _ in snapshot.rates.tempBytesPerSecond = nil },

    trigger("vertical-checkpoint-pressure", "5 requested vs 1 timed") { snapshot, _ in
        snapshot.checkpoints?.checkpointsReq = 5
        snapshot.checkpoints?.checkpointsTimed = 1
    },
    quiet("vertical-checkpoint-pressure", "only timed checkpoints"),
    quiet("vertical-checkpoint-pressure", "a single requested checkpoint") { snapshot, _ in
        snapshot.checkpoints?.checkpointsReq = 1
        snapshot.checkpoints?.checkpointsTimed = 0
    },

    // MARK: read replicas
    trigger("replicas-read-dominated", "read-heavy and busy") { snapshot, _ in
        snapshot.rates.readsPerSecond = 100_000
        snapshot.rates.writesPerSecond = 500
        busy(&snapshot, sessions: 14)
    },
    quiet("replicas-read-dominated", "write-heavy and busy: never replicas for writes") { snapshot, _ in
        snapshot.rates.writesPerSecond = 6_000
        snapshot.rates.readsPerSecond = 3_000
        busy(&snapshot, sessions: 14)
    },
    trigger("replicas-read-dominated", "read-heavy with a standby at 0.3 s p95") { snapshot, _ in
        readHeavy(&snapshot)
        snapshot.replication?.standbys = [standby(p95: 0.3)]
    },
    quiet("replicas-read-dominated", "write-heavy with a standby: replicas never answer writes") { snapshot, _ in
        snapshot.rates.writesPerSecond = 6_000
        snapshot.rates.readsPerSecond = 3_000
        busy(&snapshot, sessions: 14)
        snapshot.replication?.standbys = [standby(p95: 0.3)]
    },
    quiet("replicas-read-dominated", "read-heavy but not busy") { snapshot, _ in
        snapshot.rates.readsPerSecond = 100_000
        snapshot.rates.writesPerSecond = 500
    },

    trigger("replicas-analytics-on-primary", "a daily report takes 40% of statement time") { snapshot, _ in
        snapshot.statements.topByTotalTime?.append(
            analyticStatement(
                "SELECT date_trunc('day', mtime), sum(delta) FROM pgbench_history GROUP BY 1", ms: 8_000))
    },
    trigger("replicas-analytics-on-primary", "a 160 ms list query returning 1,000 rows per call") { snapshot, _ in
        snapshot.statements.topByTotalTime?.append(
            Statement(
                queryid: "901", query: "SELECT * FROM pgbench_history WHERE bid = $1 ORDER BY mtime DESC", calls: 50,
                totalExecTimeMs: 8_000, meanExecTimeMs: 160, rows: 50_000, sharedBlksHit: 100_000, sharedBlksRead: 5_000
            ))
    },
    trigger("replicas-analytics-on-primary", "a CTE report over the history table") { snapshot, _ in
        snapshot.statements.topByTotalTime?.append(
            analyticStatement(
                "WITH daily AS (SELECT date_trunc('day', mtime) AS day, delta FROM pgbench_history) SELECT day, sum(delta) FROM daily GROUP BY day",
                ms: 8_000))
    },
    quiet("replicas-analytics-on-primary", "a truncated report text is counted, not guessed") { snapshot, _ in
        snapshot.statements.topByTotalTime?.append(
            analyticStatement("SELECT date_trunc('day', mtime), sum(delta) FROM pgbench_history GROUP", ms: 8_000))
    },
    quiet("replicas-analytics-on-primary", "only OLTP statements"),
    quiet("replicas-analytics-on-primary", "pg_stat_statements missing") { snapshot, _ in
        snapshot.statements = StatementStats(available: false, reason: "extension not installed")
    },

    // MARK: partitioning
    trigger("partition-large-time-series", "150 GB events table ordered by created_at") { snapshot, _ in
        snapshot.tables?.append(BaseFixture.table("events", bytes: 150 * gigabyte))
        snapshot.columnStats = [
            BaseFixture.column("events", "created_at", type: "timestamp with time zone", correlation: 0.99)
        ]
    },
    trigger("partition-large-time-series", "serial id only: range by id with a width sized from row size") {
        snapshot, _ in
        snapshot.tables?.append(BaseFixture.table("events", bytes: 150 * gigabyte, live: 1_000_000_000))
        snapshot.columnStats = [BaseFixture.column("events", "id", type: "bigint", correlation: 1)]
    },
    quiet(
        "partition-large-time-series",
        "150 GB by created_at growing 140 kB a day: yearly partitions of 50 MB help nothing"
    ) {
        snapshot, _ in
        snapshot.tables?.append(
            BaseFixture.table("events", bytes: 150 * gigabyte, live: 1_000_000_000, writes: 0.01))
        snapshot.columnStats = [
            BaseFixture.column("events", "created_at", type: "timestamp with time zone", correlation: 0.99)
        ]
    },
    trigger("partition-large-time-series", "3 GB of 1 M rows by id under a 1 GB line: a width the rows fill four times")
    {
        snapshot, config in
        config.thresholds[.tableSizeGB] = ThresholdLevels(key: .tableSizeGB, warning: 1, critical: 1_000)
        config.hardware.memoryGB = 64
        snapshot.tables?.append(BaseFixture.table("events", bytes: 3 * gigabyte, live: 1_000_000))
        snapshot.columnStats = [BaseFixture.column("events", "id", type: "bigint", correlation: 1)]
    },
    quiet("partition-large-time-series", "150 GB table without a time order") { snapshot, _ in
        snapshot.tables?.append(BaseFixture.table("events", bytes: 150 * gigabyte))
        snapshot.columnStats = [BaseFixture.column("events", "user_id", type: "bigint", correlation: 0.99)]
    },
    quiet("partition-large-time-series", "150 GB table whose column statistics the role could not see") {
        snapshot, _ in
        hideColumnStats(of: "events", &snapshot)
    },
    quiet("partition-large-time-series", "10 GB time-ordered table under 64 GB memory") { snapshot, _ in
        snapshot.tables?.append(BaseFixture.table("events", bytes: 10 * gigabyte))
        snapshot.columnStats = [
            BaseFixture.column("events", "created_at", type: "timestamp with time zone", correlation: 0.99)
        ]
    },

    trigger("partition-large-table", "150 GB table without a time order") { snapshot, _ in
        snapshot.tables?.append(BaseFixture.table("accounts", bytes: 150 * gigabyte))
    },
    quiet("partition-large-table", "150 GB time-ordered table belongs to the time-series rule") { snapshot, _ in
        snapshot.tables?.append(BaseFixture.table("events", bytes: 150 * gigabyte))
        snapshot.columnStats = [BaseFixture.column("events", "id", type: "bigint", correlation: -0.98)]
    },
    quiet("partition-large-table", "small tables"),
    trigger("partition-large-table", "150 GB table whose column statistics the role could not see: key unknown") {
        snapshot, _ in
        hideColumnStats(of: "events", &snapshot)
    },

    trigger("partition-skew", "one partition 20× the others") { snapshot, _ in
        snapshot.partitionedTables = [
            BaseFixture.partitionTree("events", sizes: [gigabyte, gigabyte, gigabyte, 20 * gigabyte])
        ]
    },
    trigger("partition-skew", "a partition past partition_size_gb") { snapshot, _ in
        snapshot.partitionedTables = [BaseFixture.partitionTree("events", sizes: [600 * gigabyte, 600 * gigabyte])]
    },
    quiet("partition-skew", "even partitions") { snapshot, _ in
        snapshot.partitionedTables = [BaseFixture.partitionTree("events", sizes: [gigabyte, gigabyte, 2 * gigabyte])]
    },
    quiet("partition-skew", "no partitioned tables"),

    trigger("partition-default-catching-rows", "500 rows in the default partition") { snapshot, _ in
        snapshot.partitionedTables = [BaseFixture.partitionTree("events", sizes: [gigabyte], defaultRows: 500)]
    },
    quiet("partition-default-catching-rows", "empty default partition") { snapshot, _ in
        snapshot.partitionedTables = [BaseFixture.partitionTree("events", sizes: [gigabyte], defaultRows: 0)]
    },

    quiet("partition-skew", "three filled partitions and four empty ones made ahead") { snapshot, _ in
        var tree = BaseFixture.partitionTree(
            "events", sizes: [2 * gigabyte, 2 * gigabyte, 3 * gigabyte, 8_192, 8_192, 8_192, 8_192])
        for index in 3..<7 { tree.partitions[index].rows = 0 }
        snapshot.partitionedTables = [tree]
    },

    trigger("partition-missing-indexes", "an index made ON ONLY the parent, missing on two partitions") {
        snapshot, _ in
        snapshot.partitionedTables = [treeMissingIndex()]
    },
    trigger("partition-missing-indexes", "a primary key not enforced on two partitions") { snapshot, _ in
        snapshot.partitionedTables = [treeMissingIndex(unique: true)]
    },
    quiet("partition-missing-indexes", "every partition's index attached") { snapshot, _ in
        var tree = treeMissingIndex()
        tree.partitionedIndexes?[0].missingPartitions = []
        tree.partitionedIndexes?[0].isValid = true
        snapshot.partitionedTables = [tree]
    },
    quiet("partition-missing-indexes", "no partitioned tables"),

    trigger("partition-retention-drop", "old rows deleted from the oldest months only") { snapshot, _ in
        var months = Array(repeating: MonthCounters(), count: 11)
        months[0] = MonthCounters(inserted: 1_000, deleted: 1_000, live: 0)
        months[1] = MonthCounters(inserted: 1_000, deleted: 400, live: 600)
        monthlyPartitions(&snapshot, months)
    },
    trigger("partition-retention-drop", "three cold months nobody writes or reads, a default partition") {
        snapshot, _ in
        var months = Array(repeating: MonthCounters(), count: 11)
        for month in 0..<3 { months[month] = MonthCounters(inserted: 0, scans: 0) }
        monthlyPartitions(&snapshot, months, defaultPartition: true)
    },
    quiet("partition-retention-drop", "old months take no writes but are still read") { snapshot, _ in
        var months = Array(repeating: MonthCounters(), count: 11)
        for month in 0..<3 { months[month] = MonthCounters(inserted: 0, scans: 12) }
        monthlyPartitions(&snapshot, months)
    },
    quiet("partition-retention-drop", "deletes in every month are not retention") { snapshot, _ in
        monthlyPartitions(&snapshot, Array(repeating: MonthCounters(deleted: 50), count: 11))
    },
    quiet("partition-retention-drop", "a redacted snapshot has no bounds") { snapshot, _ in
        var months = Array(repeating: MonthCounters(), count: 11)
        months[0] = MonthCounters(inserted: 1_000, deleted: 1_000, live: 0)
        monthlyPartitions(&snapshot, months)
        snapshot = testRedaction(snapshot)
    },

    trigger("partition-too-many-tiny", "150 partitions of 1 MB") { snapshot, _ in
        snapshot.partitionedTables = [
            BaseFixture.partitionTree("events", sizes: Array(repeating: 1_048_576, count: 150))
        ]
    },
    quiet("partition-too-many-tiny", "150 partitions of 1 GB") { snapshot, _ in
        snapshot.partitionedTables = [
            BaseFixture.partitionTree("events", sizes: Array(repeating: gigabyte, count: 150))
        ]
    },
    quiet("partition-too-many-tiny", "10 tiny partitions") { snapshot, _ in
        snapshot.partitionedTables = [
            BaseFixture.partitionTree("events", sizes: Array(repeating: 1_048_576, count: 10))
        ]
    },

    // MARK: lock contention (tuning, listed here beside the CPU cases it is told apart from)
    trigger("tuning-lock-contention", "16 clients on 5 hot rows: 14 sessions wait on locks") { snapshot, _ in
        busy(&snapshot, sessions: 16)
        snapshot.activity?.waitEventTypes = ["CPU": 2, "Lock": 14]
    },
    quiet("tuning-lock-contention", "2 active sessions on CPU"),
    quiet("tuning-lock-contention", "a lock wait now and then") { snapshot, _ in
        snapshot.activity?.waitEventTypes = ["CPU": 1.5, "Lock": 0.2]
    },

    // MARK: sharding
    trigger("shard-beyond-one-machine", "a 300 GB partition, 256 GB largest machine") { snapshot, config in
        config.hardware.maxMemoryGB = 256
        config.hardware.storageGB = 2_000
        snapshot.partitionedTables = [BaseFixture.partitionTree("events", sizes: [300 * gigabyte, 100 * gigabyte])]
    },
    quiet("shard-beyond-one-machine", "100 GB partitions, 256 GB largest machine") { snapshot, config in
        config.hardware.maxMemoryGB = 256
        config.hardware.storageGB = 2_000
        snapshot.partitionedTables = [BaseFixture.partitionTree("events", sizes: [100 * gigabyte, 100 * gigabyte])]
    },
    quiet("shard-beyond-one-machine", "no ceiling configured: a 500 GB partition within the assumed 1 TB") {
        snapshot, _ in
        snapshot.partitionedTables = [BaseFixture.partitionTree("events", sizes: [500 * gigabyte])]
    },

    trigger("shard-beyond-one-machine", "a 40 TB table past half of the assumed 64 TB storage ceiling") {
        snapshot, _ in
        snapshot.tables?.append(BaseFixture.table("file_views", bytes: 40 * 1_024 * gigabyte))
    },
    quiet("shard-beyond-one-machine", "a 3 TB table past half of a 2 TB disk: a bigger disk, not shards") {
        snapshot, config in
        config.hardware.storageGB = 2_000
        snapshot.tables?.append(BaseFixture.table("file_views", bytes: 3_072 * gigabyte))
    },

    trigger(
        "shard-write-throughput", "a day at 50 active sessions on the 64-vCPU ceiling: beyond its projection",
        seriesHours: 25
    ) { snapshot, config in
        snapshot.rates.writesPerSecond = 25_000
        busy(&snapshot, sessions: 50)
        config.hardware.vcpus = 64
        config.hardware.maxVCPUs = 64
    },
    quiet(
        "shard-write-throughput", "25,000 writes/s for a day on 14 CPU sessions: a 128-vCPU machine carries it",
        seriesHours: 25
    ) { snapshot, _ in
        snapshot.rates.writesPerSecond = 25_000
        busy(&snapshot, sessions: 14)
    },
    quiet("shard-write-throughput", "beyond the ceiling's projection but one 10 s sample: not sustained") {
        snapshot, config in
        snapshot.rates.writesPerSecond = 25_000
        busy(&snapshot, sessions: 50)
        config.hardware.vcpus = 64
        config.hardware.maxVCPUs = 64
    },
    quiet("shard-write-throughput", "386,728 writes/s since a reset 40 s ago: unsettled") { snapshot, config in
        snapshot.rates.writesPerSecond = 386_728
        snapshot.interval.mode = .sinceReset
        snapshot.interval.rateSeconds = 40
        busy(&snapshot, sessions: 50)
        config.hardware.maxVCPUs = 16
    },

    trigger("shard-database-size", "11 TB database") { snapshot, _ in snapshot.database?.sizeBytes = 11_000 * gigabyte
    },
    quiet("shard-database-size", "1.5 TB database") { snapshot, _ in snapshot.database?.sizeBytes = 1_500 * gigabyte },
    trigger("shard-database-size", "Citus installed on a small database: premature scale") { snapshot, _ in
        snapshot.server.extensions = (snapshot.server.extensions ?? []) + [Extension(name: "citus", version: "12.1")]
        snapshot.database?.sizeBytes = 20 * gigabyte
    },
    quiet("shard-database-size", "Citus installed on a 1.5 TB database: not premature, not yet needed") {
        snapshot, _ in
        snapshot.server.extensions = (snapshot.server.extensions ?? []) + [Extension(name: "citus", version: "12.1")]
        snapshot.database?.sizeBytes = 1_500 * gigabyte
    },

    trigger("shard-vertical-ceiling", "saturated at 128 of 128 vCPUs") { snapshot, config in
        config.hardware.vcpus = 128
        config.hardware.maxVCPUs = 128
        busy(&snapshot, sessions: 140)
    },
    quiet("shard-vertical-ceiling", "saturated with 8× headroom") { snapshot, config in
        config.hardware.maxVCPUs = 128
        busy(&snapshot, sessions: 20)
    },

    // MARK: CQRS
    trigger("cqrs-analytics-on-write-hot-tables", "aggregates over the hot accounts table") { snapshot, _ in
        busyPrimary(&snapshot)
        snapshot.statements.topByTotalTime?.append(
            analyticStatement(
                "SELECT bid, sum(abalance) FROM pgbench_accounts GROUP BY bid", ms: 4_000))
    },
    quiet("cqrs-analytics-on-write-hot-tables", "aggregates over the hot table on a primary with headroom") {
        snapshot, _ in
        snapshot.statements.topByTotalTime?.append(
            analyticStatement(
                "SELECT bid, sum(abalance) FROM pgbench_accounts GROUP BY bid", ms: 4_000))
    },
    quiet("cqrs-analytics-on-write-hot-tables", "aggregates over a table nobody writes") { snapshot, _ in
        busyPrimary(&snapshot)
        snapshot.tables?.append(BaseFixture.table("reports", bytes: gigabyte, writes: 0, reads: 100))
        snapshot.statements.topByTotalTime?.append(
            analyticStatement(
                "SELECT count(*) FROM reports GROUP BY day", ms: 4_000))
    },
    trigger("cqrs-analytics-on-write-hot-tables", "a CTE aggregating the hot accounts table") { snapshot, _ in
        busyPrimary(&snapshot)
        snapshot.statements.topByTotalTime?.append(
            analyticStatement(
                "WITH rich AS (SELECT bid, abalance FROM pgbench_accounts WHERE abalance > $1) SELECT bid, count(*) FROM rich GROUP BY bid",
                ms: 4_000))
    },
    trigger("cqrs-analytics-on-write-hot-tables", "a JOIN report over accounts and branches") { snapshot, _ in
        busyPrimary(&snapshot)
        snapshot.statements.topByTotalTime?.append(
            analyticStatement(
                "SELECT b.bid, avg(a.abalance) FROM pgbench_accounts a JOIN pgbench_branches b ON a.bid = b.bid GROUP BY b.bid",
                ms: 4_000))
    },
    quiet("cqrs-analytics-on-write-hot-tables", "a lookup on the hot table is not analytic") { snapshot, _ in
        snapshot.statements.topByTotalTime?.append(
            Statement(
                queryid: "901", query: "SELECT abalance FROM pgbench_accounts WHERE aid = $1", calls: 50_000,
                totalExecTimeMs: 4_000, meanExecTimeMs: 0.08, rows: 50_000, sharedBlksHit: 150_000, sharedBlksRead: 0))
    },
    trigger("cqrs-analytics-on-write-hot-tables", "redacted: texts dropped, parsed shapes kept") { snapshot, _ in
        busyPrimary(&snapshot)
        var report = analyticStatement("SELECT bid, sum(abalance) FROM pgbench_accounts GROUP BY bid", ms: 4_000)
        report.shape = StatementShape(
            kind: .select, tablesRead: ["pgbench_accounts"], hasAggregates: true, hasGroupBy: true, isReadOnly: true)
        snapshot.statements.topByTotalTime?.append(report)
        snapshot = testRedaction(snapshot)
    },
    quiet("cqrs-analytics-on-write-hot-tables", "statements redacted without shapes") { snapshot, _ in
        snapshot.statements.topByTotalTime = snapshot.statements.topByTotalTime?.map { statement in
            var redacted = statement
            redacted.query = nil
            return redacted
        }
    },

    // MARK: cache
    trigger("cache-hot-repeated-reads", "1,000 lookups/s on a rarely written table") { snapshot, _ in
        busyPrimary(&snapshot)
        snapshot.tables?.append(BaseFixture.table("products", bytes: 100_000_000, writes: 0.1, reads: 1_000))
        snapshot.statements.topByCalls = [
            Statement(
                queryid: "700", query: "SELECT name, price FROM products WHERE id = $1", calls: 10_000,
                totalExecTimeMs: 6_000, meanExecTimeMs: 0.6, rows: 10_000, sharedBlksHit: 30_000, sharedBlksRead: 0)
        ]
    },
    quiet("cache-hot-repeated-reads", "2,000 lookups/s keeping 0.4 sessions busy on a primary with headroom") {
        snapshot, _ in
        snapshot.tables?.append(BaseFixture.table("products", bytes: 100_000_000, writes: 0.1, reads: 1_000))
        snapshot.statements.topByCalls = [
            Statement(
                queryid: "700", query: "SELECT name, price FROM products WHERE id = $1", calls: 10_000,
                totalExecTimeMs: 2_000, meanExecTimeMs: 0.2, rows: 10_000, sharedBlksHit: 30_000, sharedBlksRead: 0)
        ]
    },
    quiet("cache-hot-repeated-reads", "the table is written often") { snapshot, _ in
        busyPrimary(&snapshot)
        snapshot.tables?.append(BaseFixture.table("products", bytes: 100_000_000, writes: 100, reads: 1_000))
        snapshot.statements.topByCalls = [
            Statement(
                queryid: "700", query: "SELECT name, price FROM products WHERE id = $1", calls: 10_000,
                totalExecTimeMs: 6_000, meanExecTimeMs: 0.6, rows: 10_000, sharedBlksHit: 30_000, sharedBlksRead: 0)
        ]
    },
    quiet("cache-hot-repeated-reads", "50 rows per call") { snapshot, _ in
        snapshot.tables?.append(BaseFixture.table("products", bytes: 100_000_000, writes: 0.1, reads: 1_000))
        snapshot.statements.topByCalls = [
            Statement(
                queryid: "700", query: "SELECT name, price FROM products WHERE category = $1", calls: 10_000,
                totalExecTimeMs: 6_000, meanExecTimeMs: 0.6, rows: 500_000, sharedBlksHit: 30_000, sharedBlksRead: 0)
        ]
    },

    trigger("cache-hot-repeated-reads", "a JOIN of two rarely written tables") { snapshot, _ in
        busyPrimary(&snapshot)
        snapshot.tables? += [
            BaseFixture.table("products", bytes: 100_000_000, writes: 0.1, reads: 1_000),
            BaseFixture.table("categories", schema: "catalog", bytes: 1_000_000, writes: 0, reads: 1_000),
        ]
        snapshot.statements.topByCalls = [
            Statement(
                queryid: "701",
                query:
                    "SELECT p.name, c.title FROM products p JOIN catalog.categories c ON c.id = p.category_id WHERE p.id = $1",
                calls: 10_000, totalExecTimeMs: 6_000, meanExecTimeMs: 0.6, rows: 10_000, sharedBlksHit: 30_000,
                sharedBlksRead: 0)
        ]
    },
    quiet("cache-hot-repeated-reads", "a JOIN where one table is written often") { snapshot, _ in
        snapshot.tables? += [
            BaseFixture.table("products", bytes: 100_000_000, writes: 0.1, reads: 1_000),
            BaseFixture.table("stock", bytes: 1_000_000, writes: 500, reads: 1_000),
        ]
        snapshot.statements.topByCalls = [
            Statement(
                queryid: "702",
                query: "SELECT p.name, s.qty FROM products p JOIN stock s ON s.product_id = p.id WHERE p.id = $1",
                calls: 10_000, totalExecTimeMs: 6_000, meanExecTimeMs: 0.6, rows: 10_000, sharedBlksHit: 30_000,
                sharedBlksRead: 0)
        ]
    },
    trigger("cache-hot-repeated-reads", "a CTE lookup on a rarely written table") { snapshot, _ in
        busyPrimary(&snapshot)
        snapshot.tables?.append(BaseFixture.table("products", bytes: 100_000_000, writes: 0.1, reads: 1_000))
        snapshot.statements.topByCalls = [
            Statement(
                queryid: "703",
                query: "WITH p AS (SELECT id, name, price FROM products WHERE id = $1) SELECT name, price FROM p",
                calls: 10_000, totalExecTimeMs: 6_000, meanExecTimeMs: 0.6, rows: 10_000, sharedBlksHit: 30_000,
                sharedBlksRead: 0)
        ]
    },
    quiet("cache-hot-repeated-reads", "a truncated hot lookup is counted, not cached") { snapshot, _ in
        snapshot.tables?.append(BaseFixture.table("products", bytes: 100_000_000, writes: 0.1, reads: 1_000))
        snapshot.statements.topByCalls = [
            Statement(
                queryid: "704", query: "SELECT name, price FROM products WHERE id =", calls: 10_000,
                totalExecTimeMs: 6_000, meanExecTimeMs: 0.6, rows: 10_000, sharedBlksHit: 30_000, sharedBlksRead: 0)
        ]
    },
    trigger("cache-hot-repeated-reads", "redacted: texts dropped, parsed shapes kept") { snapshot, _ in
        busyPrimary(&snapshot)
        snapshot.tables?.append(BaseFixture.table("products", bytes: 100_000_000, writes: 0.1, reads: 1_000))
        snapshot.statements.topByCalls = [
            Statement(
                queryid: "706", query: "SELECT name, price FROM products WHERE id = $1", calls: 10_000,
                totalExecTimeMs: 6_000, meanExecTimeMs: 0.6, rows: 10_000, sharedBlksHit: 30_000, sharedBlksRead: 0,
                shape: StatementShape(
                    kind: .select, tablesRead: ["products"], isReadOnly: true,
                    parameters: [.init(number: 1, column: "id", comparison: "=")]))
        ]
        snapshot = testRedaction(snapshot)
    },
    quiet("cache-hot-repeated-reads", "redacted without shapes: nothing to classify") { snapshot, _ in
        snapshot.tables?.append(BaseFixture.table("products", bytes: 100_000_000, writes: 0.1, reads: 1_000))
        snapshot.statements.topByCalls = [
            Statement(
                queryid: "707", query: "SELECT name, price FROM products WHERE id = $1", calls: 10_000,
                totalExecTimeMs: 6_000, meanExecTimeMs: 0.6, rows: 10_000, sharedBlksHit: 30_000, sharedBlksRead: 0)
        ]
        snapshot = testRedaction(snapshot)
    },
    quiet("cache-hot-repeated-reads", "SELECT ... FOR UPDATE is a write") { snapshot, _ in
        snapshot.tables?.append(BaseFixture.table("products", bytes: 100_000_000, writes: 0.1, reads: 1_000))
        snapshot.statements.topByCalls = [
            Statement(
                queryid: "705", query: "SELECT name, price FROM products WHERE id = $1 FOR UPDATE", calls: 10_000,
                totalExecTimeMs: 6_000, meanExecTimeMs: 0.6, rows: 10_000, sharedBlksHit: 30_000, sharedBlksRead: 0)
        ]
    },

    // MARK: tuning
    trigger("tuning-dead-tuples", "a third of a table is dead rows") { snapshot, _ in
        snapshot.tables?.append(BaseFixture.table("orders", bytes: gigabyte, live: 100_000, dead: 50_000))
    },
    quiet("tuning-dead-tuples", "few dead rows"),
    quiet("tuning-dead-tuples", "a tiny table full of dead rows") { snapshot, _ in
        snapshot.tables?.append(BaseFixture.table("queue", bytes: 100_000, live: 10, dead: 500))
    },

    trigger("tuning-transaction-id-age", "300 million transactions old, past the default freeze age") { snapshot, _ in
        snapshot.database?.datfrozenxidAge = 300_000_000
    },
    trigger(
        "tuning-transaction-id-age", "1.8 billion: past half the way from the server's 1 billion freeze age to the stop"
    ) { snapshot, _ in
        snapshot.database?.datfrozenxidAge = 1_800_000_000
        snapshot.server.settings.removeAll { $0.name == "autovacuum_freeze_max_age" }
        snapshot.server.settings.append(
            Setting(name: "autovacuum_freeze_max_age", setting: "1000000000", unit: nil, bytes: nil, seconds: nil))
    },
    quiet("tuning-transaction-id-age", "5 million transactions old"),
    quiet("tuning-transaction-id-age", "300 million, under the server's autovacuum_freeze_max_age of 500 million") {
        snapshot, _ in
        snapshot.database?.datfrozenxidAge = 300_000_000
        snapshot.server.settings.removeAll { $0.name == "autovacuum_freeze_max_age" }
        snapshot.server.settings.append(
            Setting(name: "autovacuum_freeze_max_age", setting: "500000000", unit: nil, bytes: nil, seconds: nil))
    },

    trigger("tuning-unused-large-indexes", "a 2 GB index never scanned in 30 days") { snapshot, _ in
        var index = IndexStats(
            schema: "public", table: "pgbench_accounts", name: "accounts_filler_idx",
            isUnique: false, isPrimary: false, isValid: true)
        index.bytes = 2 * gigabyte
        index.idxScan = 0
        snapshot.indexes?.append(index)
        snapshot.server.statsReset = snapshot.interval.finishedAt.addingTimeInterval(-30 * 86_400)
        snapshot.server.startTime = snapshot.interval.finishedAt.addingTimeInterval(-40 * 86_400)
    },
    quiet("tuning-unused-large-indexes", "an unused unique index enforces a constraint") { snapshot, _ in
        var index = IndexStats(
            schema: "public", table: "pgbench_accounts", name: "accounts_email_key",
            isUnique: true, isPrimary: false, isValid: true)
        index.bytes = 2 * gigabyte
        index.idxScan = 0
        snapshot.indexes?.append(index)
    },
    quiet("tuning-unused-large-indexes", "statistics reset two days ago") { snapshot, _ in
        var index = IndexStats(
            schema: "public", table: "pgbench_accounts", name: "accounts_filler_idx",
            isUnique: false, isPrimary: false, isValid: true)
        index.bytes = 2 * gigabyte
        index.idxScan = 0
        snapshot.indexes?.append(index)
        snapshot.server.statsReset = snapshot.interval.finishedAt.addingTimeInterval(-2 * 86_400)
    },

    trigger("tuning-replication-lag", "a standby 12 s behind (one reading)") { snapshot, _ in
        var standby = StandbyConnection()
        standby.replayLagSeconds = 12
        snapshot.replication?.standbys = [standby]
    },
    trigger("tuning-replication-lag", "p95 12 s on the primary's samples") { snapshot, _ in
        snapshot.replication?.standbys = [standby(p95: 12, replayBytes: 64 * 1_048_576)]
    },
    trigger("tuning-replication-lag", "paused replay on a --replica") { snapshot, _ in
        snapshot.replication?.replicas = [replica(delay: 40, paused: true)]
    },
    trigger("tuning-replication-lag", "only the peak crosses: info") { snapshot, _ in
        snapshot.replication?.standbys = [standby(p95: 1, peak: 9)]
    },
    trigger("tuning-replication-lag", "an unreachable --replica is reported") { snapshot, _ in
        snapshot.replication?.replicas = [
            ReplicaSnapshot(
                connection: ConnectionInfo(host: "10.0.0.3", port: "5432", database: "shop", user: "monitor"),
                reachable: false, error: "connection refused")
        ]
    },
    // A standby that is not streaming has replayed all it received: its delay reads 0.
    trigger("tuning-replication-lag", "a --replica whose WAL receiver is stopped (delay reads 0)") { snapshot, _ in
        snapshot.replication?.replicas = [replica(delay: 0, receiver: walReceiver(status: nil))]
    },
    trigger("tuning-replication-lag", "a --replica whose receiver waits to reconnect") { snapshot, _ in
        snapshot.replication?.standbys = [standby(p95: 0)]
        snapshot.replication?.replicas = [replica(delay: 0, receiver: walReceiver(status: "waiting"))]
    },
    trigger("tuning-replication-lag", "a --replica silent for 90 s past wal_receiver_timeout 60 s") { snapshot, _ in
        snapshot.replication?.standbys = [standby(p95: 0)]
        snapshot.replication?.replicas = [replica(delay: 0, receiver: walReceiver(age: 90))]
    },
    trigger("tuning-replication-lag", "the analyzed standby's own receiver is stopped") { snapshot, _ in
        snapshot.replication?.role = "standby"
        var status = StandbyStatus()
        status.replayDelaySeconds = 0
        snapshot.replication?.standbyStatus = status
        snapshot.replication?.walReceiver = walReceiver(status: nil)
    },
    trigger("tuning-replication-lag", "a streaming --replica the primary does not list") { snapshot, _ in
        snapshot.replication?.standbys = [standby(p95: 0.3)]
        snapshot.replication?.replicas = [replica(delay: 0.3, receiver: walReceiver(application: "replica9"))]
    },
    quiet("tuning-replication-lag", "a streaming --replica the primary lists by application_name") { snapshot, _ in
        var listed = standby(p95: 0.3)
        listed.clientAddr = "10.0.0.9"
        snapshot.replication?.standbys = [listed]
        snapshot.replication?.replicas = [replica(delay: 0.3)]
    },
    quiet("tuning-replication-lag", "the primary's rows hide their names (no pg_read_all_stats)") { snapshot, _ in
        var hidden = StandbyConnection()
        hidden.replayLagSeconds = 0.3
        snapshot.replication?.standbys = [hidden]
        snapshot.replication?.replicas = [replica(delay: 0.3, receiver: walReceiver(application: "replica9"))]
    },
    quiet("tuning-replication-lag", "an idle stream: last message 40 s ago, within wal_receiver_timeout") {
        snapshot, _ in
        snapshot.replication?.standbys = [standby(p95: 0)]
        snapshot.replication?.replicas = [replica(delay: 0, receiver: walReceiver(age: 40))]
    },
    quiet("tuning-replication-lag", "a standby 1 s behind") { snapshot, _ in
        var standby = StandbyConnection()
        standby.replayLagSeconds = 1
        snapshot.replication?.standbys = [standby]
    },
    quiet("tuning-replication-lag", "p95 0.3 s from both sides") { snapshot, _ in
        snapshot.replication?.standbys = [standby(p95: 0.3)]
        snapshot.replication?.replicas = [replica(delay: 0.3)]
    },
    quiet("tuning-replication-lag", "no standby") { snapshot, _ in snapshot.replication = nil },

    trigger("tuning-inactive-replication-slots", "an inactive slot holding 2 GB") { snapshot, _ in
        snapshot.replication?.slots = [slot("old_replica", active: false, retained: 2 * gigabyte)]
    },
    trigger("tuning-inactive-replication-slots", "an inactive slot holding 300 GB of a 2 TB disk") { snapshot, config in
        config.hardware.storageGB = 2_000
        snapshot.replication?.slots = [slot("old_replica", active: false, retained: 300 * gigabyte)]
    },
    quiet("tuning-inactive-replication-slots", "an active slot holding 2 GB") { snapshot, _ in
        snapshot.replication?.slots = [slot("replica1", active: true, retained: 2 * gigabyte)]
    },
    quiet("tuning-inactive-replication-slots", "an inactive slot holding nothing") { snapshot, _ in
        snapshot.replication?.slots = [slot("spare", active: false, retained: 0)]
    },
    quiet("tuning-inactive-replication-slots", "no slots"),
]
