import DBAdviseAnalysis
import DBAdviseHistory
import DBAdviseModel
import DBAdviseOutput
import DBAdviseTestSupport
import Foundation
import GRDB
import Testing

/// The embedded store on its own: the schema and its version, and what append, remove and
/// retire do to the points. Snapshots are the real collections in samples/.
@Suite("SQLite history store")
struct SQLiteHistoryStoreTests {
    static func sample(_ name: String) throws -> Snapshot {
        let url = Shell.packageRoot.appendingPathComponent("samples/snapshots/\(name).json")
        return try SnapshotCoding.decode(Snapshot.self, from: Data(contentsOf: url))
    }

    static func newStore() throws -> (store: SQLiteHistoryStore, path: String) {
        let path = try Shell.temporaryDirectory().appendingPathComponent(SQLiteHistoryStore.fileName).path
        return (try SQLiteHistoryStore(path: path), path)
    }

    static func source(_ name: String) -> SourceFile {
        SourceFile(name: name, sizeBytes: 1, modifiedAt: Date(timeIntervalSince1970: 0), contentSHA256: "00")
    }

    @Test(arguments: ["pgbench", "primary-lagging-standby", "query-mix", "idle"])
    func pointsComeBackAsTheyWent(sample: String) throws {
        let snapshot = try Self.sample(sample)
        let points = SnapshotPoints(snapshot: snapshot)
        #expect(!points.relations.isEmpty)
        let (store, _) = try Self.newStore()
        try store.append(points, source: Self.source("\(sample).json"))
        let stored = try store.points(series: points.snapshot.series)
        // Bit for bit, times included: the trends of stored points are the files' trends.
        #expect(stored == [points])
    }

    @Test func theSchemaHasAVersionAndANewerStoreIsRefused() throws {
        let (store, path) = try Self.newStore()
        #expect(try store.schemaVersion() == SQLiteHistoryStore.currentVersion)
        // Opening again applies nothing twice.
        #expect(try SQLiteHistoryStore(path: path).schemaVersion() == SQLiteHistoryStore.currentVersion)
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: "INSERT INTO schema_version (version, applied_at) VALUES (99, 0)")
        }
        #expect {
            _ = try SQLiteHistoryStore(path: path)
        } throws: { error in
            (error as? HistoryStoreError)?.kind == .newerSchema
        }
    }

    @Test func theSameSnapshotIndexedAgainReplacesItsPoints() throws {
        let (store, _) = try Self.newStore()
        var points = SnapshotPoints(snapshot: try Self.sample("pgbench"))
        try store.append(points, source: Self.source("a.json"))
        points.snapshot.sizeBytes = 42
        try store.append(points, source: Self.source("a.json"))
        let stored = try store.points(series: points.snapshot.series)
        #expect(stored.count == 1)
        #expect(stored.first?.snapshot.sizeBytes == 42)
        #expect(try store.sources().count == 1)
    }

    @Test func removingASourceRemovesItsPointsAndRetiringKeepsThem() throws {
        let (store, _) = try Self.newStore()
        let first = SnapshotPoints(snapshot: try Self.sample("pgbench"))
        var second = first
        second.snapshot.finishedAt = first.snapshot.finishedAt.addingTimeInterval(3_600)
        try store.append(first, source: Self.source("first.json"))
        try store.append(second, source: Self.source("second.json"))
        #expect(try store.series().first?.snapshots == 2)
        #expect(try store.series().first?.latestSource == "second.json")

        try store.retireSource(named: "first.json", at: Date(timeIntervalSince1970: 1))
        #expect(try store.points(series: first.snapshot.series).count == 2)
        #expect(try store.sources().first { $0.name == "first.json" }?.retiredAt != nil)

        try store.removeSource(named: "first.json")
        let left = try store.points(series: first.snapshot.series)
        #expect(left.map(\.snapshot.finishedAt) == [second.snapshot.finishedAt])
        #expect(try store.sources().map(\.name) == ["second.json"])
    }
}
