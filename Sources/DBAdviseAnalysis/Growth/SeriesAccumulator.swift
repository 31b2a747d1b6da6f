import DBAdviseModel
import Foundation

/// What a report reads of a series besides its latest snapshot in full: every snapshot's
/// database-wide point (oldest first, the latest included) and one ``TrendAccumulator`` per
/// table and leaf partition for each trend of ``SeriesTrends``.
///
/// Its size is the number of snapshots plus the number of relations, never their product:
/// the file-only path folds each decoded snapshot into it and lets the snapshot go, and the
/// history stores keep it (the trend state) and continue it with each collection.
public struct SeriesHistory: Sendable, Equatable {
    /// Oldest first; the latest snapshot's point last.
    public var points: [SnapshotPoint]
    public var relations: [RelationTrendKey: TrendAccumulator]

    public init(points: [SnapshotPoint], relations: [RelationTrendKey: TrendAccumulator]) {
        self.points = points
        self.relations = relations
    }

    /// The history of decoded snapshots (in any order).
    public init(snapshots: [Snapshot]) {
        var accumulator = SeriesAccumulator()
        for snapshot in snapshots.sorted(by: { $0.interval.finishedAt < $1.interval.finishedAt }) {
            accumulator.add(SnapshotPoints(snapshot: snapshot))
        }
        self = accumulator.history
    }
}

/// One trend of one relation in a ``SeriesHistory``.
public struct RelationTrendKey: Sendable, Hashable {
    public enum Kind: String, Sendable, CaseIterable {
        /// Bytes of an unpartitioned table (`table_size_gb`).
        case tableBytes = "table_bytes"
        /// Bytes of a leaf partition (`partition_size_gb`).
        case partitionBytes = "partition_bytes"
        /// Live rows of a table or leaf partition.
        case rows
        /// Rows written per second.
        case writesPerSecond = "writes_per_second"
    }

    public var kind: Kind
    /// `schema.name`.
    public var relation: String

    public init(_ kind: Kind, _ relation: String) {
        self.kind = kind
        self.relation = relation
    }
}

/// Folds a series' snapshots, oldest first, one at a time, into a ``SeriesHistory``: the
/// one place the rules of ``SeriesTrends`` meet the relations (which size counts, which row
/// count after a statistics reset, which write rate for a snapshot taken with
/// `--interval 0`).
public struct SeriesAccumulator: Sendable {
    public private(set) var history = SeriesHistory(points: [], relations: [:])
    /// The last snapshot added (or resumed after): its point and its tables' cumulative
    /// write counters by name, for the next snapshot's rates.
    private var previous: SnapshotPoint?
    private var previousWriteCounters: [String: Int] = [:]

    public init() {}

    /// Continues a saved history; `last` is the points of its latest snapshot (relations
    /// included), which the next snapshot's rates are measured from.
    public init(resuming history: SeriesHistory, last: SnapshotPoints) {
        self.history = history
        previous = last.snapshot
        previousWriteCounters = Self.writeCounters(last.relations)
    }

    /// Adds the next snapshot: it must finish after the last one added.
    public mutating func add(_ snapshot: SnapshotPoints) {
        var point = snapshot.snapshot
        let first = history.points.first ?? point
        // n_live_tup is zeroed by a reset during the series (see SeriesTrends).
        let statsReset = point.statsReset.flatMap { $0 > first.startedAt ? $0 : nil }
        let at = point.finishedAt

        var rows = 0.0
        var rowsComplete = true
        var partitionBytes: [String: Int] = [:]
        var partitionNames: [String] = []
        for relation in snapshot.relations {
            let name = relation.qualifiedName
            let leaf = relation.relkind != "p" && (relation.isPartition || !relation.listed)
            if leaf, let bytes = relation.totalBytes, partitionBytes[name] == nil {
                partitionBytes[name] = bytes
                partitionNames.append(name)
            }
            guard relation.listed, relation.relkind != "p" else { continue }
            if !relation.isPartition, let bytes = relation.totalBytes {
                history.relations[RelationTrendKey(.tableBytes, name), default: TrendAccumulator()]
                    .add(at: at, value: Double(bytes))
            }
            guard let count = Self.rowCount(relation, statsReset: statsReset) else {
                rowsComplete = false
                continue
            }
            rows += count
            history.relations[RelationTrendKey(.rows, name), default: TrendAccumulator()].add(at: at, value: count)
        }
        for name in partitionNames {
            history.relations[RelationTrendKey(.partitionBytes, name), default: TrendAccumulator()]
                .add(at: at, value: Double(partitionBytes[name] ?? 0))
        }
        point.rows = rowsComplete && snapshot.relations.contains(where: \.listed) ? rows : nil

        let counters = Self.writeCounters(snapshot.relations)
        var seen = Set<String>()
        for relation in snapshot.relations where relation.listed && seen.insert(relation.qualifiedName).inserted {
            let name = relation.qualifiedName
            if let (rateAt, rate) = Self.ratePoint(
                point, previous: previous, rate: relation.writesPerSecond, counter: counters[name],
                before: previousWriteCounters[name])
            {
                history.relations[RelationTrendKey(.writesPerSecond, name), default: TrendAccumulator()]
                    .add(at: rateAt, value: rate)
            }
        }
        let bulkLoads = MeasurementWindow.bulkLoads(point, relations: snapshot.relations, policy: MeasurementPolicy())
        point.bulkLoadCount = bulkLoads.count
        point.bulkLoads = Array(bulkLoads.prefix(SnapshotPoint.bulkLoadsKept))
        history.points.append(point)
        previous = point
        previousWriteCounters = counters
    }

    // MARK: The series' rules

    /// A rate point of a snapshot: its own rate over its own window, at its end; but for a
    /// snapshot taken with `--interval 0` (an average since the reset, which says little about
    /// the rate at that time), the average over the gap since the previous snapshot (the
    /// difference of the cumulative counters), at the gap's middle, unless a reset lies in the
    /// gap or a counter is unknown.
    static func ratePoint(
        _ point: SnapshotPoint, previous: SnapshotPoint?, rate: Double?, counter: Int?, before: Int?
    ) -> (at: Date, rate: Double)? {
        if point.intervalMode == .sinceReset, let previous {
            let seconds = point.finishedAt.timeIntervalSince(previous.finishedAt)
            if StatisticsReset(between: previous, and: point) == nil, seconds > 0, let counter, let before,
                counter >= before
            {
                return (previous.finishedAt.addingTimeInterval(seconds / 2), Double(counter - before) / seconds)
            }
        }
        return rate.map { (point.finishedAt, $0) }
    }

    /// Rows written (inserted, updated, deleted) so far, by name; the first of a name wins.
    static func writeCounters(_ relations: [RelationPoint]) -> [String: Int] {
        var counters: [String: Int] = [:]
        var seen = Set<String>()
        for relation in relations where relation.listed && seen.insert(relation.qualifiedName).inserted {
            guard let inserted = relation.nTupIns, let updated = relation.nTupUpd, let deleted = relation.nTupDel
            else { continue }
            counters[relation.qualifiedName] = inserted + updated + deleted
        }
        return counters
    }

    /// `n_live_tup`, unless the statistics were reset (`statsReset`, during the series) and
    /// the table was not vacuumed or analyzed since: then `reltuples` when known.
    static func rowCount(_ relation: RelationPoint, statsReset: Date?) -> Double? {
        let planned = relation.reltuples.flatMap { $0 >= 0 ? $0 : nil }
        if let statsReset, !(relation.lastRefreshedAt.map { $0 >= statsReset } ?? false) {
            return planned
        }
        return relation.nLiveTup.map(Double.init) ?? planned
    }
}
