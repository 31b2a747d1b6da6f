import DBAdviseAnalysis
import DBAdviseHistory
import DBAdviseModel
import Foundation

// make bench's history axis: a series of hourly snapshots of one real collection, counters
// and sizes advanced hour by hour, appended through the HistoryStore API into DIR/history.sqlite;
// only the newest `--files` snapshots are written as full files (older ones are retired, as
// retention leaves them), so a long series costs its points, not gigabytes of JSON. The files
// go through `HistoryDirectory.record`, the path `collect --output DIR/` takes, which keeps the
// trend state: the first folds every point appended before it (once), the others continue it.
//
//   history-bench --from SNAPSHOT.json --count 2160 --files 24 --output DIR/

struct Arguments {
    var from = ""
    var count = 100
    var files = 24
    var output = ""

    init() throws {
        var iterator = CommandLine.arguments.dropFirst().makeIterator()
        while let flag = iterator.next() {
            guard let value = iterator.next() else { throw Failure("\(flag) needs a value") }
            switch flag {
            case "--from": from = value
            case "--count": count = Int(value) ?? 0
            case "--files": files = Int(value) ?? 0
            case "--output": output = value
            default: throw Failure("unknown flag \(flag)")
            }
        }
        guard !from.isEmpty, !output.isEmpty, count >= 2, files >= 1 else {
            throw Failure("usage: history-bench --from SNAPSHOT.json --count N --files N --output DIR/")
        }
    }
}

struct Failure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The base snapshot `hours` later: every table grows by its own steady rate (a few
/// kilobytes to a megabyte and tens to thousands of rows an hour), counters advance with it.
func advanced(_ base: Snapshot, hours: Int, seriesHours: Int) -> Snapshot {
    var snapshot = base
    let shift = Double(hours - seriesHours) * 3_600
    snapshot.interval.startedAt = base.interval.startedAt.addingTimeInterval(shift)
    snapshot.interval.finishedAt = base.interval.finishedAt.addingTimeInterval(shift)
    // The server started (and its statistics were reset) an hour before the series.
    let start = base.interval.startedAt.addingTimeInterval(-Double(seriesHours + 1) * 3_600)
    snapshot.server.startTime = start
    snapshot.server.statsReset = start
    if snapshot.interval.mode == .sinceReset {
        snapshot.interval.rateSeconds = snapshot.interval.finishedAt.timeIntervalSince(start)
    }
    var insertedPerHour = 0
    var bytesPerHour = 0
    var tables = base.tables ?? []
    for index in tables.indices where tables[index].relkind != "p" {
        let rows = 10 * (index % 100 + 1)
        let bytes = 8_192 * (index % 128 + 1)
        tables[index].totalBytes = tables[index].totalBytes.map { $0 + bytes * hours }
        tables[index].nLiveTup = (tables[index].nLiveTup ?? 0) + rows * hours
        tables[index].reltuples = Double((tables[index].nLiveTup ?? 0))
        tables[index].nTupIns = (tables[index].nTupIns ?? 0) + rows * hours
        tables[index].writesPerSecond = Double(rows) / 3_600
        tables[index].lastAutoanalyze = snapshot.interval.startedAt
        insertedPerHour += rows
        bytesPerHour += bytes
    }
    snapshot.tables = tables
    snapshot.database?.sizeBytes = base.database?.sizeBytes.map { $0 + bytesPerHour * hours }
    snapshot.database?.tupInserted = base.database?.tupInserted.map { $0 + insertedPerHour * hours }
    snapshot.database?.xactCommit = base.database?.xactCommit.map { $0 + 3_600 * hours }
    snapshot.rates.writesPerSecond = Double(insertedPerHour) / 3_600
    return snapshot
}

func run() throws {
    let arguments = try Arguments()
    let base = try SnapshotCoding.decode(Snapshot.self, from: Data(contentsOf: URL(fileURLWithPath: arguments.from)))
    let directory = URL(fileURLWithPath: arguments.output, isDirectory: true)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let history = try HistoryDirectory(directory: directory)
    let began = Date()
    let last = arguments.count - 1
    for hour in 0...last {
        let snapshot = advanced(base, hours: hour, seriesHours: last)
        let name = String(format: "bench-%05d.json", hour)
        if hour > last - arguments.files {
            let data = try SnapshotCoding.encode(snapshot)
            let file = directory.appendingPathComponent(name)
            try data.write(to: file)
            try history.record(snapshot, data: data, file: file)
        } else {
            try history.store.append(
                SnapshotPoints(snapshot: snapshot).mapTimes(HistoryTime.asWritten),
                source: SourceFile(
                    name: name, sizeBytes: 0, modifiedAt: began, contentSHA256: "", retiredAt: began))
        }
        if hour % 100 == 0 {
            FileHandle.standardError.write(Data("history-bench: \(hour + 1) of \(arguments.count)\n".utf8))
        }
    }
}

do {
    try run()
} catch {
    FileHandle.standardError.write(Data("history-bench: \(error)\n".utf8))
    exit(2)
}
