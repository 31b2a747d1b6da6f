import DBAdviseTestSupport
import Foundation
import Testing

/// Issue 19 on a real database: `collect --output DIR/` appends each snapshot's points to
/// `DIR/history.sqlite`, and `analyze --input DIR/` reads the earlier snapshots from it (the
/// newest in full from its file). The store-backed report must be the file-only one (every
/// file decoded, as `--input` with the files themselves does), whatever happened to the
/// files: an old directory without a store, a changed file, a removed one, retention.
@Suite("history store on a real database", .serialized, TestServer.enabled)
struct HistoryStoreTests {
    /// Table sizes in the config: 0.05 GB warning so the forecast lands in days, not years.
    static func config() throws -> String {
        try Shell.configFile("thresholds:\n  table_size_gb: {warning: 0.05, critical: 0.5}\n")
    }

    static func snapshotFiles(_ history: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: history.path).filter { $0.hasSuffix(".json") }.sorted()
            .map { history.appendingPathComponent($0).path }
    }

    static func store(_ history: URL) -> String { history.appendingPathComponent("history.sqlite").path }

    /// The JSON report of `analyze` without `generated_at` (the one key that is the clock's).
    static func report(_ inputs: [String], config: String, command: String = "analyze") throws -> NSDictionary {
        let result = try Shell.dbadvise(
            [command, "--config", config, "--format", "json"] + inputs.flatMap { ["--input", $0] })
        // check always gates: 1 is a breach, not a failure to read.
        try #require(result.status == 0 || (command == "check" && result.status == 1), "\(command): \(result.stderr)")
        var object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        object["generated_at"] = nil
        return object as NSDictionary
    }

    /// Through the store (one directory) and from every file (the files named one by one).
    static func bothWays(_ history: URL, config: String) throws -> (store: NSDictionary, files: NSDictionary) {
        let store = try report([history.path + "/"], config: config)
        let files = try report(try snapshotFiles(history), config: config)
        return (store, files)
    }

    /// The top-level keys whose values differ: what a failed comparison names.
    static func differences(_ left: NSDictionary, _ right: NSDictionary) -> [String] {
        let keys = Set(left.allKeys.compactMap { $0 as? String }).union(right.allKeys.compactMap { $0 as? String })
        return keys.filter { key in
            switch (left[key], right[key]) {
            case (nil, nil): false
            case let (a as NSObject, b as NSObject): !a.isEqual(b)
            default: true
            }
        }.sorted().map { key in "\(key): \(left[key] ?? "nil") ≠ \(right[key] ?? "nil")" }
    }

    static func growth(_ report: NSDictionary) -> (snapshots: Int?, forecasts: Int) {
        let growth = report["growth"] as? [String: Any]
        return (growth?["snapshots"] as? Int, (report["forecasts"] as? [Any])?.count ?? 0)
    }

    @Test func theStoreGivesTheFileOnlyTrendsAndForecasts() throws {
        let history = try GrowthSeriesTests.collectGrowingSeries(database: "history_store")
        #expect(FileManager.default.fileExists(atPath: Self.store(history)), "collect --output DIR/ writes the store")
        let config = try Self.config()
        // The files were retimed after collection (see collectGrowingSeries): the store
        // indexes them again, as it does any changed file.
        let (store, files) = try Self.bothWays(history, config: config)
        #expect(Self.growth(files).snapshots == 5)
        #expect(Self.growth(files).forecasts > 0, "a series long enough to forecast from")
        #expect(store == files, "\(Self.differences(store, files))")
        // check reads a directory the same way.
        let checkStore = try Self.report([history.path + "/"], config: config, command: "check")
        let checkFiles = try Self.report(try Self.snapshotFiles(history), config: config, command: "check")
        #expect(checkStore == checkFiles)
        // Text, with the growth and forecast sentences, too.
        let text = try Shell.dbadvise(["analyze", "--config", config, "--input", history.path])
        let textFiles = try Shell.dbadvise(
            ["analyze", "--config", config] + (try Self.snapshotFiles(history)).flatMap { ["--input", $0] })
        #expect(text.stdout.contains("public.events reaches table_size_gb"))
        #expect(text.stdout == textFiles.stdout)
    }

    @Test func thePointsCollectAppendsAreTheFilesPoints() throws {
        // Files as collect wrote them: the store holds what collect appended (never indexed
        // from the files), and must still give the report the files give.
        let history = try GrowthSeriesTests.collectGrowingSeries(count: 3, database: "history_collected", retime: false)
        let (store, files) = try Self.bothWays(history, config: try Self.config())
        #expect(Self.growth(files).snapshots == 3)
        #expect(store == files, "\(Self.differences(store, files))")
    }

    @Test func anOldDirectoryIsIndexedOnceAndAChangedFileAgain() throws {
        let history = try GrowthSeriesTests.collectGrowingSeries(database: "history_index")
        try FileManager.default.removeItem(atPath: Self.store(history))
        let config = try Self.config()
        let (store, files) = try Self.bothWays(history, config: config)
        #expect(FileManager.default.fileExists(atPath: Self.store(history)), "a directory without a store gets one")
        #expect(store == files, "\(Self.differences(store, files))")

        // An indexed file whose size and time stand is not read again: blanked in place with
        // its time put back, the report stays what it was.
        let oldest = try #require(try Self.snapshotFiles(history).first)
        let attributes = try FileManager.default.attributesOfItem(atPath: oldest)
        let modified = try #require(attributes[.modificationDate] as? Date)
        let size = try #require((attributes[.size] as? NSNumber)?.intValue)
        try Data(repeating: UInt8(ascii: " "), count: size).write(to: URL(fileURLWithPath: oldest))
        try FileManager.default.setAttributes([.modificationDate: modified], ofItemAtPath: oldest)
        #expect(try Self.report([history.path], config: config) == files)

        // Its time moved: it is read again, and what it now holds is refused by name.
        try FileManager.default.setAttributes(
            [.modificationDate: modified.addingTimeInterval(60)], ofItemAtPath: oldest)
        let refused = try Shell.dbadvise(["analyze", "--input", history.path])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains(URL(fileURLWithPath: oldest).lastPathComponent))
    }

    @Test func aChangedFileHasItsPointsReplaced() throws {
        let history = try GrowthSeriesTests.collectGrowingSeries(database: "history_changed")
        let config = try Self.config()
        let before = try Self.bothWays(history, config: config)
        #expect(before.store == before.files)

        // The second snapshot's events table ten times larger: the trend must move with it.
        let second = try Self.snapshotFiles(history)[1]
        var json = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: second))) as? [String: Any])
        var tables = try #require(json["tables"] as? [[String: Any]])
        let index = try #require(tables.firstIndex { $0["name"] as? String == "events" })
        let bytes = try #require(tables[index]["total_bytes"] as? Int)
        tables[index]["total_bytes"] = bytes * 10
        json["tables"] = tables
        try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys])
            .write(to: URL(fileURLWithPath: second))

        let after = try Self.bothWays(history, config: config)
        #expect(after.store == after.files, "\(Self.differences(after.store, after.files))")
        #expect(after.store != before.store, "the changed size is in the trend")
    }

    @Test func aRemovedFileHasItsPointsRemoved() throws {
        let history = try GrowthSeriesTests.collectGrowingSeries(database: "history_removed")
        let config = try Self.config()
        let before = try Self.bothWays(history, config: config)
        #expect(Self.growth(before.store).snapshots == 5)

        try FileManager.default.removeItem(atPath: try Self.snapshotFiles(history)[1])
        let after = try Self.bothWays(history, config: config)
        #expect(Self.growth(after.store).snapshots == 4)
        #expect(after.store == after.files, "\(Self.differences(after.store, after.files))")
    }

    @Test func retentionDeletesOldFilesAndKeepsTheirPoints() throws {
        // Five collections six hours apart, ending at the last one: the next collection is
        // the newest snapshot, and ages count back from it, not from the test's clock.
        let history = try GrowthSeriesTests.collectGrowingSeries(database: "history_retention", endingNow: true)
        let dsn = try TestServer.dsn(database: "history_retention")
        let oldest = try Self.snapshotFiles(history)
        #expect(oldest.count == 5, "without the key every file stays")

        // Kept for 30 days: a day of files is all kept.
        let keepMonth = try Shell.configFile("history:\n  keep_snapshot_files_days: 30\n")
        let month = try Shell.dbadvise(
            ["collect", "--dsn", dsn, "--interval", "0", "--output", history.path + "/"],
            environment: ["DBADVISE_CONFIG": keepMonth])
        #expect(month.status == 0, "\(month.stderr)")
        #expect(try Self.snapshotFiles(history).count == 6)
        #expect(!month.stderr.contains("deleted"))

        // Kept for half a day: the collections 24, 18 and 12 hours before the newest go.
        let keepHalfDay = try Shell.configFile("history:\n  keep_snapshot_files_days: 0.5\n")
        let halfDay = try Shell.dbadvise(
            ["collect", "--dsn", dsn, "--interval", "0", "--output", history.path + "/"],
            environment: ["DBADVISE_CONFIG": keepHalfDay])
        #expect(halfDay.status == 0, "\(halfDay.stderr)")
        #expect(halfDay.stderr.contains("deleted 3 snapshot files"), "\(halfDay.stderr)")
        let left = try Self.snapshotFiles(history)
        #expect(left.count == 4)
        #expect(Set(left).isDisjoint(with: oldest.prefix(3)))

        // Their points stay: the series still counts every collection, and a retired file's
        // absence is not read as a removed one.
        let report = try Self.report([history.path], config: try Self.config())
        #expect(Self.growth(report).snapshots == 7)
        #expect(Self.growth(try Self.report([history.path], config: try Self.config())).snapshots == 7)
    }

    @Test func aBadHistoryKeyIsRefusedBeforeCollecting() throws {
        let bad = try Shell.configFile("history:\n  keep_snapshot_files_days: 0\n")
        let history = try Shell.temporaryDirectory().appendingPathComponent("h", isDirectory: true)
        let result = try Shell.dbadvise(
            ["collect", "--dsn", try TestServer.dsn(), "--interval", "0", "--output", history.path + "/"],
            environment: ["DBADVISE_CONFIG": bad])
        #expect(result.status == 2)
        #expect(result.stderr.contains("history.keep_snapshot_files_days"))
        #expect(try Self.snapshotFiles(history).isEmpty)
    }
}
