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
        guard let latest = snapshots.max(by: { $0.interval.finishedAt < $1.interval.finishedAt }) else { return nil }
        self.init(history: SeriesHistory(snapshots: snapshots), latest: latest)
    }

    /// The trends of a history whose latest point is `latest`'s; the tables and partitions
    /// followed are the latest snapshot's.
    public init?(history: SeriesHistory, latest: Snapshot) {
        let ordered = history.points
        guard let sizes = SizeTrends(history: history, latest: latest) else { return nil }
        self.sizes = sizes
        var resets: [StatisticsReset] = []
        for (previous, current) in zip(ordered, ordered.dropFirst()) {
            if let reset = StatisticsReset(between: previous, and: current) { resets.append(reset) }
        }
        self.resets = resets

        databaseBytesPoints = ordered.compactMap { point in
            point.sizeBytes.map { SizeSample(at: point.finishedAt, bytes: Double($0)) }
        }
        let writes = Self.ratePoints(ordered) { ($0.writesPerSecond, Self.databaseWrites($0)) }
        writesPerSecondPoints = writes
        writesPerSecond = GrowthTrend(samples: writes)
        readsPerSecond = GrowthTrend(samples: Self.ratePoints(ordered) { ($0.readsPerSecond, Self.databaseReads($0)) })
        databaseRows = GrowthTrend(
            samples: ordered.compactMap { point in point.rows.map { SizeSample(at: point.finishedAt, bytes: $0) } })

        let followed = Set(sizes.tables.keys).union(sizes.partitions.keys)
        func trends(_ kind: RelationTrendKey.Kind) -> [String: GrowthTrend] {
            var trends: [String: GrowthTrend] = [:]
            for name in followed {
                if let trend = history.relations[RelationTrendKey(kind, name)]?.trend { trends[name] = trend }
            }
            return trends
        }
        tableRows = trends(.rows)
        tableWritesPerSecond = trends(.writesPerSecond)
    }

    public var snapshots: Int { sizes.snapshots }
    public var spanDays: Double { sizes.spanDays }

    // MARK: Rates

    /// One rate point per snapshot (``SeriesAccumulator/ratePoint(_:previous:rate:counter:before:)``).
    /// `measure` gives a point's own rate and its cumulative counter.
    private static func ratePoints(
        _ ordered: [SnapshotPoint], measure: (SnapshotPoint) -> (rate: Double?, counter: Int?)
    ) -> [SizeSample] {
        var points: [SizeSample] = []
        var previous: (point: SnapshotPoint, counter: Int?)?
        for point in ordered {
            let (rate, counter) = measure(point)
            if let (at, value) = SeriesAccumulator.ratePoint(
                point, previous: previous?.point, rate: rate, counter: counter, before: previous?.counter ?? nil)
            {
                points.append(SizeSample(at: at, bytes: value))
            }
            previous = (point, counter)
        }
        return points
    }

    static func databaseWrites(_ point: SnapshotPoint) -> Int? {
        guard let inserted = point.tupInserted, let updated = point.tupUpdated, let deleted = point.tupDeleted
        else { return nil }
        return inserted + updated + deleted
    }

    static func databaseReads(_ point: SnapshotPoint) -> Int? {
        guard let returned = point.tupReturned, let fetched = point.tupFetched else { return nil }
        return returned + fetched
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

    /// Nil when the two snapshots share their statistics. Times are compared to the
    /// millisecond the snapshot files hold: a time read back from a history store may differ
    /// from the decoded one in its last bits.
    init?(between previous: SnapshotPoint, and current: SnapshotPoint) {
        func differ(_ one: Date, _ other: Date?) -> Bool {
            guard let other else { return true }
            return abs(one.timeIntervalSince(other)) >= 0.000_5
        }
        let cause: String
        if let reset = current.statsReset, differ(reset, previous.statsReset), reset > previous.startedAt {
            cause = "stats_reset"
        } else if let start = current.startTime, let before = previous.startTime, differ(start, before) {
            cause = "restart"
        } else if let now = current.xactCommit, let then = previous.xactCommit, now < then {
            cause = "counters_decreased"
        } else {
            return nil
        }
        self.init(after: previous.finishedAt, before: current.finishedAt, cause: cause)
    }
}
