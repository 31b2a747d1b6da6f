import DBAdviseAnalysis
import Foundation

/// Where the series points of a database's snapshots are kept, so that `analyze --input DIR/`
/// decodes only the latest snapshot in full and reads every trend from points.
///
/// Two stores implement it with one schema: the embedded one (`DIR/history.sqlite`, SQLite
/// through GRDB, written by `collect --output DIR/`) and a shared one in a schema of the
/// user's PostgreSQL (`--history postgres://…`, through PostgresClient). The schema is
/// public: people point Grafana at it. Names mirror the snapshot's keys, which mirror the
/// pg_stat columns; times are UTC (SQLite: `REAL` Unix seconds; PostgreSQL: `timestamptz`);
/// an unknown value is NULL, never 0.
///
/// ```
/// schema_version   -- one row per migration applied, the highest is the store's version
///   version          INTEGER PRIMARY KEY
///   applied_at       time
///
/// sources          -- a snapshot file the points came from (one row per file name)
///   id               INTEGER PRIMARY KEY
///   name             TEXT UNIQUE     file name inside the history directory
///   size_bytes       INTEGER         file size when indexed    } a file whose size, mtime
///   modified_at      time            file mtime when indexed   } or hash moved is indexed
///   content_sha256   TEXT            hex SHA-256 of the bytes  } again
///   indexed_at       time
///   retired_at       time NULL       set when retention deleted the file on purpose: its
///                                    points stay, and its absence is no change
///
/// snapshots        -- one row per snapshot: the database-wide points
///   id               INTEGER PRIMARY KEY
///   source_id        INTEGER NULL REFERENCES sources ON DELETE CASCADE
///   series           TEXT            `dbname@system_identifier` (or `dbname@host:port`):
///                                    snapshots of one database share it
///   finished_at      time            UNIQUE (series, finished_at)
///   started_at       time
///   interval_mode    TEXT            `delta` | `since_reset` (the rates' window kind)
///   rate_seconds     REAL NULL       the rates' window length
///   database         TEXT            datname
///   system_identifier TEXT NULL, host TEXT NULL, port TEXT NULL
///   stats_reset      time NULL, start_time time NULL   (pg_stat_database, the postmaster)
///   size_bytes       INTEGER NULL    pg_database_size
///   xact_commit, tup_returned, tup_fetched, tup_inserted, tup_updated, tup_deleted
///                    INTEGER NULL    cumulative counters of pg_stat_database
///   writes_per_second, reads_per_second   REAL NULL   rates over the window
///   avg_active_sessions      REAL NULL    pg_stat_activity sampled over the window
///   replication_lag_seconds  REAL NULL    the worst replay lag (null: unknown or no standby)
///
/// relations        -- one row per table and leaf partition per snapshot
///   snapshot_id      INTEGER REFERENCES snapshots ON DELETE CASCADE
///   schema, name     TEXT            indexed (snapshot_id); a name may repeat, as in the file
///   relkind          TEXT            pg_class.relkind (`r`, `m`, `p`)
///   is_partition     BOOLEAN
///   listed           BOOLEAN         in the snapshot's `tables` (false: a leaf known only
///                                    from `partitioned_tables`)
///   total_bytes      INTEGER NULL    the size the report judges (a leaf's from its tree)
///   n_live_tup       INTEGER NULL, reltuples REAL NULL
///   n_tup_ins, n_tup_upd, n_tup_del   INTEGER NULL   cumulative counters
///   writes_per_second REAL NULL      over the snapshot's window
///   last_refreshed_at time NULL      the latest of last_(auto)vacuum / last_(auto)analyze
///
/// -- The trend state (schema version 2): derived from the tables above, so that analyze
/// -- reads one row per table instead of one per table per snapshot. dbadvise keeps it
/// -- current with every collection and rebuilds it from the points whenever it does not
/// -- match them (a snapshot indexed out of order, a file removed): never edit it by hand.
/// trend_series     -- one row per series whose state is saved
///   series           TEXT PRIMARY KEY
///   snapshots        INTEGER         snapshots folded in (the series' first up to latest)
///   latest_finished_at time          the latest snapshot folded in
///   built_at         time
///
/// trend_snapshots  -- one row per snapshot folded in
///   series, finished_at              PRIMARY KEY; the snapshot of `snapshots`
///   live_rows        REAL NULL       the database's live rows (n_live_tup, or reltuples
///                                    after a statistics reset the table has not been
///                                    analyzed since); null when a table's count is unknown
///   bulk_load_count  INTEGER         tables loaded in bulk in its window
///   bulk_loads       TEXT            JSON array of the first three of them, most rows first
///
/// trend_relations  -- one row per trend of a table or leaf partition: least-squares sums
///   series, kind, relation           PRIMARY KEY; kind is `table_bytes`, `partition_bytes`,
///                                    `rows` or `writes_per_second`; relation `schema.name`
///   points           INTEGER
///   origin           REAL            the first point (day 0) in seconds since 2001-01-01 UTC
///                                    (the clock the sums are computed in)
///   mean_days, mean_value            the means of x (days since origin) and y
///   sum_xx, sum_xy, sum_yy           REAL   Σ(x−x̄)², Σ(x−x̄)(y−ȳ), Σ(y−ȳ)²: slope = sum_xy / sum_xx
///   latest_days, latest_value        REAL   the latest point
/// ```
///
/// The protocol speaks plain values only (``SnapshotPoints``, ``SourceFile``): no driver type
/// crosses it, so each store keeps its driver to itself.
public protocol HistoryStore {
    /// Appends one snapshot's points, from the file `source` when it came from one. A
    /// snapshot of the same series finished at the same time replaces the stored one (the
    /// same collection indexed again), and so does a source of the same name.
    func append(_ points: SnapshotPoints, source: SourceFile?) throws(HistoryStoreError)

    /// The source files indexed so far, retired ones included.
    func sources() throws(HistoryStoreError) -> [SourceFile]

    /// Removes a source and its points: the file changed (it is indexed again) or vanished.
    func removeSource(named name: String) throws(HistoryStoreError)

    /// Marks a source retired: retention deleted its file on purpose; its points stay.
    func retireSource(named name: String, at date: Date) throws(HistoryStoreError)

    /// Every series in the store with its latest snapshot, latest first.
    func series() throws(HistoryStoreError) -> [SeriesSummary]

    /// The points of one series finished at or after `from` (all when nil), oldest first,
    /// each snapshot with its relations, one at a time: a long series of a large catalog
    /// never has to be in memory at once.
    func forEachPoints(series: String, from: Date?, _ body: (SnapshotPoints) throws -> Void) throws

    /// The saved trend state of a series: its ``SeriesHistory`` from its first snapshot up
    /// to the latest one folded in; nil when none is saved or it no longer matches the
    /// points (a store drops the state when a snapshot is added before its latest or a
    /// source is removed).
    func trendState(series: String) throws(HistoryStoreError) -> SeriesHistory?

    /// Replaces the series' trend state.
    func saveTrendState(series: String, _ history: SeriesHistory) throws(HistoryStoreError)

    /// The stored sizes of one unpartitioned table (`schema.name`) over a series, oldest
    /// first: the plot's largest table.
    func tableSizes(series: String, table: String) throws(HistoryStoreError) -> [SizeSample]
}

extension HistoryStore {
    /// The points of one series, oldest first, one snapshot at a time.
    public func forEachPoints(series: String, _ body: (SnapshotPoints) throws -> Void) throws {
        try forEachPoints(series: series, from: nil, body)
    }

    /// The points of one series, oldest first, all at once.
    public func points(series: String) throws -> [SnapshotPoints] {
        var all: [SnapshotPoints] = []
        try forEachPoints(series: series) { all.append($0) }
        return all
    }
}

/// One series in a store: a database's snapshots.
public struct SeriesSummary: Sendable, Equatable {
    public var series: String
    public var snapshots: Int
    public var latestFinishedAt: Date
    /// The source file of the latest snapshot, when it came from one.
    public var latestSource: String?

    public init(series: String, snapshots: Int, latestFinishedAt: Date, latestSource: String?) {
        self.series = series
        self.snapshots = snapshots
        self.latestFinishedAt = latestFinishedAt
        self.latestSource = latestSource
    }
}

/// A snapshot file as indexed: a file that no longer matches is indexed again.
public struct SourceFile: Sendable, Equatable {
    /// The file name inside the history directory.
    public var name: String
    public var sizeBytes: Int
    public var modifiedAt: Date
    /// Hex SHA-256 of the file's bytes.
    public var contentSHA256: String
    /// When retention deleted the file (its points are kept); nil while it exists.
    public var retiredAt: Date?
    /// When the snapshot indexed from the file finished (read from the store; retention
    /// judges a file's age by it, never by the clock of the machine).
    public var finishedAt: Date?

    public init(
        name: String, sizeBytes: Int, modifiedAt: Date, contentSHA256: String, retiredAt: Date? = nil,
        finishedAt: Date? = nil
    ) {
        self.name = name
        self.sizeBytes = sizeBytes
        self.modifiedAt = modifiedAt
        self.contentSHA256 = contentSHA256
        self.retiredAt = retiredAt
        self.finishedAt = finishedAt
    }
}

/// Why a history store could not be opened, read or written. The CLI maps it to exit 2
/// (a bad `--input` directory) or 3 (an unreachable PostgreSQL store).
public struct HistoryStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The store cannot be opened or created (permissions, not a database, unreachable).
        case unavailable
        /// The store was written by a newer dbadvise (a schema version this one lacks).
        case newerSchema
        /// A read or write failed.
        case failed
    }

    public var kind: Kind
    /// Names the store (a path or a redacted connection) and the cause.
    public var message: String
    public var fix: String

    public init(_ kind: Kind, _ message: String, fix: String) {
        self.kind = kind
        self.message = message
        self.fix = fix
    }

    public var description: String { message }
}
