import DBAdviseModel
import Foundation

/// One snapshot's series points: the database-wide row and one row per table and leaf
/// partition. Exactly what the growth trends, forecasts and the measurement window read
/// from the earlier snapshots of a series, and nothing else: ``SeriesAccumulator`` folds
/// them into a ``SeriesHistory``, the history stores keep them.
public struct SnapshotPoints: Sendable, Equatable {
    public var snapshot: SnapshotPoint
    public var relations: [RelationPoint]

    public init(snapshot: SnapshotPoint, relations: [RelationPoint]) {
        self.snapshot = snapshot
        self.relations = relations
    }
}

extension SnapshotPoints {
    /// The points with every time passed through `transform`.
    public func mapTimes(_ transform: (Date) -> Date) -> SnapshotPoints {
        var points = self
        points.snapshot.finishedAt = transform(snapshot.finishedAt)
        points.snapshot.startedAt = transform(snapshot.startedAt)
        points.snapshot.statsReset = snapshot.statsReset.map(transform)
        points.snapshot.startTime = snapshot.startTime.map(transform)
        for index in points.relations.indices {
            points.relations[index].lastRefreshedAt = points.relations[index].lastRefreshedAt.map(transform)
        }
        return points
    }
}

/// The database-wide points of one snapshot (the `snapshots` table).
public struct SnapshotPoint: Sendable, Equatable {
    public enum IntervalMode: String, Sendable {
        case delta
        case sinceReset = "since_reset"
    }

    /// `dbname@system_identifier`, or `dbname@host:port` when the identifier is unknown.
    public var series: String
    public var finishedAt: Date
    public var startedAt: Date
    public var intervalMode: IntervalMode
    public var rateSeconds: Double?
    public var database: String
    public var systemIdentifier: String?
    public var host: String?
    public var port: String?
    public var statsReset: Date?
    public var startTime: Date?
    public var sizeBytes: Int?
    public var xactCommit: Int?
    public var tupReturned: Int?
    public var tupFetched: Int?
    public var tupInserted: Int?
    public var tupUpdated: Int?
    public var tupDeleted: Int?
    public var writesPerSecond: Double?
    public var readsPerSecond: Double?
    public var avgActiveSessions: Double?
    public var replicationLagSeconds: Double?

    // Derived from the relations by ``SeriesAccumulator`` (the stores keep them with the
    // trend state, as they depend on the series' first snapshot):
    /// The database's live rows: every table's row count (``SeriesTrends`` tells which
    /// count); nil when a table's count is unknown or the snapshot lists no table.
    public var rows: Double?
    /// Tables loaded in bulk inside the snapshot's window (``MeasurementWindow``): how many,
    /// and the first ``bulkLoadsKept`` of them, most rows first (what a reason names).
    public var bulkLoadCount = 0
    public var bulkLoads: [String] = []
    public static let bulkLoadsKept = 3

    public init(
        series: String, finishedAt: Date, startedAt: Date, intervalMode: IntervalMode, rateSeconds: Double?,
        database: String
    ) {
        self.series = series
        self.finishedAt = finishedAt
        self.startedAt = startedAt
        self.intervalMode = intervalMode
        self.rateSeconds = rateSeconds
        self.database = database
    }
}

/// One table or leaf partition in one snapshot (the `relations` table).
public struct RelationPoint: Sendable, Equatable {
    public var schema: String
    public var name: String
    public var relkind: String
    public var isPartition: Bool
    /// In the snapshot's `tables`; false for a leaf known only from `partitioned_tables`.
    public var listed: Bool
    /// The size the report judges: a leaf partition's from its tree when the tree has it.
    public var totalBytes: Int?
    public var nLiveTup: Int?
    public var reltuples: Double?
    public var nTupIns: Int?
    public var nTupUpd: Int?
    public var nTupDel: Int?
    public var writesPerSecond: Double?
    /// The latest of `last_vacuum`, `last_autovacuum`, `last_analyze`, `last_autoanalyze`.
    public var lastRefreshedAt: Date?

    public var qualifiedName: String { "\(schema).\(name)" }

    public init(schema: String, name: String, relkind: String, isPartition: Bool, listed: Bool) {
        self.schema = schema
        self.name = name
        self.relkind = relkind
        self.isPartition = isPartition
        self.listed = listed
    }
}
