import DBAdviseAnalysis
import DBAdviseModel
import DBAdviseOutput
import FastJSON
import Foundation
import Testing

/// The fast snapshot coder must write and read exactly what Foundation's does.
@Suite struct FastJSONTests {
    let dates = FastJSON.DateText(
        format: { SnapshotCoding.formatTimestamp($0) }, parse: { SnapshotCoding.parseTimestamp($0) })

    static let samples: [String] = {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("samples/snapshots")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted().map { directory.appendingPathComponent($0).path }
    }()

    @Test func thereAreSamples() {
        #expect(Self.samples.count >= 3)
    }

    @Test(arguments: samples)
    func samplesRoundTripByteForByte(path: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let foundation = try SnapshotCoding.decoder().decode(Snapshot.self, from: data)
        let fast = try FastJSON.decode(Snapshot.self, from: data, dates: dates)
        #expect(fast == foundation)
        let written = try FastJSON.encode(foundation, dates: dates)
        #expect(written == (try SnapshotCoding.encoder().encode(foundation)))
    }

    /// Strings with every escape, non-finite numbers, a dictionary whose keys are not
    /// converted, optionals absent and present.
    @Test func awkwardValues() throws {
        var snapshot = minimalSnapshot()
        snapshot.tables = [
            {
                var table = TableStats(
                    schema: "s\"q\\uote/slash", name: "tab\t\n\r\u{8}\u{C}\u{1}\u{1F}\u{7F}é😀", relkind: "r",
                    isPartition: false)
                table.reltuples = .infinity
                table.writesPerSecond = -.infinity
                table.readsPerSecond = .nan
                table.totalBytes = Int.max
                table.nDeadTup = -1
                return table
            }()
        ]
        snapshot.activity?.waitEventTypes = ["CPU": 0.5, "LWLock": 1e-7, "IO_wait": 1e20, "a10": 1, "a9": 2, "B": 3]
        let fast = try FastJSON.encode(snapshot, dates: dates)
        let foundation = try SnapshotCoding.encoder().encode(snapshot)
        #expect(String(decoding: fast, as: UTF8.self) == String(decoding: foundation, as: UTF8.self))
        let decoded = try FastJSON.decode(Snapshot.self, from: foundation, dates: dates)
        let reference = try SnapshotCoding.decoder().decode(Snapshot.self, from: foundation)
        #expect(decoded.tables?.first?.name == reference.tables?.first?.name)
        #expect(decoded.tables?.first?.schema == reference.tables?.first?.schema)
        #expect(decoded.tables?.first?.reltuples == .infinity)
        #expect(decoded.tables?.first?.readsPerSecond?.isNaN == true)
        #expect(decoded.activity?.waitEventTypes == reference.activity?.waitEventTypes)
    }

    /// Arrays past ``ParallelChunks`` size are written in chunks on several threads.
    @Test func longArraysWrittenInParallelAreTheSameText() throws {
        var snapshot = minimalSnapshot()
        snapshot.tables = (0..<9_000).map { number in
            var table = TableStats(schema: "s\(number % 7)", name: "t\(number)", relkind: "r", isPartition: false)
            table.totalBytes = number * 8_192
            table.reltuples = Double(number) / 3
            table.lastVacuum = Date(timeIntervalSince1970: 1_795_000_000 + Double(number))
            return table
        }
        snapshot.indexes = (0..<4_500).map { number in
            var index = IndexStats(
                schema: "s", table: "t\(number)", name: "t\(number)_pkey", isUnique: true, isPrimary: true,
                isValid: true)
            index.columns = ["id", "at"]
            return index
        }
        let fast = try FastJSON.encode(snapshot, dates: dates)
        #expect(fast == (try SnapshotCoding.encoder().encode(snapshot)))
        #expect(try FastJSON.decode(Snapshot.self, from: fast, dates: dates) == snapshot)
    }

    @Test func escapedInputIsReadLikeFoundation() throws {
        let data = try SnapshotCoding.encoder().encode(minimalSnapshot())
        var text = String(decoding: data, as: UTF8.self)
        text = text.replacingOccurrences(of: "\"app\"", with: "\"a\\u0070\\/p\\ud83d\\ude00\"")
        let fast = try FastJSON.decode(Snapshot.self, from: Data(text.utf8), dates: dates)
        let foundation = try SnapshotCoding.decoder().decode(Snapshot.self, from: Data(text.utf8))
        #expect(fast == foundation)
        #expect(fast.connection.database == "ap/p😀")
    }

    @Test(arguments: ["", "{", "{\"kind\": }", "[1, 2", "{\"a\": tru}", "{\"a\": 1} x", "{\"a\\u0041\": 1}"])
    func malformedOrUnusualInputIsDeclined(text: String) {
        #expect(throws: (any Error).self) { try FastJSON.decode(Snapshot.self, from: Data(text.utf8), dates: dates) }
    }

    @Test func snapshotCodingFallsBackToFoundation() throws {
        // a key with an escape is left to Foundation, which reads it
        let data = try SnapshotCoding.encoder().encode(minimalSnapshot())
        let text = String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\"kind\"", with: "\"k\\u0069nd\"")
        let snapshot = try SnapshotCoding.decode(Snapshot.self, from: Data(text.utf8))
        #expect(snapshot == minimalSnapshot())
    }
}
