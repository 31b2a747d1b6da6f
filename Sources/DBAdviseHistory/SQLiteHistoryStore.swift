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
        ]
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
            try db.execute(sql: "DELETE FROM sources WHERE name = ?", arguments: [name])
        }
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

    public func forEachPoints(series: String, _ body: (SnapshotPoints) throws -> Void) throws {
        let snapshots: [(id: Int64, point: SnapshotPoint)] = try read("read the points") { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT id, series, finished_at, started_at, interval_mode, rate_seconds, database,
                        system_identifier, host, port, stats_reset, start_time, size_bytes, xact_commit,
                        tup_returned, tup_fetched, tup_inserted, tup_updated, tup_deleted, writes_per_second,
                        reads_per_second, avg_active_sessions, replication_lag_seconds
                    FROM snapshots
                    WHERE series = ?
                    ORDER BY finished_at
                    """,
                arguments: [series]
            ).map { row in
                var point = SnapshotPoint(
                    series: row[1], finishedAt: HistoryTime.date(unixSeconds: row[2]),
                    startedAt: HistoryTime.date(unixSeconds: row[3]),
                    intervalMode: SnapshotPoint.IntervalMode(rawValue: row[4]) ?? .delta, rateSeconds: row[5],
                    database: row[6])
                point.systemIdentifier = row[7]
                point.host = row[8]
                point.port = row[9]
                point.statsReset = (row[10] as Double?).map(HistoryTime.date(unixSeconds:))
                point.startTime = (row[11] as Double?).map(HistoryTime.date(unixSeconds:))
                point.sizeBytes = row[12]
                point.xactCommit = row[13]
                point.tupReturned = row[14]
                point.tupFetched = row[15]
                point.tupInserted = row[16]
                point.tupUpdated = row[17]
                point.tupDeleted = row[18]
                point.writesPerSecond = row[19]
                point.readsPerSecond = row[20]
                point.avgActiveSessions = row[21]
                point.replicationLagSeconds = row[22]
                return (row[0], point)
            }
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
