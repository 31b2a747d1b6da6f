import DBAdviseCollector
import DBAdviseCore
import DBAdviseRules
import Foundation
import PostgresClient

/// One server to read: a line of `--dsn-file`, or `--dsn` (or libpq's defaults).
struct FleetEntry: Sendable {
    var conninfo: String?
    /// Names the entry in messages, password replaced: `dsns.txt:3 host=db3 password=********`.
    var label: String

    init(conninfo: String?, origin: String?) {
        self.conninfo = conninfo
        let shown =
            conninfo.map { ConnectionString.redact($0, in: $0) }
            ?? "libpq's defaults (PGHOST, PGPORT, PGDATABASE …)"
        label = origin.map { "\($0) \(shown)" } ?? shown
    }

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

/// One database to collect: an entry, with the database that `--all-databases` chose.
struct FleetTarget: Sendable {
    var entry: FleetEntry
    var database: String?

    var label: String {
        database.map { "\(entry.label) (database \($0))" } ?? entry.label
    }
}

/// `collect --all-databases` and `collect --dsn-file`: every database collected on a bounded
/// pool of threads (each with its own connection), each snapshot written as it arrives into
/// its own directory `DIR/<host>-<port>-<dbname>/`, one failure reported without losing the
/// others, and a fleet report ranked by urgency on stdout.
struct FleetCollection {
    var entries: [FleetEntry]
    var allDatabases: Bool
    var jobs: Int
    var intervalSeconds: Double
    /// The key `--redact` hashes names with; nil without `--redact`.
    var redactionKey: RedactionKey?
    var directory: URL
    var directoryArgument: String

    /// Serializes writes (two entries may name the same database) and stderr lines.
    private let output: FleetOutput

    init(
        entries: [FleetEntry], allDatabases: Bool, jobs: Int, intervalSeconds: Double,
        redactionKey: RedactionKey?, directory: URL, directoryArgument: String, history: HistoryPolicy = HistoryPolicy()
    ) {
        output = FleetOutput(history: history)
        self.entries = entries
        self.allDatabases = allDatabases
        self.jobs = jobs
        self.intervalSeconds = intervalSeconds
        self.redactionKey = redactionKey
        self.directory = directory
        self.directoryArgument = directoryArgument
    }

    /// What one target gave: a written, analyzed snapshot, or the reason it could not be read.
    enum Outcome: Sendable {
        case written(FleetReport.Entry)
        case failed(FleetFailure)
    }

    func run() throws(CommandError) {
        var failures: [FleetFailure] = []
        let targets: [FleetTarget]
        if allDatabases {
            let listings = BoundedPool.map(entries, jobs: jobs) { entry in
                Result { () throws(CollectorError) in try ServerDatabases.list(conninfo: entry.conninfo) }
            }
            var expanded: [FleetTarget] = []
            for (entry, listing) in zip(entries, listings) {
                switch listing {
                case .success(let listing):
                    expanded += listing.databases.map { FleetTarget(entry: entry, database: $0) }
                    if !listing.withoutPrivilege.isEmpty {
                        output.message(
                            "dbadvise: \(entry.label): skipped \(listing.withoutPrivilege.joined(separator: ", ")): "
                                + "the role has no CONNECT privilege on them")
                    }
                case .failure(let error):
                    failures.append(fail(entry.label, CommandError(error)))
                }
            }
            targets = expanded
        } else {
            targets = entries.map { FleetTarget(entry: $0, database: nil) }
        }

        let total = targets.count
        let outcomes = BoundedPool.map(targets, jobs: jobs) { [self] target in
            let outcome = collect(target)
            output.progress(total: total)
            return outcome
        }
        Terminal.endProgress()
        var written: [FleetReport.Entry] = []
        for outcome in outcomes {
            switch outcome {
            case .written(let entry): written.append(entry)
            case .failed(let failure): failures.append(failure)
            }
        }
        let report = FleetReport(entries: written, unreachable: failures, failOn: Config().failOn)
        let useColor = Terminal.colorEnabled
        try Terminal.writeOutput(
            FleetReportRenderer.render(report, as: .text, useColor: useColor, directory: directoryArgument))
        if !failures.isEmpty {
            let attempted = written.count + failures.count
            throw CommandError(
                .unreachable,
                "\(failures.count) of \(attempted) \(attempted == 1 ? "entry" : "entries") could not be read "
                    + "(named above); the other snapshots were written",
                fix: "check that those servers run and their connection strings, then collect again")
        }
    }

    /// Collects, writes and analyzes one database; never throws: a failure is an outcome.
    private func collect(_ target: FleetTarget) -> Outcome {
        var options = CollectOptions(
            conninfo: target.entry.conninfo, replicas: [], intervalSeconds: intervalSeconds,
            toolVersion: DBAdvise.version)
        options.database = target.database
        options.topStatements = 25
        do {
            let collected = try SnapshotCollector.collect(options)
            let key = Self.key(for: collected.connection, redactionKey: redactionKey)
            let snapshot = redactionKey.map { SnapshotRedactor.redact(collected, key: $0) } ?? collected
            let data: Data
            do {
                data = try SnapshotCoding.encode(snapshot)
            } catch {
                throw CommandError(.usage, "cannot encode the snapshot: \(error)")
            }
            let path = try output.write(data, snapshot: snapshot, into: directory.appendingPathComponent(key))
            output.message("dbadvise: snapshot written to \(path)")
            let report = try RuleRegistry.analyzer.report(
                snapshots: [snapshot], config: Config(), sourceType: .live)
            return .written(FleetReport.Entry(key: key, connection: snapshot.connection, report: report))
        } catch let error as CollectorError {
            return .failed(fail(target.label, CommandError(error)))
        } catch let error as CommandError {
            return .failed(fail(target.label, error))
        } catch let error as AnalysisError {
            return .failed(fail(target.label, CommandError(error)))
        } catch {
            return .failed(fail(target.label, CommandError(.unreachable, "\(error)")))
        }
    }

    /// Reports one failure at once, on one line, and keeps it for the fleet report.
    private func fail(_ label: String, _ error: CommandError) -> FleetFailure {
        output.message("dbadvise: \(label): \(error.message)")
        return FleetFailure(entry: label, reason: error.message)
    }

    /// The directory of one database's history: `host-port-dbname`, each part reduced to
    /// letters, digits, `.`, `_` and `-` (a socket directory `/var/run/postgresql` becomes
    /// `var_run_postgresql`). Redacted, host and database are their pseudonyms, the same
    /// ones the snapshot holds, so a redacted history still lines up run after run.
    static func key(for connection: ConnectionInfo, redactionKey: RedactionKey?) -> String {
        func hidden(_ name: String?) -> String? {
            guard let name else { return nil }
            return redactionKey?.pseudonym(name) ?? name
        }
        let parts = [
            hidden(connection.host) ?? "local", connection.port ?? "default",
            hidden(connection.database) ?? "default",
        ]
        return parts.map(sanitize).joined(separator: "-")
    }

    static func sanitize(_ part: String) -> String {
        let allowed = part.map { character -> Character in
            character.isASCII && (character.isLetter || character.isNumber || "._-".contains(character))
                ? character : "_"
        }
        let trimmed = String(allowed).trimmingCharacters(in: CharacterSet(charactersIn: "_."))
        return trimmed.isEmpty ? "_" : trimmed
    }
}

/// The state the pool's threads share: a lock around file writes (the name check and the
/// write are one step) and around stderr, and the progress count.
///
/// `@unchecked Sendable`: `done` is the only mutable state, and every access holds `lock`.
final class FleetOutput: @unchecked Sendable {
    private let lock = NSLock()
    private var done = 0
    /// How each database's history directory keeps its files.
    private let history: HistoryPolicy

    init(history: HistoryPolicy) { self.history = history }

    func write(_ data: Data, snapshot: Snapshot, into directory: URL) throws(CommandError) -> String {
        lock.lock()
        defer { lock.unlock() }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw .usage(
                "cannot create directory \(directory.path): \(SnapshotOutput.reason(error))",
                fix: "choose a writable --output directory")
        }
        return try SnapshotOutput.directory(directory).write(data, snapshot: snapshot, history: history)
            ?? directory.path
    }

    func message(_ line: String) {
        lock.withLock {
            Terminal.endProgress()
            Terminal.writeError(line + "\n")
        }
    }

    func progress(total: Int) {
        lock.withLock {
            done += 1
            Terminal.progress("dbadvise: \(done) of \(total) databases read")
        }
    }
}

/// Runs work on at most `jobs` threads at once. Each thread takes the next item until none
/// is left; results come back in the items' order.
enum BoundedPool {
    static func map<Item: Sendable, Output: Sendable>(
        _ items: [Item], jobs: Int, _ work: @escaping @Sendable (Item) -> Output
    ) -> [Output] {
        let state = PoolState<Output>(count: items.count)
        let group = DispatchGroup()
        for worker in 0..<min(max(jobs, 1), items.count) {
            group.enter()
            let thread = Thread {
                while let index = state.next() {
                    state.store(work(items[index]), at: index)
                }
                group.leave()
            }
            thread.name = "dbadvise job \(worker + 1)"
            thread.start()
        }
        group.wait()
        return state.results()
    }
}

/// `@unchecked Sendable`: `nextIndex` and `outputs` are the only state, and every access
/// holds `lock`.
private final class PoolState<Output: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private let count: Int
    private var nextIndex = 0
    private var outputs: [Output?]

    init(count: Int) {
        self.count = count
        outputs = Array(repeating: nil, count: count)
    }

    func next() -> Int? {
        lock.withLock {
            guard nextIndex < count else { return nil }
            defer { nextIndex += 1 }
            return nextIndex
        }
    }

    func store(_ output: Output, at index: Int) {
        lock.withLock { outputs[index] = output }
    }

    func results() -> [Output] {
        lock.withLock { outputs.compactMap { $0 } }
    }
}
