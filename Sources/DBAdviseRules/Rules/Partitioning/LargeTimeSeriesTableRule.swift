import DBAdviseCore
import Foundation

/// A large table that grows along time: the textbook range-partitioning case.
public struct LargeTimeSeriesTableRule: Rule {
    public static let minimumCorrelation = RuleParameter(
        name: "minimum_abs_correlation", value: 0.9, unit: "ratio",
        why: "pg_stats.correlation near ±1 means rows lie on disk in the column's order: appended over time.")
    public static let minimumPartitionBytes = RuleParameter(
        name: "partition_band_min_bytes", value: 1_073_741_824, unit: "bytes",
        why: "Below about 1 GB a partition saves nothing and only adds planning work per partition.")
    public static let maximumPartitionBytes = RuleParameter(
        name: "partition_band_max_bytes", value: 50 * 1_073_741_824, unit: "bytes",
        why: "Up to about 50 GB a partition's vacuum, index build and detach stay short.")
    public static let memoryShare = RuleParameter(
        name: "partition_memory_share", value: 0.25, unit: "ratio",
        why:
            "A partition at most a quarter of memory (hardware.memory_gb) keeps the recent partitions and their indexes cached."
    )
    public static let retentionDeleteShare = RuleParameter(
        name: "retention_delete_share", value: 0.1, unit: "ratio",
        why: "Deleting a tenth or more of the rows inserted means old rows are purged: dropping partitions replaces it."
    )

    public static let description = RuleDescription(
        id: "partition-large-time-series", strategy: .partitioning,
        title: "Range-partition a large time-ordered table",
        rationale: """
            The manual's rule of thumb: partitioning pays off when a table would otherwise \
            exceed the server's physical memory. A table that grows along a timestamp or serial \
            column partitions by range on it: recent partitions stay in memory, old ones are \
            detached or dropped instead of DELETEd and vacuumed. The interval is sized from the \
            measured growth so each partition lands in the size band. Partition before you shard.
            """,
        sources: [Manual.partitioning, Manual.pgStats, Manual.pgPartman],
        thresholds: [.tableSizeGB],
        parameters: [
            minimumCorrelation, minimumPartitionBytes, maximumPartitionBytes, memoryShare, retentionDeleteShare,
        ],
        inputs: [
            "tables.total_bytes", "column_stats.correlation", "column_stats.data_type",
            "tables.n_tup_ins", "tables.n_tup_del", "tables.n_dead_tup", "tables.autovacuum_count",
            "tables.writes_per_second", "indexes.columns", "hardware.memory_gb", "growth trends",
        ])

    public init() {}

    public func evaluate(_ context: RuleContext) -> RuleVerdict {
        let levels = context.levels(.tableSizeGB)
        let found = context.largeUnpartitionedTables.compactMap { entry -> Recommendation? in
            let columns = context.timeOrderedColumns(
                of: entry.table.name, minimumCorrelation: Self.minimumCorrelation.value)
            // A timestamp or date key reads better in queries and retention than a serial one.
            let temporal = columns.first {
                $0.dataType.lowercased().contains("timestamp") || $0.dataType.lowercased() == "date"
            }
            guard let column = temporal ?? columns.first else { return nil }
            let correlation = column.correlation ?? 0
            let proposal = context.partitionProposal(for: entry.table.name, column: column)
            var evidence = [
                Evidence(
                    metric: "table_bytes", value: Double(entry.table.bytes), levels: levels, severity: entry.severity),
                Self.minimumCorrelation.evidence(metric: "correlation(\(column.column))", value: abs(correlation)),
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
        return pass(
            "\(large.count) large table(s) have no time-ordered column (|correlation| ≥ \(Formatting.rate(Self.minimumCorrelation.value)))",
            [sizeEvidence(context)])
    }

    private func sizeEvidence(_ context: RuleContext) -> Evidence {
        context.judge("largest_table_bytes", context.metrics.largestTableBytes.map(Double.init), .tableSizeGB).evidence
    }
}

/// A partitioning plan for one table with the measurements it was sized from.
struct PartitionProposal {
    var plan: PartitionPlan
    var evidence: [Evidence]
    /// "Monthly partitions of ~12 GB land in the 1–16 GB band: …".
    var reason: String
}

extension RuleContext {
    /// The upper end of the partition size band: 50 GB, or a quarter of memory when smaller.
    var partitionBandUpperBytes: Double {
        let cap = LargeTimeSeriesTableRule.maximumPartitionBytes.value
        guard let memory = hardware.memoryBytes else { return cap }
        return max(
            LargeTimeSeriesTableRule.minimumPartitionBytes.value,
            min(cap, memory * LargeTimeSeriesTableRule.memoryShare.value))
    }

    /// Days the table's cumulative counters cover (since the statistics reset or server start).
    var statisticsDays: Double? {
        guard let since = snapshot.server.statsReset ?? snapshot.server.startTime else { return nil }
        let days = snapshot.interval.finishedAt.timeIntervalSince(since) / GrowthTrend.secondsPerDay
        return days > 0 ? days : nil
    }

    /// Sizes the interval from growth, finds the keys and indexes, and decides on retention.
    func partitionProposal(for name: String, column: ColumnStats) -> PartitionProposal {
        let stats = table(name)
        let bytes = Double(stats?.totalBytes ?? 0)
        let rows = stats?.nLiveTup.map(Double.init) ?? stats?.reltuples ?? 0
        let bytesPerRow = rows > 0 ? bytes / rows : nil
        // Inserted rows per day: the interval's write rate (its insert share), else the
        // cumulative inserts over the days the statistics cover.
        let inserts = Double(stats?.nTupIns ?? 0)
        let allWrites = inserts + Double(stats?.nTupUpd ?? 0) + Double(stats?.nTupDel ?? 0)
        let insertShare = allWrites > 0 ? inserts / allWrites : 1
        var rowsPerDay: Double?
        var rateSource = ""
        if let writes = stats?.writesPerSecond, writes > 0 {
            rowsPerDay = writes * insertShare * GrowthTrend.secondsPerDay
            rateSource = "write rate over the interval"
        } else if inserts > 0, let days = statisticsDays {
            rowsPerDay = inserts / days
            rateSource = "n_tup_ins since the statistics reset"
        }
        let insertBytesPerDay = zip2(rowsPerDay, bytesPerRow).map { $0 * $1 }
        let trendBytesPerDay = sizeTrends?.tables[name].map(\.slopeBytesPerDay).flatMap { $0 > 0 ? $0 : nil }
        // Deletes hide ingest from the net size trend: take the larger of the two.
        let bytesPerDay: Double?
        let source: String
        switch (trendBytesPerDay, insertBytesPerDay) {
        case let (trend?, insert?):
            bytesPerDay = max(trend, insert)
            source = trend >= insert ? "growth trend of \(sizeTrends?.snapshots ?? 0) snapshots" : rateSource
        case let (trend?, nil):
            bytesPerDay = trend
            source = "growth trend of \(sizeTrends?.snapshots ?? 0) snapshots"
        case let (nil, insert?):
            bytesPerDay = insert
            source = "\(rateSource) × \(Formatting.bytes(bytesPerRow ?? 0)) per row"
        case (nil, nil):
            bytesPerDay = nil
            source = "growth unknown"
        }
        let upper = partitionBandUpperBytes
        let lowerBand = LargeTimeSeriesTableRule.minimumPartitionBytes.value
        let interval: PartitionInterval
        let expected: Double?
        if StatementHeuristics.isTimeLike(dataType: column.dataType, name: column.column),
            column.dataType.lowercased().contains("timestamp") || column.dataType.lowercased() == "date"
        {
            let step = PartitionSizing.timeStep(bytesPerDay: bytesPerDay, upperBytes: upper)
            interval = .time(step)
            expected = bytesPerDay.map { $0 * PartitionInterval.time(step).approximateDays }
        } else {
            let width = PartitionSizing.integerWidth(bytesPerRow: bytesPerRow ?? 0, upperBytes: upper)
            interval = .integer(width)
            expected = bytesPerRow.map { $0 * Double(width) }
        }
        // Retention: old rows deleted at a steady share of inserts means the table keeps about
        // live rows ÷ inserted rows per day days of data.
        var retention: String?
        var retentionDays: Double?
        let deletes = Double(stats?.nTupDel ?? 0)
        if inserts > 0, deletes / inserts >= LargeTimeSeriesTableRule.retentionDeleteShare.value,
            let perDay = rowsPerDay, perDay > 0, rows > 0
        {
            let days = (rows / perDay).rounded(.up)
            retentionDays = days
            retention = "\(Int(saturating: max(1, days))) days"
        }
        let indexes = (snapshot.indexes ?? []).filter { "\($0.schema).\($0.table)" == name && $0.isValid }
        let primaryKey = indexes.first(where: \.isPrimary)?.columns
        let plan = PartitionPlan(
            schema: stats?.schema ?? "public", table: stats?.name ?? name, column: column.column,
            dataType: column.dataType, interval: interval, primaryKey: primaryKey,
            uniqueIndexes: indexes.filter { $0.isUnique && !$0.isPrimary }.compactMap(\.columns),
            indexes: indexes.filter { !$0.isUnique }.compactMap(\.columns),
            now: snapshot.interval.finishedAt,
            retention: interval.isTime ? retention : nil,
            partmanMajorVersion: snapshot.server.extensions?.first { $0.name == "pg_partman" }
                .flatMap { $0.version.split(separator: ".").first.flatMap { Int($0) } })
        let band = "\(Formatting.bytes(lowerBand))–\(Formatting.bytes(upper))"
        let why =
            "each partition at most \(Formatting.bytes(upper)) (\(hardware.memoryBytes == nil ? "the 50 GB cap" : "a quarter of hardware.memory_gb, capped at 50 GB")) so the recent partitions and their indexes stay in memory, and at least \(Formatting.bytes(lowerBand)) so there are not needlessly many"
        let reason: String
        if let expected {
            let landing =
                expected < lowerBand
                ? (interval == .time(.year)
                    ? "below the band (growth is slow; yearly is the coarsest step offered)"
                    : "below the band (the next coarser step would pass its upper end)")
                : expected > upper
                    ? "above the band even at the finest step (sub-partition by hash, or see shard-beyond-one-machine)"
                    : "in the band"
            reason =
                "\(interval.label.capitalized) partitions of about \(Formatting.bytes(expected)) (\(source)) land \(landing) \(band): \(why)."
        } else {
            reason = "Growth unknown, so \(interval.label) partitions; the target band is \(band): \(why)."
        }
        var evidence = [
            Evidence(
                metric: "growth_bytes_per_day", value: bytesPerDay, threshold: nil, unit: "bytes",
                note: source),
            Evidence(
                metric: "expected_partition_bytes", value: expected, threshold: upper, unit: "bytes",
                note: "target band \(band)"),
        ]
        if let retentionDays {
            evidence.append(
                Evidence(
                    metric: "implied_retention_days", value: retentionDays, threshold: nil, unit: "days",
                    note:
                        "live rows ÷ inserted rows per day; n_tup_del/n_tup_ins ≥ \(Formatting.rate(LargeTimeSeriesTableRule.retentionDeleteShare.value))"
                ))
        }
        return PartitionProposal(plan: plan, evidence: evidence, reason: reason)
    }
}

extension PartitionInterval {
    var isTime: Bool {
        if case .time = self { return true }
        return false
    }

    /// Days one partition spans, for time steps.
    var approximateDays: Double {
        if case let .time(step) = self { return step.days }
        return 0
    }
}

func zip2<A, B>(_ a: A?, _ b: B?) -> (A, B)? {
    guard let a, let b else { return nil }
    return (a, b)
}
