import DBAdviseAnalysis
import DBAdviseModel
import Foundation
import PostgresClient

/// The shared history store: the schema ``HistoryStore`` documents, in schema
/// `dbadvise_history` of a PostgreSQL database the user names (`--history CONNINFO`), so
/// collectors on many machines feed one history and anyone can read it (analyze, check,
/// Grafana).
///
/// Times are `timestamptz`, sent and read as Unix seconds to the millisecond
/// (``HistoryTime``), so stored points come back as the very values the files hold. Every
/// statement is one of ``HistorySQL``: schema-qualified, values as parameters.
///
/// The session is a write session of its own, never the collection's read-only one: the
/// history usually lives in another database than the one measured. A reader
/// (``Access/readOnly``) never creates or migrates anything: a database without the schema
/// reads as an empty store.
public final class PostgresHistoryStore: HistoryStore {
    public enum Access: Sendable {
        /// collect: creates and migrates the schema, appends.
        case readWrite
        /// analyze, check: reads only, in a read-only session.
        case readOnly
    }

    public static var currentVersion: Int { HistorySQL.migrations.count }

    private let connection: Connection
    /// user@host:port/db as libpq resolved it: never the connection string, which may hold a
    /// password.
    public let place: String
    /// The schema's version when opened; 0 when a reader found no schema.
    public private(set) var version: Int = 0
    /// How many migrations this process applied when it opened the store (0: it was current).
    public private(set) var migrationsApplied = 0

    /// Relations sent per statement: one round trip each, bounded memory for huge catalogs.
    static let relationBatch = 5_000
    /// Snapshots whose relations are read per statement: libpq holds a whole result in
    /// memory as text, so 8 snapshots of a 10,000-relation database are 80,000 rows at once.
    static let readBatch = 8

    public init(conninfo: String, access: Access) throws(HistoryStoreError) {
        let connection: Connection
        do {
            connection = try HistorySession.open(conninfo: conninfo, readOnly: access == .readOnly)
        } catch {
            // libpq's message is redacted by Connection already; say which store it was.
            throw HistoryStoreError(
                .unavailable, "cannot open the history store (--history): \(error.message)",
                fix: "check that the server runs and the --history connection string (or PGHOST, PGPORT, "
                    + "PGUSER, ~/.pgpass) points at it")
        }
        self.connection = connection
        self.place = "\(connection.connectionDescription) (schema \(HistorySQL.schema))"
        switch access {
        case .readOnly: version = try readVersion()
        case .readWrite: try migrate()
        }
        guard version <= Self.currentVersion else {
            throw HistoryStoreError(
                .newerSchema,
                "the history store \(place) has schema version \(version); this dbadvise "
                    + "(\(DBAdviseVersion.current)) reads up to \(Self.currentVersion)",
                fix: "upgrade dbadvise to the version that wrote it")
        }
        if access == .readOnly, version > 0, version < Self.currentVersion {
            throw HistoryStoreError(
                .failed,
                "the history store \(place) has schema version \(version); this dbadvise reads "
                    + "\(Self.currentVersion)",
                fix: "run 'dbadvise collect --history …' once: it migrates the store")
        }
    }

    // MARK: Schema

    /// The version on disk, nil-safe: 0 when the version table does not exist.
    private func readVersion() throws(HistoryStoreError) -> Int {
        try perform("read the schema version") { () throws(PostgresError) in
            guard try connection.query(HistorySQL.version.sql).rows.first?.bool("present") == true else { return 0 }
            return try connection.query(HistorySQL.maxVersion.sql).rows.first?.int("version") ?? 0
        }
    }

    /// Creates or migrates the schema in one transaction, under an advisory lock, so that
    /// collectors starting at once create it exactly once: the second waits, then finds the
    /// work done. A store already current takes no lock and changes nothing (a collector
    /// role with only INSERT rights on the tables can append).
    private func migrate() throws(HistoryStoreError) {
        version = try readVersion()
        guard version < Self.currentVersion else { return }
        try transaction("create or migrate the schema") { () throws(PostgresError) in
            try connection.query(
                HistorySQL.lockMigration.sql, [HistorySQL.migrationLockKeys.0, HistorySQL.migrationLockKeys.1])
            try connection.query(HistorySQL.createSchema.sql)
            try connection.query(HistorySQL.createVersionTable.sql)
            let found = try connection.query(HistorySQL.maxVersion.sql).rows.first?.int("version") ?? 0
            version = found
            guard found < Self.currentVersion else { return }
            for (index, statements) in HistorySQL.migrations.enumerated() where index >= found {
                for statement in statements { try connection.query(statement.sql) }
                try connection.query(HistorySQL.recordVersion.sql, [String(index + 1)])
                migrationsApplied += 1
            }
            version = Self.currentVersion
        }
    }

    /// The store's schema version (the highest migration applied).
    public func schemaVersion() throws(HistoryStoreError) -> Int { try readVersion() }

    // MARK: HistoryStore

    public func append(_ points: SnapshotPoints, source: SourceFile?) throws(HistoryStoreError) {
        try append(points, source: source, document: nil)
    }

    /// Appends the points and, with `document` (the snapshot's JSON), keeps it as its series'
    /// newest full snapshot unless a newer one is stored: what analyze reads in full.
    public func append(_ points: SnapshotPoints, source: SourceFile?, document: Data?) throws(HistoryStoreError) {
        try requireSchema()
        try transaction("append a snapshot") { () throws(PostgresError) in
            var sourceID: String?
            if let source {
                try connection.query(HistorySQL.dropTrendStatesOfSource.sql, [source.name])
                try connection.query(HistorySQL.deleteSource.sql, [source.name])
                sourceID = try connection.query(
                    HistorySQL.insertSource.sql,
                    [
                        source.name, String(source.sizeBytes), Self.seconds(source.modifiedAt), source.contentSHA256,
                        source.retiredAt.map(Self.seconds),
                    ]
                ).rows.first?.string("id")
            }
            let point = points.snapshot
            try connection.query(HistorySQL.dropTrendStateFrom.sql, [point.series, Self.seconds(point.finishedAt)])
            let values: [String?] = [
                sourceID, point.series, Self.seconds(point.finishedAt), Self.seconds(point.startedAt),
                point.intervalMode.rawValue, Self.number(point.rateSeconds), point.database, point.systemIdentifier,
                point.host, point.port, point.statsReset.map(Self.seconds), point.startTime.map(Self.seconds),
                Self.number(point.sizeBytes), Self.number(point.xactCommit), Self.number(point.tupReturned),
                Self.number(point.tupFetched), Self.number(point.tupInserted), Self.number(point.tupUpdated),
                Self.number(point.tupDeleted), Self.number(point.writesPerSecond), Self.number(point.readsPerSecond),
                Self.number(point.avgActiveSessions), Self.number(point.replicationLagSeconds),
            ]
            guard let snapshotID = try connection.query(HistorySQL.upsertSnapshot.sql, values).rows.first?.string("id")
            else { throw PostgresError.unexpectedResult(message: "the snapshot's insert returned no id") }
            try connection.query(HistorySQL.deleteRelations.sql, [snapshotID])
            var offset = 0
            while offset < points.relations.count {
                let batch = points.relations[offset..<min(offset + Self.relationBatch, points.relations.count)]
                try connection.query(
                    HistorySQL.insertRelations.sql, [snapshotID, String(offset)] + Self.columns(of: batch))
                offset += batch.count
            }
            if let document {
                try connection.query(
                    HistorySQL.upsertLatest.sql,
                    [point.series, Self.seconds(point.finishedAt), String(decoding: document, as: UTF8.self)])
            }
        }
    }

    public func sources() throws(HistoryStoreError) -> [SourceFile] {
        guard version > 0 else { return [] }
        return try perform("read the sources") { () throws(PostgresError) in
            try connection.query(HistorySQL.sources.sql).rows.map { row throws(PostgresError) in
                SourceFile(
                    name: try row.string("name") ?? "", sizeBytes: try row.int("size_bytes") ?? 0,
                    modifiedAt: Date(timeIntervalSince1970: try row.double("modified_at") ?? 0),
                    contentSHA256: try row.string("content_sha256") ?? "",
                    retiredAt: try row.double("retired_at").map(Date.init(timeIntervalSince1970:)),
                    finishedAt: try row.double("finished_at").map(HistoryTime.date(unixSeconds:)))
            }
        }
    }

    public func removeSource(named name: String) throws(HistoryStoreError) {
        try requireSchema()
        try transaction("remove a source") { () throws(PostgresError) in
            try connection.query(HistorySQL.dropTrendStatesOfSource.sql, [name])
            try connection.query(HistorySQL.deleteSource.sql, [name])
        }
    }

    public func retireSource(named name: String, at date: Date) throws(HistoryStoreError) {
        try requireSchema()
        try perform("retire a source") { () throws(PostgresError) in
            try connection.query(HistorySQL.retireSource.sql, [name, Self.seconds(date)])
        }
    }

    public func series() throws(HistoryStoreError) -> [SeriesSummary] {
        guard version > 0 else { return [] }
        return try perform("read the series") { () throws(PostgresError) in
            try connection.query(HistorySQL.series.sql).rows.map { row throws(PostgresError) in
                SeriesSummary(
                    series: try row.string("series") ?? "", snapshots: try row.int("snapshots") ?? 0,
                    latestFinishedAt: HistoryTime.date(unixSeconds: try row.double("latest") ?? 0),
                    latestSource: try row.string("latest_source"))
            }
        }
    }

    /// One snapshot's points at a time: the snapshots' rows first, then their relations
    /// ``readBatch`` snapshots per statement, each snapshot handed to `body` as it is read.
    public func forEachPoints(series: String, from: Date?, _ body: (SnapshotPoints) throws -> Void) throws {
        guard version > 0 else { return }
        let snapshots = try perform("read the points") {
            () throws(PostgresError) -> [(id: String, point: SnapshotPoint)] in
            try connection.query(HistorySQL.snapshotPoints.sql, [series, from.map(Self.seconds)]).rows.map {
                row throws(PostgresError) in (try row.string("id") ?? "", try Self.point(row, series: series))
            }
        }
        var start = 0
        while start < snapshots.count {
            let batch = snapshots[start..<min(start + Self.readBatch, snapshots.count)]
            start += batch.count
            let relations = try perform("read the points") { () throws(PostgresError) -> [String: [RelationPoint]] in
                var byID: [String: [RelationPoint]] = [:]
                let rows = try connection.query(HistorySQL.relationPoints.sql, [PostgresArray.literal(batch.map(\.id))])
                    .rows
                for row in rows {
                    var relation = RelationPoint(
                        schema: try row.string("schema") ?? "", name: try row.string("name") ?? "",
                        relkind: try row.string("relkind") ?? "", isPartition: try row.bool("is_partition") ?? false,
                        listed: try row.bool("listed") ?? false)
                    relation.totalBytes = try row.int("total_bytes")
                    relation.nLiveTup = try row.int("n_live_tup")
                    relation.reltuples = try row.double("reltuples")
                    relation.nTupIns = try row.int("n_tup_ins")
                    relation.nTupUpd = try row.int("n_tup_upd")
                    relation.nTupDel = try row.int("n_tup_del")
                    relation.writesPerSecond = try row.double("writes_per_second")
                    relation.lastRefreshedAt = try row.double("last_refreshed_at").map(HistoryTime.date(unixSeconds:))
                    byID[try row.string("snapshot_id") ?? "", default: []].append(relation)
                }
                return byID
            }
            for entry in batch {
                try body(SnapshotPoints(snapshot: entry.point, relations: relations[entry.id] ?? []))
            }
        }
    }

    /// The newest full snapshot of `series` as collect wrote it (its JSON), and when it
    /// finished; nil when none was stored.
    public func latestDocument(series: String) throws(HistoryStoreError) -> (finishedAt: Date, document: Data)? {
        guard version > 0 else { return nil }
        return try perform("read the latest snapshot") { () throws(PostgresError) in
            guard let row = try connection.query(HistorySQL.latest.sql, [series]).rows.first,
                let text = try row.string("document")
            else { return nil }
            return (HistoryTime.date(unixSeconds: try row.double("finished_at") ?? 0), Data(text.utf8))
        }
    }

    private static func point(_ row: Row, series: String) throws(PostgresError) -> SnapshotPoint {
        var point = SnapshotPoint(
            series: try row.string("series") ?? series,
            finishedAt: HistoryTime.date(unixSeconds: try row.double("finished_at") ?? 0),
            startedAt: HistoryTime.date(unixSeconds: try row.double("started_at") ?? 0),
            intervalMode: SnapshotPoint.IntervalMode(rawValue: try row.string("interval_mode") ?? "") ?? .delta,
            rateSeconds: try row.double("rate_seconds"), database: try row.string("database") ?? "")
        point.systemIdentifier = try row.string("system_identifier")
        point.host = try row.string("host")
        point.port = try row.string("port")
        point.statsReset = try row.double("stats_reset").map(HistoryTime.date(unixSeconds:))
        point.startTime = try row.double("start_time").map(HistoryTime.date(unixSeconds:))
        point.sizeBytes = try row.int("size_bytes")
        point.xactCommit = try row.int("xact_commit")
        point.tupReturned = try row.int("tup_returned")
        point.tupFetched = try row.int("tup_fetched")
        point.tupInserted = try row.int("tup_inserted")
        point.tupUpdated = try row.int("tup_updated")
        point.tupDeleted = try row.int("tup_deleted")
        point.writesPerSecond = try row.double("writes_per_second")
        point.readsPerSecond = try row.double("reads_per_second")
        point.avgActiveSessions = try row.double("avg_active_sessions")
        point.replicationLagSeconds = try row.double("replication_lag_seconds")
        return point
    }

    // MARK: Trend state

    public func trendState(series: String) throws(HistoryStoreError) -> SeriesHistory? {
        guard version > 0 else { return nil }
        return try transaction("read the trend state", begin: HistorySQL.beginSnapshot) {
            () throws(PostgresError) -> SeriesHistory? in
            guard let header = try connection.query(HistorySQL.trendSeries.sql, [series]).rows.first,
                let count = try header.int("snapshots"), let latest = try header.double("latest_finished_at"),
                try header.int("stored") == count
            else { return nil }
            let latestDate = HistoryTime.date(unixSeconds: latest)
            var points: [SnapshotPoint] = []
            for row in try connection.query(HistorySQL.trendSnapshotPoints.sql, [series]).rows {
                var point = try Self.point(row, series: series)
                guard point.finishedAt <= latestDate else { break }
                point.rows = try row.double("live_rows")
                point.bulkLoads = TrendStateCoding.bulkLoads(try row.string("bulk_loads"))
                point.bulkLoadCount = try row.int("bulk_load_count") ?? 0
                points.append(point)
            }
            guard points.count == count else { return nil }
            var relations: [RelationTrendKey: TrendAccumulator] = [:]
            for row in try connection.query(HistorySQL.trendRelations.sql, [series]).rows {
                guard let kind = RelationTrendKey.Kind(rawValue: try row.string("kind") ?? ""),
                    let relation = try row.string("relation")
                else { continue }
                relations[RelationTrendKey(kind, relation)] = TrendAccumulator(
                    points: try row.int("points") ?? 0, originSeconds: try row.double("origin") ?? 0,
                    meanDays: try row.double("mean_days") ?? 0, meanValue: try row.double("mean_value") ?? 0,
                    sumXX: try row.double("sum_xx") ?? 0, sumXY: try row.double("sum_xy") ?? 0,
                    sumYY: try row.double("sum_yy") ?? 0, latestDays: try row.double("latest_days") ?? 0,
                    latestValue: try row.double("latest_value") ?? 0)
            }
            return SeriesHistory(points: points, relations: relations)
        }
    }

    public func saveTrendState(series: String, _ history: SeriesHistory) throws(HistoryStoreError) {
        try requireSchema()
        guard let latest = history.points.last else { return }
        try transaction("save the trend state") { () throws(PostgresError) in
            try connection.query(HistorySQL.lockTrendState.sql, [series])
            try connection.query(HistorySQL.deleteTrendSeries.sql, [series])
            try connection.query(
                HistorySQL.insertTrendSeries.sql,
                [series, String(history.points.count), Self.seconds(latest.finishedAt)])
            try connection.query(
                HistorySQL.insertTrendSnapshots.sql,
                [
                    series, PostgresArray.literal(history.points.map { Self.seconds($0.finishedAt) }),
                    PostgresArray.literal(history.points.map { Self.number($0.rows) }),
                    PostgresArray.literal(history.points.map { String($0.bulkLoadCount) }),
                    PostgresArray.literal(history.points.map { TrendStateCoding.text($0.bulkLoads) }),
                ])
            let entries = Array(history.relations)
            var offset = 0
            while offset < entries.count {
                let batch = entries[offset..<min(offset + Self.relationBatch, entries.count)]
                func array(_ value: (TrendAccumulator) -> Double) -> String {
                    PostgresArray.literal(batch.map { Self.number(value($0.value)) })
                }
                try connection.query(
                    HistorySQL.insertTrendRelations.sql,
                    [
                        series, PostgresArray.literal(batch.map { $0.key.kind.rawValue }),
                        PostgresArray.literal(batch.map { $0.key.relation }),
                        PostgresArray.literal(batch.map { String($0.value.points) }), array(\.originSeconds),
                        array(\.meanDays), array(\.meanValue), array(\.sumXX), array(\.sumXY), array(\.sumYY),
                        array(\.latestDays), array(\.latestValue),
                    ])
                offset += batch.count
            }
        }
    }

    public func tableSizes(series: String, table: String) throws(HistoryStoreError) -> [SizeSample] {
        guard version > 0 else { return [] }
        return try perform("read a table's sizes") { () throws(PostgresError) -> [SizeSample] in
            var samples: [SizeSample] = []
            for row in try connection.query(HistorySQL.tableSizes.sql, [series, table]).rows {
                guard let at = try row.double("finished_at"), let bytes = try row.int("total_bytes") else { continue }
                samples.append(SizeSample(at: HistoryTime.date(unixSeconds: at), bytes: Double(bytes)))
            }
            return samples
        }
    }

    // MARK: Values

    /// Unix seconds to the millisecond, as text PostgreSQL's float8 reads exactly enough
    /// that `to_timestamp` lands on that millisecond.
    static func seconds(_ date: Date) -> String {
        let milliseconds = (HistoryTime.unixSeconds(date) * 1_000).rounded()
        return String(milliseconds / 1_000)
    }

    static func number(_ value: Int?) -> String? { value.map(String.init) }
    /// Swift prints the shortest text that reads back as the same double; PostgreSQL's
    /// float8 input reads it (and `inf`, `nan`) exactly.
    static func number(_ value: Double?) -> String? { value.map { String($0) } }

    /// The relations' columns as array literals, in ``HistorySQL/insertRelations``'s order.
    static func columns(of relations: ArraySlice<RelationPoint>) -> [String?] {
        func array(_ values: (RelationPoint) -> String?) -> String { PostgresArray.literal(relations.map(values)) }
        func flag(_ value: Bool) -> String { value ? "t" : "f" }
        return [
            array { $0.schema }, array { $0.name }, array { $0.relkind }, array { flag($0.isPartition) },
            array { flag($0.listed) }, array { number($0.totalBytes) }, array { number($0.nLiveTup) },
            array { number($0.reltuples) }, array { number($0.nTupIns) }, array { number($0.nTupUpd) },
            array { number($0.nTupDel) }, array { number($0.writesPerSecond) },
            array { $0.lastRefreshedAt.map(seconds) },
        ]
    }

    // MARK: Errors

    private func requireSchema() throws(HistoryStoreError) {
        guard version > 0 else {
            throw HistoryStoreError(
                .failed, "the history store \(place) is opened read-only and has no schema",
                fix: "write to it with 'dbadvise collect --history …' first")
        }
    }

    @discardableResult
    private func perform<T>(_ operation: String, _ body: () throws(PostgresError) -> T) throws(HistoryStoreError) -> T {
        do {
            return try body()
        } catch {
            throw failure(operation, error)
        }
    }

    /// Runs `body` between BEGIN and COMMIT; any failure rolls back, so a failed append
    /// leaves the store as it was.
    @discardableResult
    private func transaction<T>(
        _ operation: String, begin statement: HistorySQL = HistorySQL.begin, _ body: () throws(PostgresError) -> T
    ) throws(HistoryStoreError) -> T {
        do {
            try connection.query(statement.sql)
            let result = try body()
            try connection.query(HistorySQL.commit.sql)
            return result
        } catch {
            _ = try? connection.query(HistorySQL.rollback.sql)
            throw failure(operation, error)
        }
    }

    private func failure(_ operation: String, _ error: PostgresError) -> HistoryStoreError {
        let reason: String
        switch error {
        case .server(let server):
            reason = server.message + (server.hint.map { " (\($0))" } ?? "")
        default:
            reason = error.message
        }
        let lost: Bool
        switch error {
        case .connectionLost, .connectionFailed: lost = true
        default: lost = false
        }
        return HistoryStoreError(
            lost ? .unavailable : .failed, "cannot \(operation) in the history store \(place): \(reason)",
            fix: error.sqlState == "42501"
                ? "grant the --history role CREATE on the database (to create schema \(HistorySQL.schema)) or "
                    + "INSERT, UPDATE, DELETE and SELECT on its tables"
                : "check the history database's server log for the cause")
    }
}

/// PostgreSQL's array input syntax: `{"a","b",NULL}`, every element quoted, so any text
/// (commas, braces, quotes, backslashes) reads back as itself.
enum PostgresArray {
    static func literal(_ values: [String?]) -> String {
        var text = "{"
        for (index, value) in values.enumerated() {
            if index > 0 { text += "," }
            guard let value else {
                text += "NULL"
                continue
            }
            text += "\""
            for character in value {
                if character == "\"" || character == "\\" { text += "\\" }
                text.append(character)
            }
            text += "\""
        }
        return text + "}"
    }
}
