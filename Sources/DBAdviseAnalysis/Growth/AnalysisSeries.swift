import DBAdviseModel
import Foundation

/// A series as analyze reads it: the latest snapshot in full and the ``SeriesHistory`` of
/// every snapshot (points and trend sums), however the series was stored.
public struct AnalysisSeries {
    public var latest: Snapshot
    /// Ends with `latest`'s point.
    public var history: SeriesHistory
    /// The sizes of the latest snapshot's largest table over the series, for `--plot`; read
    /// only when asked (a history store finds them with one query).
    public var largestTablePoints: () throws -> [SizeSample]

    public init(latest: Snapshot, history: SeriesHistory, largestTablePoints: @escaping () throws -> [SizeSample]) {
        self.latest = latest
        self.history = history
        self.largestTablePoints = largestTablePoints
    }

    /// Decoded snapshots, in any order.
    public init(snapshots: [Snapshot]) throws(AnalysisError) {
        var builder = Builder()
        for snapshot in snapshots { try builder.add(snapshot) }
        self = try builder.series()
    }

    /// Folds decoded snapshots, in any order, as they are read: each is kept as its points
    /// only, but for the latest one.
    public struct Builder {
        /// Each snapshot's points, and its partitioned tables' totals (the points hold leaves
        /// only; a plot's largest table may be a partitioned one).
        private var folded: [(points: SnapshotPoints, partitionedTables: [SizedRelation])] = []
        private var latest: Snapshot?

        public init() {}

        /// Throws when the snapshot is of another database than those before it.
        public mutating func add(_ snapshot: Snapshot) throws(AnalysisError) {
            if let current = latest {
                let (first, other) = (Analyzer.identity(of: current), Analyzer.identity(of: snapshot))
                guard first == other else { throw .mixedDatabases(first: first, other: other) }
            }
            folded.append((SnapshotPoints(snapshot: snapshot), RelationSizes(snapshot: snapshot).partitionedTables))
            // Of snapshots finished at the same time, the last read is the latest.
            if latest.map({ snapshot.interval.finishedAt >= $0.interval.finishedAt }) ?? true { latest = snapshot }
        }

        public func series() throws(AnalysisError) -> AnalysisSeries {
            guard let latest else { throw .noSnapshots }
            let ordered = folded.enumerated().sorted {
                ($0.element.points.snapshot.finishedAt, $0.offset) < ($1.element.points.snapshot.finishedAt, $1.offset)
            }.map(\.element)
            var accumulator = SeriesAccumulator()
            for entry in ordered { accumulator.add(entry.points) }
            let largest = RelationSizes(snapshot: latest).largestTable?.name
            let largestPoints = ordered.compactMap { entry -> SizeSample? in
                let unpartitioned = entry.points.relations.first {
                    $0.listed && !$0.isPartition && $0.relkind != "p" && $0.totalBytes != nil
                        && $0.qualifiedName == largest
                }?.totalBytes
                guard
                    let bytes = unpartitioned ?? entry.partitionedTables.first(where: { $0.name == largest })?.bytes
                else { return nil }
                return SizeSample(at: entry.points.snapshot.finishedAt, bytes: Double(bytes))
            }
            return AnalysisSeries(latest: latest, history: accumulator.history, largestTablePoints: { largestPoints })
        }
    }
}
