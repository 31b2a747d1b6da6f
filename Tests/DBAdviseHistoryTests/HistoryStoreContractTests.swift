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
        #expect(try TestServer.psql("SELECT count(*) FROM dbadvise_history.schema_version", dsn: dsn)
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
        #expect(try TestServer.psql("SELECT count(*) FROM dbadvise_history.schema_version", dsn: dsn)
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
