import DBAdviseModel
import Foundation

/// The size band and the evidence floors a partition plan is held to; the partitioning rules
/// show them as their parameters.
public enum PartitionPlanning {
    public static let minimumCorrelation = RuleParameter(
        name: "minimum_abs_correlation", value: 0.9, unit: .ratio,
        why: "pg_stats.correlation near ±1 means rows lie on disk in the column's order: appended over time.")
    public static let minimumPartitionBytes = RuleParameter(
        name: "partition_band_min_bytes", value: 1_073_741_824, unit: .bytes,
        why: "Below about 1 GB a partition saves nothing and only adds planning work per partition.")
    public static let maximumPartitionBytes = RuleParameter(
        name: "partition_band_max_bytes", value: 50 * 1_073_741_824, unit: .bytes,
        why: "Up to about 50 GB a partition's vacuum, index build and detach stay short.")
    public static let minimumPartitions = RuleParameter(
        name: "partition_min_count", value: 4, unit: .partitions,
        why: "A serial-key plan whose rows fill fewer than four partitions leaves most of the table in one of "
            + "them: pruning skips little. The width is sized so the rows fill at least four; no plan otherwise.")
    public static let memoryShare = RuleParameter(
        name: "partition_memory_share", value: 0.25, unit: .ratio,
        why:
            "A partition at most a quarter of memory (hardware.memory_gb) keeps the recent partitions and their indexes cached."
    )
    public static let retentionDeleteShare = RuleParameter(
        name: "retention_delete_share", value: 0.1, unit: .ratio,
        why: "Deleting a tenth or more of the rows inserted means old rows are purged: dropping partitions replaces it."
    )
}

/// A partitioning plan for one table with the measurements it was sized from.
public struct PartitionProposal {
    public var plan: PartitionPlan
    public var evidence: [Evidence]
    /// "Monthly partitions of ~12 GB land in the 1–16 GB band: …".
    public var reason: String
    /// Why no plan is offered: the rows would not fill enough partitions of a useful size.
    public var noPlanReason: String?
}

extension RuleContext {
    /// The upper end of the partition size band: 50 GB, or a quarter of memory when smaller.
    public var partitionBandUpperBytes: Double {
        let cap = PartitionPlanning.maximumPartitionBytes.value
        guard let memory = hardware.memoryBytes else { return cap }
        return max(
            PartitionPlanning.minimumPartitionBytes.value,
            min(cap, memory * PartitionPlanning.memoryShare.value))
    }

    /// Days the table's cumulative counters cover (since the statistics reset or server start).
    public var statisticsDays: Double? {
        guard let since = snapshot.server.statsReset ?? snapshot.server.startTime else { return nil }
        let days = snapshot.interval.finishedAt.timeIntervalSince(since) / GrowthTrend.secondsPerDay
        return days > 0 ? days : nil
    }

    /// Sizes the interval from growth, finds the keys and indexes, and decides on retention.
    public func partitionProposal(for name: String, column: ColumnStats) -> PartitionProposal {
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
        // Rates over an unsettled window (a bulk load, minutes since a reset) say how fast a load
        // ran, not how fast the table grows: a daily partition of terabytes would follow.
        if !window.settled {
            rateSource = "the \(window.description) is unsettled"
        } else if let writes = stats?.writesPerSecond, writes > 0 {
            rowsPerDay = writes * insertShare * GrowthTrend.secondsPerDay
            rateSource = "write rate over the interval"
        } else if inserts > 0, let days = statisticsDays {
            rowsPerDay = inserts / days
            rateSource = "n_tup_ins since the statistics reset"
        }
        let insertBytesPerDay = zip2(rowsPerDay, bytesPerRow).map { $0 * $1 }
        // A size trend counts over a series long enough to forecast from, as forecasts do.
        let trendBytesPerDay = sizeTrends?.tables[name]
            .flatMap { Forecasts.seriesTooShort($0, policy: config.measurement) == nil ? $0.slopeBytesPerDay : nil }
            .flatMap { $0 > 0 ? $0 : nil }
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
            source = rateSource.isEmpty ? "growth unknown" : "growth unknown: \(rateSource)"
        }
        let upper = partitionBandUpperBytes
        let minimumCount = PartitionPlanning.minimumPartitions.value
        // A partition is worth its planning cost from 1 GB, or from a quarter of the user's
        // table_size_gb line when that is smaller (their line says what is large here).
        let lowerBand = min(
            PartitionPlanning.minimumPartitionBytes.value, levels(.tableSizeGB).measuredWarning / minimumCount)
        // No larger than the band's top, and small enough that the table's rows fill several.
        let target = max(lowerBand, min(upper, bytes / minimumCount))
        let interval: PartitionInterval
        let expected: Double?
        if column.isTemporal {
            let step = PartitionSizing.timeStep(bytesPerDay: bytesPerDay, upperBytes: target)
            interval = .time(step)
            expected = bytesPerDay.map { $0 * PartitionInterval.time(step).approximateDays }
        } else {
            let width = PartitionSizing.integerWidth(bytesPerRow: bytesPerRow ?? 0, upperBytes: target)
            interval = .integer(width)
            expected = bytesPerRow.map { $0 * Double(width) }
        }
        // Retention: old rows deleted at a steady share of inserts means the table keeps about
        // live rows ÷ inserted rows per day days of data.
        var retention: String?
        var retentionDays: Double?
        let deletes = Double(stats?.nTupDel ?? 0)
        if inserts > 0, deletes / inserts >= PartitionPlanning.retentionDeleteShare.value,
            let perDay = rowsPerDay, perDay > 0, rows > 0
        {
            let days = (rows / perDay).rounded(.up)
            retentionDays = days
            retention = "\(Int(saturating: max(1, days))) days"
        }
        let indexes = (snapshot.indexes ?? []).filter { $0.qualifiedTable == name && $0.isValid }
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
                "\(interval.label.prefix(1).uppercased() + interval.label.dropFirst()) partitions of about \(Formatting.bytes(expected)) (\(source)) land \(landing) \(band): \(why)."
        } else {
            reason = "Growth unknown, so \(interval.label) partitions; the target band is \(band): \(why)."
        }
        let partitions = expected.flatMap { $0 > 0 ? bytes / $0 : nil }
        var noPlanReason: String?
        // Too small a partition is planning cost for nothing; a serial range whose rows fill
        // fewer than a few partitions leaves the table as it is. (A time range keeps adding
        // partitions as days pass, and old ones are dropped: its count today is no measure.)
        if let expected, let partitions, expected < lowerBand || (!interval.isTime && partitions < minimumCount) {
            noPlanReason =
                "\(interval.label) partitions of about \(Formatting.bytes(expected)) (\(source)) would hold its "
                + "\(Formatting.bytes(bytes)) in about \(Formatting.rate(partitions)) partitions; a plan needs "
                + (interval.isTime ? "" : "at least \(Int(minimumCount)) partitions (partition_min_count) ")
                + "of at least \(Formatting.bytes(lowerBand)) (partition_band_min_bytes, or a quarter of table_size_gb's warning)"
        }
        var evidence = [
            Evidence(
                metric: .expectedPartitions, value: partitions, threshold: interval.isTime ? nil : minimumCount,
                unit: .partitions,
                note: interval.isTime
                    ? "table bytes ÷ expected partition bytes; a time range adds partitions as days pass"
                    : "table bytes ÷ expected partition bytes; a serial-key plan needs at least the threshold"),
            Evidence(
                metric: .growthBytesPerDay, value: bytesPerDay, threshold: nil, unit: .bytes,
                note: source),
            Evidence(
                metric: .expectedPartitionBytes, value: expected, threshold: upper, unit: .bytes,
                note: "target band \(band)"),
        ]
        if let retentionDays {
            evidence.append(
                Evidence(
                    metric: .impliedRetentionDays, value: retentionDays, threshold: nil, unit: .days,
                    note:
                        "live rows ÷ inserted rows per day; n_tup_del/n_tup_ins ≥ \(Formatting.rate(PartitionPlanning.retentionDeleteShare.value))"
                ))
        }
        return PartitionProposal(plan: plan, evidence: evidence, reason: reason, noPlanReason: noPlanReason)
    }
}

extension PartitionInterval {
    public var isTime: Bool {
        if case .time = self { return true }
        return false
    }

    /// Days one partition spans, for time steps.
    public var approximateDays: Double {
        if case let .time(step) = self { return step.days }
        return 0
    }
}

public func zip2<A, B>(_ a: A?, _ b: B?) -> (A, B)? {
    guard let a, let b else { return nil }
    return (a, b)
}
