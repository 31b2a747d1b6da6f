import DBAdviseModel
import Foundation

/// Every trend of a snapshot series of one database: sizes (``SizeTrends``), row counts and
/// the write and read rates, for the database and per table, each a least-squares fit over
/// the whole series with its quality (R², points).
///
/// Statistics resets and restarts between snapshots are detected (`stats_reset` moved, or a
/// cumulative counter went down) and never read as negative growth:
/// - Rates come from each snapshot's own measurement: the delta over its interval. A snapshot
///   taken with `--interval 0` holds an average since the last reset instead, which says
///   little about the rate at that time; it is replaced by the average over the gap since
///   the previous snapshot (the difference of the cumulative counters), unless a reset lies
///   in the gap, in which case its own since-reset average is what is known.
/// - Row counts are `n_live_tup`, which a reset zeroes until the next VACUUM or ANALYZE; in
///   a snapshot whose statistics were reset during the series and whose table has not been
///   vacuumed or analyzed since, the planner's `reltuples` is used instead (or the point is
///   left out when that is unknown too).
/// - Sizes are not statistics and need no correction.
public struct SeriesTrends: Sendable, Equatable {
    public let sizes: SizeTrends
    public let databaseRows: GrowthTrend?
    public let writesPerSecond: GrowthTrend?
    public let readsPerSecond: GrowthTrend?
    /// Per unpartitioned table and leaf partition, by `schema.name`.
    public let tableRows: [String: GrowthTrend]
    public let tableWritesPerSecond: [String: GrowthTrend]
    /// Resets and restarts seen between consecutive snapshots.
    public let resets: [StatisticsReset]
    /// The measured points, for plots: database bytes and writes/s.
    public let databaseBytesPoints: [SizeSample]
    public let writesPerSecondPoints: [SizeSample]

    /// Nil when ``SizeTrends`` is nil: fewer than two snapshots, or no time between them.
    public init?(snapshots: [Snapshot]) {
        let ordered = snapshots.sorted { $0.interval.finishedAt < $1.interval.finishedAt }
        guard let sizes = SizeTrends(snapshots: ordered), let first = ordered.first else { return nil }
        self.sizes = sizes
        var resets: [StatisticsReset] = []
        for (previous, current) in zip(ordered, ordered.dropFirst()) {
            if let reset = StatisticsReset(between: previous, and: current) { resets.append(reset) }
        }
        self.resets = resets

        databaseBytesPoints = ordered.compactMap { snapshot in
            snapshot.database?.sizeBytes.map { SizeSample(at: snapshot.interval.finishedAt, bytes: Double($0)) }
        }
        let writes = Self.ratePoints(ordered, resets: resets) { index in
            (ordered[index].rates.writesPerSecond, ordered[index].database.flatMap(Self.databaseWrites))
        }
        writesPerSecondPoints = writes
        writesPerSecond = GrowthTrend(samples: writes)
        readsPerSecond = GrowthTrend(
            samples: Self.ratePoints(ordered, resets: resets) { index in
                (ordered[index].rates.readsPerSecond, ordered[index].database.flatMap(Self.databaseReads))
            })

        let followed = Set(sizes.tables.keys).union(sizes.partitions.keys)
        var rows: [String: [SizeSample]] = [:]
        var databaseRowPoints: [SizeSample] = []
        for snapshot in ordered {
            let resetDuringSeries = snapshot.server.statsReset.map { $0 > first.interval.startedAt } ?? false
            var total = 0.0
            var complete = true
            for table in snapshot.tables ?? [] where table.relkind != "p" {
                guard let count = Self.rowCount(table, statsReset: resetDuringSeries ? snapshot.server.statsReset : nil)
                else {
                    complete = false
                    continue
                }
                total += count
                if followed.contains(table.qualifiedName) {
                    rows[table.qualifiedName, default: []].append(
                        SizeSample(at: snapshot.interval.finishedAt, bytes: count))
                }
            }
            if complete, !(snapshot.tables ?? []).isEmpty {
                databaseRowPoints.append(SizeSample(at: snapshot.interval.finishedAt, bytes: total))
            }
        }
        databaseRows = GrowthTrend(samples: databaseRowPoints)
        tableRows = rows.compactMapValues { GrowthTrend(samples: $0) }

        // Each snapshot's tables by name once: a catalog holds tens of thousands of them.
        let tablesByName = ordered.map { snapshot in
            Dictionary(
                (snapshot.tables ?? []).map { ($0.qualifiedName, $0) }, uniquingKeysWith: { first, _ in first })
        }
        var tableWrites: [String: GrowthTrend] = [:]
        for name in followed {
            let points = Self.ratePoints(ordered, resets: resets) { index in
                let table = tablesByName[index][name]
                return (table?.writesPerSecond, table.flatMap(Self.tableWrites))
            }
            if let trend = GrowthTrend(samples: points) { tableWrites[name] = trend }
        }
        tableWritesPerSecond = tableWrites
    }

    public var snapshots: Int { sizes.snapshots }
    public var spanDays: Double { sizes.spanDays }

    // MARK: Rates

    /// One rate point per snapshot (see the type's documentation). `measure` gives the own
    /// rate and the cumulative counter of the snapshot at an index of `ordered`.
    private static func ratePoints(
        _ ordered: [Snapshot], resets: [StatisticsReset], measure: (Int) -> (rate: Double?, counter: Int?)
    ) -> [SizeSample] {
        var points: [SizeSample] = []
        for (index, snapshot) in ordered.enumerated() {
            let (rate, counter) = measure(index)
            let interval = snapshot.interval
            if interval.mode == .sinceReset, index > 0 {
                let previous = ordered[index - 1]
                let resetInGap = resets.contains { $0.after == previous.interval.finishedAt }
                let seconds = interval.finishedAt.timeIntervalSince(previous.interval.finishedAt)
                if !resetInGap, seconds > 0, let counter, let before = measure(index - 1).counter,
                    counter >= before
                {
                    let midpoint = previous.interval.finishedAt.addingTimeInterval(seconds / 2)
                    points.append(SizeSample(at: midpoint, bytes: Double(counter - before) / seconds))
                    continue
                }
            }
            guard let rate else { continue }
            points.append(SizeSample(at: interval.finishedAt, bytes: rate))
        }
        return points
    }

    static func databaseWrites(_ database: DatabaseStats) -> Int? {
        guard let inserted = database.tupInserted, let updated = database.tupUpdated,
            let deleted = database.tupDeleted
        else { return nil }
        return inserted + updated + deleted
    }

    static func databaseReads(_ database: DatabaseStats) -> Int? {
        guard let returned = database.tupReturned, let fetched = database.tupFetched else { return nil }
        return returned + fetched
    }

    static func tableWrites(_ table: TableStats) -> Int? {
        guard let inserted = table.nTupIns, let updated = table.nTupUpd, let deleted = table.nTupDel else {
            return nil
        }
        return inserted + updated + deleted
    }

    /// `n_live_tup`, unless the statistics were reset (`statsReset`, during the series) and
    /// the table was not vacuumed or analyzed since: then `reltuples` when known.
    static func rowCount(_ table: TableStats, statsReset: Date?) -> Double? {
        if let statsReset {
            let refreshed = [table.lastVacuum, table.lastAutovacuum, table.lastAnalyze, table.lastAutoanalyze]
                .compactMap { $0 }.contains { $0 >= statsReset }
            if !refreshed {
                return table.reltuples.flatMap { $0 >= 0 ? $0 : nil }
            }
        }
        return table.nLiveTup.map(Double.init) ?? table.reltuples.flatMap { $0 >= 0 ? $0 : nil }
    }
}

/// A statistics reset or server restart between two snapshots of a series.
public struct StatisticsReset: Sendable, Equatable, Codable {
    /// `finished_at` of the snapshot before, and of the snapshot after.
    public var after: Date
    public var before: Date
    /// `stats_reset`, `restart` or `counters_decreased`.
    public var cause: String

    public init(after: Date, before: Date, cause: String) {
        self.after = after
        self.before = before
        self.cause = cause
    }

    /// Nil when the two snapshots share their statistics.
    init?(between previous: Snapshot, and current: Snapshot) {
        let cause: String
        if let reset = current.server.statsReset, reset != previous.server.statsReset,
            reset > previous.interval.startedAt
        {
            cause = "stats_reset"
        } else if let start = current.server.startTime, let before = previous.server.startTime, start != before {
            cause = "restart"
        } else if let now = current.database?.xactCommit, let then = previous.database?.xactCommit, now < then {
            cause = "counters_decreased"
        } else {
            return nil
        }
        self.init(after: previous.interval.finishedAt, before: current.interval.finishedAt, cause: cause)
    }
}
