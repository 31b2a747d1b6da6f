import DBAdviseAnalysis
import Foundation
import GRDB

/// The embedded history store: `history.sqlite` next to the snapshot files of a
/// `collect --output DIR/` directory, in the schema ``HistoryStore`` documents.
///
/// Times are `REAL` Unix seconds (``HistoryTime``). Each append is one transaction; a crash leaves the
/// previous state. GRDB enforces the foreign keys, so removing a source or a snapshot
/// removes its points.
public final class SQLiteHistoryStore: HistoryStore {
    /// The store's file name inside a history directory.
    public static let fileName = "history.sqlite"

    private let queue: DatabaseQueue
    private let path: String

    /// Opens the store at `path`, creating and migrating it as needed.
    public init(path: String) throws(HistoryStoreError) {
        self.path = path
        do {
            var configuration = Configuration()
            configuration.label = "dbadvise.history"
            // Several collectors may write one directory (cron overlapping a manual run).
            configuration.busyMode = .timeout(30)
            queue = try DatabaseQueue(path: path, configuration: configuration)
        } catch {
            throw HistoryStoreError(
                .unavailable, "cannot open the history store \(path): \(Self.reason(error))",
                fix: "check that the directory is writable, or move the damaged \(Self.fileName) aside")
        }
        try migrate()
    }

    // MARK: Schema

    /// The migrations in order: index i brings the store to version i + 1. Never edit one
    /// that has shipped; add the next.
    static let migrations: [[String]] = [
        [
            """
            CREATE TABLE sources (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                size_bytes INTEGER NOT NULL,
                modified_at REAL NOT NULL,
                content_sha256 TEXT NOT NULL,
                indexed_at REAL NOT NULL,
                retired_at REAL
            )
            """,
            """
            CREATE TABLE snapshots (
                id INTEGER PRIMARY KEY,
                source_id INTEGER REFERENCES sources (id) ON DELETE CASCADE,
                series TEXT NOT NULL,
                finished_at REAL NOT NULL,
                started_at REAL NOT NULL,
                interval_mode TEXT NOT NULL,
                rate_seconds REAL,
                database TEXT NOT NULL,
                system_identifier TEXT,
                host TEXT,
                port TEXT,
                stats_reset REAL,
                start_time REAL,
                size_bytes INTEGER,
                xact_commit INTEGER,
                tup_returned INTEGER,
                tup_fetched INTEGER,
                tup_inserted INTEGER,
                tup_updated INTEGER,
                tup_deleted INTEGER,
                writes_per_second REAL,
                reads_per_second REAL,
                avg_active_sessions REAL,
                replication_lag_seconds REAL,
                UNIQUE (series, finished_at)
            )
            """,
            "CREATE INDEX snapshots_source ON snapshots (source_id)",
            """
            CREATE TABLE relations (
                snapshot_id INTEGER NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE,
                schema TEXT NOT NULL,
                name TEXT NOT NULL,
                relkind TEXT NOT NULL,
                is_partition INTEGER NOT NULL,
                listed INTEGER NOT NULL,
                total_bytes INTEGER,
                n_live_tup INTEGER,
                reltuples REAL,
                n_tup_ins INTEGER,
                n_tup_upd INTEGER,
                n_tup_del INTEGER,
                writes_per_second REAL,
                last_refreshed_at REAL
            )
            """,
            "CREATE INDEX relations_snapshot ON relations (snapshot_id)",
        ],
        [
            """
            CREATE TABLE trend_series (
                series TEXT PRIMARY KEY,
                snapshots INTEGER NOT NULL,
                latest_finished_at REAL NOT NULL,
                built_at REAL NOT NULL
            )
            """,
            """
            CREATE TABLE trend_snapshots (
                series TEXT NOT NULL REFERENCES trend_series (series) ON DELETE CASCADE,
                finished_at REAL NOT NULL,
                live_rows REAL,
                bulk_load_count INTEGER NOT NULL,
                bulk_loads TEXT NOT NULL,
                PRIMARY KEY (series, finished_at)
            )
            """,
            """
            CREATE TABLE trend_relations (
                series TEXT NOT NULL REFERENCES trend_series (series) ON DELETE CASCADE,
                kind TEXT NOT NULL,
                relation TEXT NOT NULL,
                points INTEGER NOT NULL,
                origin REAL NOT NULL,
                mean_days REAL NOT NULL,
                mean_value REAL NOT NULL,
                sum_xx REAL NOT NULL,
                sum_xy REAL NOT NULL,
                sum_yy REAL NOT NULL,
                latest_days REAL NOT NULL,
                latest_value REAL NOT NULL,
                PRIMARY KEY (series, kind, relation)
            )
            """,
        ],
    ]

    public static var currentVersion: Int { migrations.count }

    private func migrate() throws(HistoryStoreError) {
        try run("migrate") { db in
            try db.execute(
                sql: "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at REAL NOT NULL)"
            )
            let version = try Int.fetchOne(db, sql: "SELECT MAX(version) FROM schema_version") ?? 0
            guard version <= Self.migrations.count else {
                throw HistoryStoreError(
                    .newerSchema,
                    "the history store \(self.path) has schema version \(version); this dbadvise reads up to "
                        + "\(Self.migrations.count)",
                    fix: "upgrade dbadvise to the version that wrote it")
            }
            for (index, statements) in Self.migrations.enumerated() where index >= version {
                for statement in statements { try db.execute(sql: statement) }
                try db.execute(
                    sql: "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
                    arguments: [index + 1, Date().timeIntervalSince1970])
            }
        }
    }

    /// The store's schema version (the highest migration applied).
    public func schemaVersion() throws(HistoryStoreError) -> Int {
        try read("read the schema version") { db in
            try Int.fetchOne(db, sql: "SELECT MAX(version) FROM schema_version") ?? 0
        }
    }

    // MARK: HistoryStore

    public func append(_ points: SnapshotPoints, source: SourceFile?) throws(HistoryStoreError) {
        try run("append a snapshot") { db in
            var sourceID: Int64?
            if let source {
                try Self.dropTrendStates(db, ofSource: source.name)
                try db.execute(sql: "DELETE FROM sources WHERE name = ?", arguments: [source.name])
                try db.execute(
                    sql: """
                        INSERT INTO sources (name, size_bytes, modified_at, content_sha256, indexed_at, retired_at)
                        VALUES (?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        source.name, source.sizeBytes, source.modifiedAt.timeIntervalSince1970, source.contentSHA256,
                        Date().timeIntervalSince1970, source.retiredAt?.timeIntervalSince1970,
                    ])
                sourceID = db.lastInsertedRowID
            }
            let point = points.snapshot
            // The saved trend state continues only with a snapshot after its latest one.
            try db.execute(
                sql: "DELETE FROM trend_series WHERE series = ? AND latest_finished_at >= ?",
                arguments: [point.series, point.finishedAt.timeIntervalSince1970 - HistoryTime.tolerance])
            try db.execute(
                sql: "DELETE FROM snapshots WHERE series = ? AND finished_at = ?",
                arguments: [point.series, point.finishedAt.timeIntervalSince1970])
            let snapshotValues: [(any DatabaseValueConvertible)?] = [
                sourceID, point.series, point.finishedAt.timeIntervalSince1970, point.startedAt.timeIntervalSince1970,
                point.intervalMode.rawValue, point.rateSeconds, point.database, point.systemIdentifier, point.host,
                point.port, point.statsReset?.timeIntervalSince1970, point.startTime?.timeIntervalSince1970,
                point.sizeBytes, point.xactCommit, point.tupReturned, point.tupFetched, point.tupInserted,
                point.tupUpdated, point.tupDeleted, point.writesPerSecond, point.readsPerSecond,
                point.avgActiveSessions, point.replicationLagSeconds,
            ]
            try db.execute(
                sql: """
                    INSERT INTO snapshots (
                        source_id, series, finished_at, started_at, interval_mode, rate_seconds, database,
                        system_identifier, host, port, stats_reset, start_time, size_bytes, xact_commit,
                        tup_returned, tup_fetched, tup_inserted, tup_updated, tup_deleted, writes_per_second,
                        reads_per_second, avg_active_sessions, replication_lag_seconds)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: StatementArguments(snapshotValues))
            let snapshotID = db.lastInsertedRowID
            let insert = try db.cachedStatement(
                sql: """
                    INSERT INTO relations (
                        snapshot_id, schema, name, relkind, is_partition, listed, total_bytes, n_live_tup,
                        reltuples, n_tup_ins, n_tup_upd, n_tup_del, writes_per_second, last_refreshed_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            for relation in points.relations {
                let values: [(any DatabaseValueConvertible)?] = [
                    snapshotID, relation.schema, relation.name, relation.relkind, relation.isPartition,
                    relation.listed, relation.totalBytes, relation.nLiveTup, relation.reltuples, relation.nTupIns,
                    relation.nTupUpd, relation.nTupDel, relation.writesPerSecond,
                    relation.lastRefreshedAt?.timeIntervalSince1970,
                ]
                try insert.execute(arguments: StatementArguments(values))
            }
        }
    }

    public func sources() throws(HistoryStoreError) -> [SourceFile] {
        try read("read the sources") { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT name, size_bytes, modified_at, content_sha256, retired_at,
                        (SELECT MAX(finished_at) FROM snapshots WHERE snapshots.source_id = sources.id)
                    FROM sources
                    ORDER BY name
                    """
            ).map { row in
                SourceFile(
                    name: row[0], sizeBytes: row[1], modifiedAt: Date(timeIntervalSince1970: row[2]),
                    contentSHA256: row[3], retiredAt: (row[4] as Double?).map(Date.init(timeIntervalSince1970:)),
                    finishedAt: (row[5] as Double?).map(HistoryTime.date(unixSeconds:)))
            }
        }
    }

    public func removeSource(named name: String) throws(HistoryStoreError) {
        try run("remove a source") { db in
            try Self.dropTrendStates(db, ofSource: name)
            try db.execute(sql: "DELETE FROM sources WHERE name = ?", arguments: [name])
        }
    }

    /// Drops the trend state of every series holding a snapshot of the source: its points
    /// are about to go.
    private static func dropTrendStates(_ db: Database, ofSource name: String) throws {
        try db.execute(
            sql: """
                DELETE FROM trend_series WHERE series IN (
                    SELECT snapshots.series FROM snapshots JOIN sources ON sources.id = snapshots.source_id
                    WHERE sources.name = ?)
                """,
            arguments: [name])
    }

    public func retireSource(named name: String, at date: Date) throws(HistoryStoreError) {
        try run("retire a source") { db in
            try db.execute(
                sql: "UPDATE sources SET retired_at = ? WHERE name = ?",
                arguments: [date.timeIntervalSince1970, name])
        }
    }

    public func series() throws(HistoryStoreError) -> [SeriesSummary] {
        try read("read the series") { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT series, COUNT(*), MAX(finished_at)
                    FROM snapshots
                    GROUP BY series
                    ORDER BY MAX(finished_at) DESC, series
                    """)
            return try rows.map { row in
                let series: String = row[0]
                let latestSource = try String.fetchOne(
                    db,
                    sql: """
                        SELECT sources.name
                        FROM snapshots
                        LEFT JOIN sources ON sources.id = snapshots.source_id
                        WHERE snapshots.series = ?
                        ORDER BY snapshots.finished_at DESC
                        LIMIT 1
                        """,
                    arguments: [series])
                return SeriesSummary(
                    series: series, snapshots: row[1], latestFinishedAt: HistoryTime.date(unixSeconds: row[2]),
                    latestSource: latestSource)
            }
        }
    }

    public func forEachPoints(series: String, from: Date?, _ body: (SnapshotPoints) throws -> Void) throws {
        let snapshots: [(id: Int64, point: SnapshotPoint)] = try read("read the points") { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT s.id, \(Self.pointColumns(of: "s"))
                    FROM snapshots s
                    WHERE s.series = ? AND s.finished_at >= ?
                    ORDER BY finished_at
                    """,
                arguments: [series, from.map { $0.timeIntervalSince1970 - HistoryTime.tolerance } ?? -Double.infinity]
            ).map { row in (row[0], Self.point(row, offset: 1)) }
        }
        for (id, point) in snapshots {
            let relations = try read("read the points") { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT schema, name, relkind, is_partition, listed, total_bytes, n_live_tup, reltuples,
                            n_tup_ins, n_tup_upd, n_tup_del, writes_per_second, last_refreshed_at
                        FROM relations
                        WHERE snapshot_id = ?
                        ORDER BY rowid
                        """,
                    arguments: [id]
                ).map { row in
                    var relation = RelationPoint(
                        schema: row[0], name: row[1], relkind: row[2], isPartition: row[3], listed: row[4])
                    relation.totalBytes = row[5]
                    relation.nLiveTup = row[6]
                    relation.reltuples = row[7]
                    relation.nTupIns = row[8]
                    relation.nTupUpd = row[9]
                    relation.nTupDel = row[10]
                    relation.writesPerSecond = row[11]
                    relation.lastRefreshedAt = (row[12] as Double?).map(HistoryTime.date(unixSeconds:))
                    return relation
                }
            }
            try body(SnapshotPoints(snapshot: point, relations: relations))
        }
    }

    /// The columns of a ``SnapshotPoint`` in ``point(_:offset:)``'s order, of a table alias.
    private static func pointColumns(of table: String) -> String {
        [
            "series", "finished_at", "started_at", "interval_mode", "rate_seconds", "database", "system_identifier",
            "host", "port", "stats_reset", "start_time", "size_bytes", "xact_commit", "tup_returned", "tup_fetched",
            "tup_inserted", "tup_updated", "tup_deleted", "writes_per_second", "reads_per_second",
            "avg_active_sessions", "replication_lag_seconds",
        ].map { "\(table).\($0)" }.joined(separator: ", ")
    }

    private static func point(_ row: Row, offset o: Int) -> SnapshotPoint {
        var point = SnapshotPoint(
            series: row[o], finishedAt: HistoryTime.date(unixSeconds: row[o + 1]),
            startedAt: HistoryTime.date(unixSeconds: row[o + 2]),
            intervalMode: SnapshotPoint.IntervalMode(rawValue: row[o + 3]) ?? .delta, rateSeconds: row[o + 4],
            database: row[o + 5])
        point.systemIdentifier = row[o + 6]
        point.host = row[o + 7]
        point.port = row[o + 8]
        point.statsReset = (row[o + 9] as Double?).map(HistoryTime.date(unixSeconds:))
        point.startTime = (row[o + 10] as Double?).map(HistoryTime.date(unixSeconds:))
        point.sizeBytes = row[o + 11]
        point.xactCommit = row[o + 12]
        point.tupReturned = row[o + 13]
        point.tupFetched = row[o + 14]
        point.tupInserted = row[o + 15]
        point.tupUpdated = row[o + 16]
        point.tupDeleted = row[o + 17]
        point.writesPerSecond = row[o + 18]
        point.readsPerSecond = row[o + 19]
        point.avgActiveSessions = row[o + 20]
        point.replicationLagSeconds = row[o + 21]
        return point
    }

    // MARK: Trend state

    public func trendState(series: String) throws(HistoryStoreError) -> SeriesHistory? {
        try read("read the trend state") { db in
            guard
                let header = try Row.fetchOne(
                    db, sql: "SELECT snapshots, latest_finished_at FROM trend_series WHERE series = ?",
                    arguments: [series])
            else { return nil }
            let points = try Row.fetchAll(
                db,
                sql: """
                    SELECT t.live_rows, t.bulk_loads, t.bulk_load_count, \(Self.pointColumns(of: "s"))
                    FROM snapshots s JOIN trend_snapshots t ON t.series = s.series AND t.finished_at = s.finished_at
                    WHERE s.series = ? AND s.finished_at <= ?
                    ORDER BY s.finished_at
                    """,
                arguments: [series, header[1] as Double]
            ).map { row in
                var point = Self.point(row, offset: 3)
                point.rows = row[0]
                point.bulkLoads = TrendStateCoding.bulkLoads(row[1])
                point.bulkLoadCount = row[2]
                return point
            }
            let stored = try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM snapshots WHERE series = ? AND finished_at <= ?",
                arguments: [series, header[1] as Double])
            guard points.count == header[0] as Int, stored == points.count else { return nil }
            var relations: [RelationTrendKey: TrendAccumulator] = [:]
            let cursor = try Row.fetchCursor(
                db,
                sql: """
                    SELECT kind, relation, points, origin, mean_days, mean_value, sum_xx, sum_xy, sum_yy,
                        latest_days, latest_value
                    FROM trend_relations WHERE series = ?
                    """,
                arguments: [series])
            while let row = try cursor.next() {
                guard let kind = RelationTrendKey.Kind(rawValue: row[0]) else { continue }
                relations[RelationTrendKey(kind, row[1])] = TrendAccumulator(
                    points: row[2], originSeconds: row[3], meanDays: row[4], meanValue: row[5], sumXX: row[6],
                    sumXY: row[7], sumYY: row[8], latestDays: row[9], latestValue: row[10])
            }
            return SeriesHistory(points: points, relations: relations)
        }
    }

    public func saveTrendState(series: String, _ history: SeriesHistory) throws(HistoryStoreError) {
        guard let latest = history.points.last else { return }
        try run("save the trend state") { db in
            try db.execute(sql: "DELETE FROM trend_series WHERE series = ?", arguments: [series])
            try db.execute(
                sql: "INSERT INTO trend_series (series, snapshots, latest_finished_at, built_at) VALUES (?, ?, ?, ?)",
                arguments: [
                    series, history.points.count, latest.finishedAt.timeIntervalSince1970, Date().timeIntervalSince1970,
                ])
            let snapshot = try db.cachedStatement(
                sql: """
                    INSERT INTO trend_snapshots (series, finished_at, live_rows, bulk_load_count, bulk_loads)
                    VALUES (?, ?, ?, ?, ?)
                    """)
            for point in history.points {
                try snapshot.execute(arguments: [
                    series, point.finishedAt.timeIntervalSince1970, point.rows, point.bulkLoadCount,
                    TrendStateCoding.text(point.bulkLoads),
                ])
            }
            let relation = try db.cachedStatement(
                sql: """
                    INSERT INTO trend_relations (
                        series, kind, relation, points, origin, mean_days, mean_value, sum_xx, sum_xy, sum_yy,
                        latest_days, latest_value)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            for (key, sums) in history.relations {
                try relation.execute(arguments: [
                    series, key.kind.rawValue, key.relation, sums.points, sums.originSeconds, sums.meanDays,
                    sums.meanValue, sums.sumXX, sums.sumXY, sums.sumYY, sums.latestDays, sums.latestValue,
                ])
            }
        }
    }

    public func tableSizes(series: String, table: String) throws(HistoryStoreError) -> [SizeSample] {
        try read("read a table's sizes") { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT s.finished_at, r.total_bytes
                    FROM relations r JOIN snapshots s ON s.id = r.snapshot_id
                    WHERE s.series = ? AND r.schema || '.' || r.name = ? AND r.listed AND NOT r.is_partition
                        AND r.relkind <> 'p' AND r.total_bytes IS NOT NULL
                    GROUP BY s.id
                    ORDER BY s.finished_at
                    """,
                arguments: [series, table]
            ).map { row in SizeSample(at: HistoryTime.date(unixSeconds: row[0]), bytes: Double(row[1] as Int)) }
        }
    }

    // MARK: Errors

    /// Runs `body` in a write transaction; every failure becomes one ``HistoryStoreError``.
    private func run<T>(_ operation: String, _ body: (Database) throws -> T) throws(HistoryStoreError) -> T {
        do {
            return try queue.write(body)
        } catch let error as HistoryStoreError {
            throw error
        } catch {
            throw failure(operation, error)
        }
    }

    private func read<T>(_ operation: String, _ body: (Database) throws -> T) throws(HistoryStoreError) -> T {
        do {
            return try queue.read(body)
        } catch {
            throw failure(operation, error)
        }
    }

    private func failure(_ operation: String, _ error: any Error) -> HistoryStoreError {
        HistoryStoreError(
            .failed, "cannot \(operation) in the history store \(path): \(Self.reason(error))",
            fix: "check the disk and the file's permissions; removing \(Self.fileName) rebuilds it from the files")
    }

    static func reason(_ error: any Error) -> String {
        if let error = error as? DatabaseError { return error.message ?? error.description }
        return "\(error)"
    }
}
