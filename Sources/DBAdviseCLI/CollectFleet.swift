import DBAdviseAnalysis
import DBAdviseCollector
import DBAdviseModel
import DBAdviseOutput
import DBAdviseRules
import Foundation
import PostgresClient

extension FleetEntry {
    /// `--dsn-file`: one conninfo a line; blank lines and lines starting with `#` are skipped.
    /// Every line is parsed before anything connects, so a typo is exit 2 at once.
    static func read(dsnFile path: String) throws(CommandError) -> [FleetEntry] {
        let text: String
        do {
            text = String(decoding: try InputFile.read(path), as: UTF8.self)
        } catch {
            throw .usage(
                "cannot read \(path): \(error.reason)",
                fix: "pass a readable file with one connection string a line")
        }
        var entries: [FleetEntry] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces.union(CharacterSet(charactersIn: "\r")))
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            let origin = "\(path):\(index + 1)"
            do {
                try ConnectionString.validate(line)
            } catch {
                throw .usage(
                    "\(origin): invalid connection string: \(error.message)",
                    fix: "use key=value pairs (host=db1 dbname=shop) or a postgres:// URI, one a line")
            }
            entries.append(FleetEntry(conninfo: line, origin: origin))
        }
        guard !entries.isEmpty else {
            throw .usage(
                "\(path) holds no connection string",
                fix: "write one conninfo a line (blank lines and # comments are skipped)")
        }
        return entries
    }
}

extension FleetCollection {
    /// Collects the fleet (the collector's pool), analyzes each snapshot written and prints
    /// the fleet report ranked by urgency; exit 3 when any target could not be read.
    func runAndReport(directoryArgument: String) throws(CommandError) {
        let terminal = FleetTerminal()
        let (written, failed) = run(observer: terminal)
        Terminal.endProgress()
        var entries: [FleetReport.Entry] = []
        var failures = failed.map { FleetFailure(entry: $0.label, reason: CommandError($0.cause).message) }
        for snapshot in written {
            do {
                let report = try RuleRegistry.analyzer.report(
                    snapshots: [snapshot.snapshot], config: Config(), sourceType: .live)
                entries.append(
                    FleetReport.Entry(key: snapshot.key, connection: snapshot.snapshot.connection, report: report))
            } catch {
                let message = CommandError(error).message
                terminal.message("dbadvise: \(snapshot.label): \(message)")
                failures.append(FleetFailure(entry: snapshot.label, reason: message))
            }
        }
        let report = FleetReport(entries: entries, unreachable: failures, failOn: Config().failOn)
        try Terminal.writeOutput(
            FleetReportRenderer.render(
                report, as: .text, useColor: Terminal.colorEnabled, directory: directoryArgument))
        if !failures.isEmpty {
            let attempted = entries.count + failures.count
            throw CommandError(
                .unreachable,
                "\(failures.count) of \(attempted) \(attempted == 1 ? "entry" : "entries") could not be read "
                    + "(named above); the other snapshots were written",
                fix: "check that those servers run and their connection strings, then collect again")
        }
    }
}

/// The fleet's lines on stderr: one per snapshot written or target failed, and a progress
/// line on a terminal. The pool's threads call it at once, so every line holds the lock.
///
/// `@unchecked Sendable`: the lock is the only state.
final class FleetTerminal: FleetObserver, @unchecked Sendable {
    private let lock = NSLock()

    func skipped(_ databases: [String], of entry: FleetEntry) {
        message(
            "dbadvise: \(entry.label): skipped \(databases.joined(separator: ", ")): "
                + "the role has no CONNECT privilege on them")
    }

    func written(_ snapshot: FleetCollection.Written) {
        message("dbadvise: snapshot written to \(snapshot.path)")
    }

    func failed(_ failure: FleetCollection.Failed) {
        message("dbadvise: \(failure.label): \(CommandError(failure.cause).message)")
    }

    func progress(done: Int, total: Int) {
        lock.withLock { Terminal.progress("dbadvise: \(done) of \(total) databases read") }
    }

    func message(_ line: String) {
        lock.withLock {
            Terminal.endProgress()
            Terminal.writeError(line + "\n")
        }
    }
}
