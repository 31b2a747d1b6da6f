import DBAdviseAnalysis
import DBAdviseModel
import DBAdviseOutput
import Foundation
import Testing

/// Snapshots are written and read with each type's own snake_case `CodingKeys` and no key
/// conversion: what an earlier `collect` wrote must read back and be written again byte for byte.
@Suite struct SnapshotCodingTests {
    static let samples: [String] = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("samples")
        return ["snapshots", "history"].flatMap { folder in
            let directory = root.appendingPathComponent(folder)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            return names.filter { $0.hasSuffix(".json") }.sorted().map { directory.appendingPathComponent($0).path }
        }
    }()

    @Test func thereAreSamples() {
        #expect(Self.samples.count >= 3)
    }

    /// Byte for byte but for the last millisecond of timestamps: a timestamp read and written
    /// again can come out a millisecond earlier (the parsed fraction is a binary double, and
    /// formatting truncates it), as it always has; that is not the keys' doing.
    @Test(arguments: samples)
    func samplesReadAndWrittenAgainAreTheSameBytes(path: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let snapshot = try SnapshotCoding.decode(Snapshot.self, from: data)
        let written = try SnapshotCoding.encode(snapshot)
        #expect(written == (try SnapshotCoding.encoder().encode(snapshot)))
        let (writtenText, writtenTimes) = Self.timesTakenOut(written)
        let (fileText, fileTimes) = Self.timesTakenOut(data)
        #expect(writtenText == fileText)
        #expect(writtenTimes.count == fileTimes.count)
        for (writtenTime, fileTime) in zip(writtenTimes, fileTimes) {
            #expect(abs(writtenTime.timeIntervalSince(fileTime)) < 0.0015, "\(writtenTime) vs \(fileTime)")
        }
    }

    /// The text with each timestamp replaced by `<time>`, and the timestamps in order.
    static func timesTakenOut(_ json: Data) -> (text: String, times: [Date]) {
        var times: [Date] = []
        let text = String(decoding: json, as: UTF8.self).replacing(/"(\d{4}-\d\d-\d\dT[0-9:.]+Z)"/) { match in
            times.append(SnapshotCoding.parseTimestamp(String(match.output.1)) ?? .distantPast)
            return "\"<time>\""
        }
        return (text, times)
    }

    /// The keys of a `[String: V]` are data (wait event types as pg_stat_activity names them):
    /// written and read as they are, and named as they are in an error.
    @Test func dictionaryKeysAreKeptAsTheyAre() throws {
        var snapshot = minimalSnapshot()
        snapshot.activity?.waitEventTypes = ["LWLock": 0.5, "IO_wait": 1, "CPU": 2]
        let text = String(decoding: try SnapshotCoding.encode(snapshot), as: UTF8.self)
        #expect(text.contains("\"LWLock\" : 0.5") && text.contains("\"IO_wait\" : 1") && text.contains("\"CPU\" : 2"))
        #expect(text.contains("\"wait_event_types\" : {"))
        #expect(try SnapshotCoding.decode(Snapshot.self, from: Data(text.utf8)) == snapshot)

        let wrong = text.replacingOccurrences(of: "\"LWLock\" : 0.5", with: "\"LWLock\" : \"half\"")
        #expect(throws: DecodingError.self) { try SnapshotCoding.decode(Snapshot.self, from: Data(wrong.utf8)) }
        do {
            _ = try SnapshotCoding.decoder().decode(Snapshot.self, from: Data(wrong.utf8))
            Issue.record("a string where a number belongs was read")
        } catch let error as DecodingError {
            #expect(DecodingErrorText.describe(error) == "activity.wait_event_types.LWLock: expected a number")
        }
    }

    /// Error texts name the key as the file spells it, through arrays and nested objects.
    @Test func decodingErrorsNameTheFilesKeys() throws {
        var snapshot = minimalSnapshot()
        var table = TableStats(schema: "public", name: "events", relkind: "r", isPartition: false)
        table.nTupHotUpd = 3
        snapshot.tables = [table, table]
        var text = String(decoding: try SnapshotCoding.encode(snapshot), as: UTF8.self)
        #expect(text.contains("\"n_tup_hot_upd\" : 3"))
        let last = try #require(text.range(of: "\"n_tup_hot_upd\" : 3", options: .backwards))
        text.replaceSubrange(last, with: "\"n_tup_hot_upd\" : \"3\"")
        do {
            _ = try SnapshotCoding.decoder().decode(Snapshot.self, from: Data(text.utf8))
            Issue.record("a string where a number belongs was read")
        } catch let error as DecodingError {
            #expect(DecodingErrorText.describe(error) == "tables[1].n_tup_hot_upd: expected a number")
        }
        let missing = text.replacingOccurrences(of: "\"schema_version\" : 1,", with: "")
        do {
            _ = try SnapshotCoding.decoder().decode(Snapshot.self, from: Data(missing.utf8))
            Issue.record("a snapshot without schema_version was read")
        } catch let error as DecodingError {
            #expect(DecodingErrorText.describe(error) == "schema_version: missing")
        }
    }

    /// camelCase keys are not snapshot keys: the key conversion that once read them is gone.
    @Test func camelCaseKeysAreNotRead() throws {
        let text = String(decoding: try SnapshotCoding.encode(minimalSnapshot()), as: UTF8.self)
            .replacingOccurrences(of: "\"schema_version\"", with: "\"schemaVersion\"")
        #expect(throws: DecodingError.self) { try SnapshotCoding.decode(Snapshot.self, from: Data(text.utf8)) }
    }
}

/// Numbers past a Double, which Foundation's parser refuses without a place, are read as the
/// value they round to, so that the range checks name the key.
@Suite struct NumbersBeyondDoubleTests {
    static func snapshotText() throws -> String {
        var snapshot = minimalSnapshot()
        snapshot.connection.database = "1e400 -1e400"
        return String(decoding: try SnapshotCoding.encode(snapshot), as: UTF8.self)
    }

    @Test(arguments: ["1e400", "1E+999", "-1e400"])
    func anOverflowIsReadAsInfinityAndRefusedWithItsKeyPath(number: String) throws {
        let text = try Self.snapshotText().replacingOccurrences(
            of: "\"writes_per_second\" : 100", with: "\"writes_per_second\" : \(number)")
        let snapshot = try SnapshotCoding.decode(Snapshot.self, from: Data(text.utf8))
        #expect(snapshot.rates.writesPerSecond?.isInfinite == true)
        #expect(snapshot.connection.database == "1e400 -1e400", "a number inside a string is text")
        #expect(throws: NumberOutOfRange.self) { try snapshot.checkNumbers() }
        do {
            try snapshot.checkNumbers()
        } catch {
            #expect(error.description.hasPrefix("rates.writes_per_second: "))
        }
    }

    @Test func anUnderflowIsReadAsZero() throws {
        let text = try Self.snapshotText().replacingOccurrences(
            of: "\"writes_per_second\" : 100", with: "\"writes_per_second\" : 1e-400")
        let snapshot = try SnapshotCoding.decode(Snapshot.self, from: Data(text.utf8))
        #expect(snapshot.rates.writesPerSecond == 0)
    }

    @Test func anIntegerKeyGetsATypeErrorWithItsPlace() throws {
        let text = try Self.snapshotText().replacingOccurrences(
            of: "\"size_bytes\" : 1000000", with: "\"size_bytes\" : 1e400")
        do {
            _ = try SnapshotCoding.decode(Snapshot.self, from: Data(text.utf8))
            Issue.record("1e400 was read as a size")
        } catch let error as DecodingError {
            #expect(DecodingErrorText.describe(error) == "database.size_bytes: expected a number")
        }
    }

    @Test(arguments: ["{\"kind\": 1e400", "{\"kind\": }", "not json"])
    func invalidJSONStaysInvalid(text: String) {
        #expect(throws: DecodingError.self) { try SnapshotCoding.decode(Snapshot.self, from: Data(text.utf8)) }
    }
}
