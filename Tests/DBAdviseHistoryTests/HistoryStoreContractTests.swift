import DBAdviseAnalysis
import DBAdviseHistory
import DBAdviseModel
import DBAdviseTestSupport
import Foundation
import StatementParser
import Testing

/// What every ``HistoryStore`` must do, run against both stores: the embedded SQLite one and
/// the shared PostgreSQL one on the throwaway server. Snapshots are the real collections in
/// samples/.
enum HistoryStoreContract {
    static func source(_ name: String) -> SourceFile {
        SourceFile(name: name, sizeBytes: 1, modifiedAt: Date(timeIntervalSince1970: 0), contentSHA256: "00")
    }

    static func pointsComeBackAsTheyWent(_ store: any HistoryStore, sample: String) throws {
        let points = SnapshotPoints(snapshot: try SQLiteHistoryStoreTests.sample(sample))
        #expect(!points.relations.isEmpty)
        try store.append(points, source: source("\(sample).json"))
        // Bit for bit, times included: the trends of stored points are the files' trends.
        #expect(try store.points(series: points.snapshot.series) == [points])
    }

    static func theSameSnapshotAppendedAgainReplacesItsPoints(_ store: any HistoryStore) throws {
        var points = SnapshotPoints(snapshot: try SQLiteHistoryStoreTests.sample("pgbench"))
        try store.append(points, source: source("a.json"))
        points.snapshot.sizeBytes = 42
        points.relations.removeLast()
        try store.append(points, source: source("a.json"))
        let stored = try store.points(series: points.snapshot.series)
        #expect(stored == [points])
        #expect(try store.sources().count == 1)
        // Without a source (collect --history), too.
        try store.append(points, source: nil)
        #expect(try store.points(series: points.snapshot.series) == [points])
    }

    static func removingASourceRemovesItsPointsAndRetiringKeepsThem(_ store: any HistoryStore) throws {
        let first = SnapshotPoints(snapshot: try SQLiteHistoryStoreTests.sample("pgbench"))
        var second = first
        second.snapshot.finishedAt = first.snapshot.finishedAt.addingTimeInterval(3_600)
        try store.append(second, source: source("second.json"))
        try store.append(first, source: source("first.json"))
        let summary = try #require(try store.series().first)
        #expect(summary.snapshots == 2)
        #expect(summary.latestSource == "second.json")
        #expect(summary.latestFinishedAt == second.snapshot.finishedAt)
        #expect(
            try store.points(series: first.snapshot.series).map(\.snapshot.finishedAt) == [
                first.snapshot.finishedAt, second.snapshot.finishedAt,
            ])

        try store.retireSource(named: "first.json", at: Date(timeIntervalSince1970: 1))
        #expect(try store.points(series: first.snapshot.series).count == 2)
        let retired = try #require(try store.sources().first { $0.name == "first.json" })
        #expect(retired.retiredAt != nil)
        #expect(retired.finishedAt == first.snapshot.finishedAt)

        try store.removeSource(named: "first.json")
        #expect(
            try store.points(series: first.snapshot.series).map(\.snapshot.finishedAt) == [second.snapshot.finishedAt])
        #expect(try store.sources().map(\.name) == ["second.json"])
    }

    /// The sample `hours` later, as a file holds it (times to the millisecond): every table
    /// and the database a little larger, counters advanced.
    static func advanced(_ base: Snapshot, hours: Int) throws -> Snapshot {
        var snapshot = base
        let shift = Double(hours) * 3_600
        snapshot.interval.startedAt = base.interval.startedAt.addingTimeInterval(shift)
        snapshot.interval.finishedAt = base.interval.finishedAt.addingTimeInterval(shift)
        var tables = base.tables ?? []
        for index in tables.indices {
            let rows = 100 * (index + 1) * (hours + 5)
            tables[index].totalBytes = tables[index].totalBytes.map { $0 + 8_192 * rows }
            tables[index].nLiveTup = (tables[index].nLiveTup ?? 0) + rows
            tables[index].nTupIns = tables[index].nTupIns.map { $0 + rows }
        }
        snapshot.tables = tables
        snapshot.database?.sizeBytes = base.database?.sizeBytes.map { $0 + 1_000_000 * (hours + 5) }
        snapshot.database?.xactCommit = base.database?.xactCommit.map { $0 + 1_000 * (hours + 5) }
        return try SnapshotCoding.decode(Snapshot.self, from: try SnapshotCoding.encode(snapshot))
    }

    /// The trend state is the one ``SeriesHistory`` the files fold into, whatever happened
    /// to the store: kept up by each collection, dropped by a snapshot added before its latest
    /// or a removed source and rebuilt, continued with a live snapshot.
    static func theTrendStateIsTheFilesHistory(_ store: any HistoryStore) throws {
        let base = try SQLiteHistoryStoreTests.sample("pgbench")
        let hourly = try (0..<5).map { try advanced(base, hours: $0) }
        let series = SnapshotPoints.series(of: base)
        for (hour, snapshot) in hourly.enumerated() {
            try store.append(SnapshotPoints(snapshot: snapshot), source: source("\(hour).json"))
            _ = try HistoryTrends.current(store, series: series, save: .always)
        }
        #expect(try store.trendState(series: series) == SeriesHistory(snapshots: hourly))
        let latest = try #require(hourly.last)
        #expect(
            try HistoryTrends.history(store, series: series, latest: latest, save: .never)
                == SeriesHistory(snapshots: hourly))

        // Points appended without the state (an older dbadvise, a failed update): caught up.
        let later = try advanced(base, hours: 5)
        try store.append(SnapshotPoints(snapshot: later), source: source("5.json"))
        #expect(try store.trendState(series: series)?.points.count == 5)
        #expect(
            try HistoryTrends.current(store, series: series, save: .always)
                == SeriesHistory(snapshots: hourly + [later]))
        #expect(try store.trendState(series: series) == SeriesHistory(snapshots: hourly + [later]))

        // A snapshot before the latest drops the state; it is rebuilt in time order.
        let early = try advanced(base, hours: -1)
        try store.append(SnapshotPoints(snapshot: early), source: source("early.json"))
        #expect(try store.trendState(series: series) == nil)
        let all = [early] + hourly + [later]
        #expect(try HistoryTrends.current(store, series: series, save: .always) == SeriesHistory(snapshots: all))

        // A removed source drops it too.
        try store.removeSource(named: "2.json")
        #expect(try store.trendState(series: series) == nil)
        let left = all.filter { $0.interval.finishedAt != hourly[2].interval.finishedAt }
        #expect(try HistoryTrends.current(store, series: series, save: .always) == SeriesHistory(snapshots: left))

        // A live snapshot newer than the store is folded in after it, nothing saved.
        let live = try advanced(base, hours: 8)
        #expect(
            try HistoryTrends.history(store, series: series, latest: live, save: .never)
                == SeriesHistory(snapshots: left + [live]))
        // One older than stored points sees only the points before it.
        let between = try advanced(base, hours: 3).withFinish(offset: 600)
        #expect(
            try HistoryTrends.history(store, series: series, latest: between, save: .never)
                == SeriesHistory(
                    snapshots: left.filter { $0.interval.finishedAt < between.interval.finishedAt } + [between]))
        #expect(try store.trendState(series: series) == SeriesHistory(snapshots: left))
    }

    static func seriesAreKeptApart(_ store: any HistoryStore) throws {
        let one = SnapshotPoints(snapshot: try SQLiteHistoryStoreTests.sample("pgbench"))
        var other = one
        other.snapshot.series = "other@1"
        other.snapshot.finishedAt = one.snapshot.finishedAt.addingTimeInterval(60)
        try store.append(one, source: nil)
        try store.append(other, source: nil)
        #expect(try store.series().map(\.series) == ["other@1", one.snapshot.series])
        #expect(try store.points(series: "other@1") == [other])
        #expect(try store.points(series: "nosuch@1").isEmpty)
    }
}

@Suite("history store contract: SQLite")
struct SQLiteHistoryStoreContractTests {
    func store() throws -> SQLiteHistoryStore { try SQLiteHistoryStoreTests.newStore().store }

    @Test(arguments: ["pgbench", "primary-lagging-standby", "query-mix", "idle"])
    func pointsComeBackAsTheyWent(sample: String) throws {
        try HistoryStoreContract.pointsComeBackAsTheyWent(try store(), sample: sample)
    }

    @Test func theSameSnapshotAppendedAgainReplacesItsPoints() throws {
        try HistoryStoreContract.theSameSnapshotAppendedAgainReplacesItsPoints(try store())
    }

    @Test func removingASourceRemovesItsPointsAndRetiringKeepsThem() throws {
        try HistoryStoreContract.removingASourceRemovesItsPointsAndRetiringKeepsThem(try store())
    }

    @Test func seriesAreKeptApart() throws {
        try HistoryStoreContract.seriesAreKeptApart(try store())
    }

    @Test func theTrendStateIsTheFilesHistory() throws {
        try HistoryStoreContract.theTrendStateIsTheFilesHistory(try store())
    }
}

@Suite("history store contract: PostgreSQL", .serialized, TestServer.enabled)
struct PostgresHistoryStoreContractTests {
    /// A store in a database of its own, so each case starts empty.
    func store(_ name: String) throws -> PostgresHistoryStore {
        try PostgresHistoryStore(
            conninfo: try TestServer.freshDatabase("history_contract_\(name)", statements: false), access: .readWrite)
    }

    @Test(arguments: ["pgbench", "primary-lagging-standby", "query-mix", "idle"])
    func pointsComeBackAsTheyWent(sample: String) throws {
        try HistoryStoreContract.pointsComeBackAsTheyWent(
            try store(sample.replacingOccurrences(of: "-", with: "_")), sample: sample)
    }

    @Test func theSameSnapshotAppendedAgainReplacesItsPoints() throws {
        try HistoryStoreContract.theSameSnapshotAppendedAgainReplacesItsPoints(try store("again"))
    }

    @Test func removingASourceRemovesItsPointsAndRetiringKeepsThem() throws {
        try HistoryStoreContract.removingASourceRemovesItsPointsAndRetiringKeepsThem(try store("sources"))
    }

    @Test func seriesAreKeptApart() throws {
        try HistoryStoreContract.seriesAreKeptApart(try store("series"))
    }

    @Test func theTrendStateIsTheFilesHistory() throws {
        try HistoryStoreContract.theTrendStateIsTheFilesHistory(try store("trends"))
    }

    @Test func theSchemaIsCreatedOnceWithItsVersionAndANewerOneIsRefused() throws {
        let dsn = try TestServer.freshDatabase("history_contract_schema", statements: false)
        // A reader creates nothing.
        let reader = try PostgresHistoryStore(conninfo: dsn, access: .readOnly)
        #expect(reader.version == 0)
        #expect(try reader.series().isEmpty)
        #expect(
            try TestServer.psql("SELECT count(*) FROM pg_namespace WHERE nspname = 'dbadvise_history'", dsn: dsn) == "0"
        )

        let first = try PostgresHistoryStore(conninfo: dsn, access: .readWrite)
        #expect(first.migrationsApplied == PostgresHistoryStore.currentVersion)
        #expect(try first.schemaVersion() == PostgresHistoryStore.currentVersion)
        let again = try PostgresHistoryStore(conninfo: dsn, access: .readWrite)
        #expect(again.migrationsApplied == 0, "a current store migrates nothing")
        #expect(
            try TestServer.psql("SELECT count(*) FROM dbadvise_history.schema_version", dsn: dsn)
                == String(PostgresHistoryStore.currentVersion))
        #expect(
            try TestServer.psql(
                "SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.tables "
                    + "WHERE table_schema = 'dbadvise_history'", dsn: dsn)
                == "latest_snapshots,relations,schema_version,snapshots,sources,trend_relations,trend_series,"
                + "trend_snapshots")

        try TestServer.psql("INSERT INTO dbadvise_history.schema_version VALUES (99, now())", dsn: dsn)
        for access in [PostgresHistoryStore.Access.readWrite, .readOnly] {
            #expect {
                _ = try PostgresHistoryStore(conninfo: dsn, access: access)
            } throws: { error in
                (error as? HistoryStoreError)?.kind == .newerSchema
            }
        }
    }

    @Test func collectorsOpeningANewStoreAtOnceCreateItOnce() throws {
        let dsn = try TestServer.freshDatabase("history_contract_race", statements: false)
        final class Outcomes: @unchecked Sendable {
            let lock = NSLock()
            var applied: [Int] = []
            var errors: [String] = []
        }
        let outcomes = Outcomes()
        DispatchQueue.concurrentPerform(iterations: 6) { _ in
            do {
                let store = try PostgresHistoryStore(conninfo: dsn, access: .readWrite)
                outcomes.lock.withLock { outcomes.applied.append(store.migrationsApplied) }
            } catch {
                outcomes.lock.withLock { outcomes.errors.append("\(error)") }
            }
        }
        #expect(outcomes.errors.isEmpty, "\(outcomes.errors)")
        #expect(outcomes.applied.count == 6)
        #expect(
            outcomes.applied.reduce(0, +) == PostgresHistoryStore.currentVersion,
            "one of them migrated: \(outcomes.applied)")
        #expect(
            try TestServer.psql("SELECT count(*) FROM dbadvise_history.schema_version", dsn: dsn)
                == String(PostgresHistoryStore.currentVersion))
    }

    @Test func theNewestFullSnapshotStaysTheNewest() throws {
        let store = try store("latest")
        let points = SnapshotPoints(snapshot: try SQLiteHistoryStoreTests.sample("pgbench"))
        var older = points
        older.snapshot.finishedAt = points.snapshot.finishedAt.addingTimeInterval(-3_600)
        try store.append(points, source: nil, document: Data("{\"newest\": true}".utf8))
        // A collection that lands late keeps its points but not the newest document's place.
        try store.append(older, source: nil, document: Data("{\"newest\": false}".utf8))
        let latest = try #require(try store.latestDocument(series: points.snapshot.series))
        #expect(latest.finishedAt == points.snapshot.finishedAt)
        #expect(String(decoding: latest.document, as: UTF8.self).contains("true"))
        #expect(try store.points(series: points.snapshot.series).count == 2)
    }

    @Test func namesWithQuotesCommasAndBracesComeBackAsThemselves() throws {
        let store = try store("names")
        var points = SnapshotPoints(snapshot: try SQLiteHistoryStoreTests.sample("pgbench"))
        points.relations[0].name = "a\"b,c{d}\\e NULL"
        points.relations[0].schema = "NULL"
        points.relations[0].totalBytes = nil
        try store.append(points, source: nil)
        #expect(try store.points(series: points.snapshot.series) == [points])
    }

    @Test func anUnreachableStoreIsUnavailable() throws {
        #expect {
            _ = try PostgresHistoryStore(conninfo: "host=127.0.0.1 port=1 dbname=x", access: .readWrite)
        } throws: { error in
            (error as? HistoryStoreError)?.kind == .unavailable
        }
    }
}

/// Every statement the shared store sends names everything by its schema, as the
/// collector's do: a function or operator someone creates in the history database cannot
/// stand in for pg_catalog's.
@Suite("history store SQL is schema-qualified")
struct HistorySQLQualificationTests {
    @Test func everyStatementQualifiesEveryName() throws {
        #expect(HistorySQL.all.count > 20)
        #expect(Set(HistorySQL.all.map(\.name)).count == HistorySQL.all.count, "names are unique")
        for statement in HistorySQL.all {
            let objects: ReferencedObjects
            switch StatementParser.referencedObjects(statement.sql) {
            case .success(let found): objects = found
            case .failure(let error):
                Issue.record("\(statement.name) does not parse: \(error)")
                continue
            }
            for name in objects.functions + objects.operators + objects.types where !name.hasPrefix("pg_catalog.") {
                Issue.record("\(statement.name): \(name) is not qualified with pg_catalog")
            }
            for name in objects.relations where !name.hasPrefix(HistorySQL.schema + ".") {
                Issue.record("\(statement.name): relation \(name) is not in \(HistorySQL.schema)")
            }
        }
    }

    /// Values are parameters: no statement text is built from a value.
    @Test func noStatementIsBuiltFromValues() throws {
        let directory = Shell.packageRoot.appendingPathComponent("Sources/DBAdviseHistory")
        for file in ["PostgresHistoryStore.swift", "PostgresHistorySQL.swift"] {
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            // every query sends a registered statement's text
            let sent = text.matches(of: try Regex(#"connection\.query\("#)).count
            let registered = text.matches(
                of: try Regex(#"connection\.query\(\s*(HistorySQL\.[a-zA-Z]+|statement)\.sql"#)
            ).count
            #expect(sent == registered, "\(file) sends SQL that is not a HistorySQL statement")
            #expect(file != "PostgresHistoryStore.swift" || sent > 10)
        }
    }
}

extension Snapshot {
    /// The snapshot finished `offset` seconds later (its window as long).
    fileprivate func withFinish(offset: Double) throws -> Snapshot {
        var snapshot = self
        snapshot.interval.startedAt = interval.startedAt.addingTimeInterval(offset)
        snapshot.interval.finishedAt = interval.finishedAt.addingTimeInterval(offset)
        return try SnapshotCoding.decode(Snapshot.self, from: try SnapshotCoding.encode(snapshot))
    }
}

/// A real SQLite store whose trend state cannot be saved (as a read-only file refuses it).
final class StateRefusingStore: HistoryStore {
    let store: SQLiteHistoryStore
    init(_ store: SQLiteHistoryStore) { self.store = store }

    func append(_ points: SnapshotPoints, source: SourceFile?) throws(HistoryStoreError) {
        try store.append(points, source: source)
    }
    func sources() throws(HistoryStoreError) -> [SourceFile] { try store.sources() }
    func removeSource(named name: String) throws(HistoryStoreError) { try store.removeSource(named: name) }
    func retireSource(named name: String, at date: Date) throws(HistoryStoreError) {
        try store.retireSource(named: name, at: date)
    }
    func series() throws(HistoryStoreError) -> [SeriesSummary] { try store.series() }
    func forEachPoints(series: String, from: Date?, _ body: (SnapshotPoints) throws -> Void) throws {
        try store.forEachPoints(series: series, from: from, body)
    }
    func trendState(series: String) throws(HistoryStoreError) -> SeriesHistory? { try store.trendState(series: series) }
    func saveTrendState(series: String, _ history: SeriesHistory) throws(HistoryStoreError) {
        throw HistoryStoreError(.failed, "attempt to write a readonly database", fix: "")
    }
    func tableSizes(series: String, table: String) throws(HistoryStoreError) -> [SizeSample] {
        try store.tableSizes(series: series, table: table)
    }
}

@Suite("trend state that cannot be saved")
struct UnsavableTrendStateTests {
    /// analyze reports from a store it cannot write (the state is a cache); collect is told.
    @Test func analyzeReadsOnCollectIsTold() throws {
        let store = StateRefusingStore(try SQLiteHistoryStoreTests.newStore().store)
        let base = try SQLiteHistoryStoreTests.sample("pgbench")
        let hourly = try (0..<3).map { try HistoryStoreContract.advanced(base, hours: $0) }
        for snapshot in hourly { try store.append(SnapshotPoints(snapshot: snapshot), source: nil) }
        let series = SnapshotPoints.series(of: base)
        let latest = try #require(hourly.last)
        #expect(
            try HistoryTrends.history(store, series: series, latest: latest, save: .ifPossible)
                == SeriesHistory(snapshots: hourly))
        #expect(throws: HistoryStoreError.self) {
            try HistoryTrends.current(store, series: series, save: .always)
        }
        #expect(try store.trendState(series: series) == nil)
    }
}
