import DBAdviseModel
import Foundation
import PostgresClient

/// One server to read: a line of `--dsn-file`, or `--dsn` (or libpq's defaults).
public struct FleetEntry: Sendable {
    public var conninfo: String?
    /// Names the entry in messages, password replaced: `dsns.txt:3 host=db3 password=********`.
    public var label: String

    public init(conninfo: String?, origin: String?) {
        self.conninfo = conninfo
        let shown =
            conninfo.map { ConnectionString.redact($0, in: $0) }
            ?? "libpq's defaults (PGHOST, PGPORT, PGDATABASE …)"
        label = origin.map { "\($0) \(shown)" } ?? shown
    }
}

/// One database to collect: an entry, with the database that `--all-databases` chose.
public struct FleetTarget: Sendable {
    public var entry: FleetEntry
    public var database: String?

    public var label: String {
        database.map { "\(entry.label) (database \($0))" } ?? entry.label
    }
}

/// What a fleet collection tells as it goes: called from the pool's threads, so an
/// implementation serializes its own output.
public protocol FleetObserver: Sendable {
    /// `--all-databases` left out databases the role may not connect to.
    func skipped(_ databases: [String], of entry: FleetEntry)
    /// A snapshot is on disk.
    func written(_ snapshot: FleetCollection.Written)
    /// A target could not be read or written; the others go on.
    func failed(_ failure: FleetCollection.Failed)
    /// One more target done, of `total`.
    func progress(done: Int, total: Int)
}

/// `collect --all-databases` and `collect --dsn-file`: every database collected on a bounded
/// pool of threads (each with its own connection), each snapshot written as it arrives into
/// its own directory `DIR/<host>-<port>-<dbname>/`, one failure reported without losing the
/// others.
public struct FleetCollection: Sendable {
    public var entries: [FleetEntry]
    public var allDatabases: Bool
    public var jobs: Int
    public var intervalSeconds: Double
    /// The key `--redact` hashes names with; nil without `--redact`.
    public var redactionKey: RedactionKey?
    public var directory: URL
    public var toolVersion: String
    /// Called with each snapshot written (its JSON and file) while the directory is still
    /// locked: `collect` appends it to the directory's history store there.
    public var afterWrite: (@Sendable (Snapshot, Data, URL) -> Void)?

    /// Serializes writes: two entries may name the same database, and the unique-name check
    /// and the write are one step.
    private let writeLock = FleetWriteLock()

    public init(
        entries: [FleetEntry], allDatabases: Bool, jobs: Int, intervalSeconds: Double,
        redactionKey: RedactionKey?, directory: URL, toolVersion: String,
        afterWrite: (@Sendable (Snapshot, Data, URL) -> Void)? = nil
    ) {
        self.afterWrite = afterWrite
        self.entries = entries
        self.allDatabases = allDatabases
        self.jobs = jobs
        self.intervalSeconds = intervalSeconds
        self.redactionKey = redactionKey
        self.directory = directory
        self.toolVersion = toolVersion
    }

    /// A snapshot written into `DIR/<key>/`.
    public struct Written: Sendable {
        /// The target, as messages name it.
        public var label: String
        public var key: String
        public var snapshot: Snapshot
        public var path: String
    }

    /// A target (or, with `--all-databases`, a server whose databases could not be listed)
    /// that gave no snapshot, and why.
    public struct Failed: Error, Sendable {
        public var label: String
        public var cause: SnapshotPipeline.Failure
    }

    /// Collects every target; never throws: a failure is one of the results.
    public func run(observer: some FleetObserver) -> (written: [Written], failed: [Failed]) {
        var failed: [Failed] = []
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
                    if !listing.withoutPrivilege.isEmpty { observer.skipped(listing.withoutPrivilege, of: entry) }
                case .failure(let error):
                    let failure = Failed(label: entry.label, cause: .collection(error))
                    observer.failed(failure)
                    failed.append(failure)
                }
            }
            targets = expanded
        } else {
            targets = entries.map { FleetTarget(entry: $0, database: nil) }
        }

        let total = targets.count
        let counter = FleetCounter()
        let outcomes = BoundedPool.map(targets, jobs: jobs) { [self] target in
            let outcome = Result { () throws(Failed) in try collect(target) }
            switch outcome {
            case .success(let written): observer.written(written)
            case .failure(let failure): observer.failed(failure)
            }
            observer.progress(done: counter.increment(), total: total)
            return outcome
        }
        var written: [Written] = []
        for outcome in outcomes {
            switch outcome {
            case .success(let snapshot): written.append(snapshot)
            case .failure(let failure): failed.append(failure)
            }
        }
        return (written, failed)
    }

    /// Collects and writes one database.
    private func collect(_ target: FleetTarget) throws(Failed) -> Written {
        var options = CollectOptions(
            conninfo: target.entry.conninfo, replicas: [], intervalSeconds: intervalSeconds,
            toolVersion: toolVersion)
        options.database = target.database
        do throws(SnapshotPipeline.Failure) {
            let collected = try SnapshotPipeline.run(options, redactionKey: redactionKey)
            let key = Self.key(for: collected.connection, redactionKey: redactionKey)
            let written = writeLock.withLock {
                Result { () throws(SnapshotDirectory.WriteError) in
                    let file = try SnapshotDirectory.write(
                        collected.data, snapshot: collected.snapshot, into: directory.appendingPathComponent(key))
                    afterWrite?(collected.snapshot, collected.data, file)
                    return file
                }
            }
            let url: URL
            switch written {
            case .success(let written): url = written
            case .failure(let error): throw SnapshotPipeline.Failure.write(error)
            }
            return Written(label: target.label, key: key, snapshot: collected.snapshot, path: url.path)
        } catch {
            throw Failed(label: target.label, cause: error)
        }
    }

    /// The directory of one database's history: `host-port-dbname`, each part reduced to
    /// letters, digits, `.`, `_` and `-` (a socket directory `/var/run/postgresql` becomes
    /// `var_run_postgresql`). Redacted, host and database are their pseudonyms, the same
    /// ones the snapshot holds, so a redacted history still lines up run after run.
    public static func key(for connection: ConnectionInfo, redactionKey: RedactionKey?) -> String {
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

/// `@unchecked Sendable`: the lock is the only state.
private final class FleetWriteLock: @unchecked Sendable {
    private let lock = NSLock()

    func withLock<T>(_ body: () -> T) -> T {
        lock.withLock(body)
    }
}

/// `@unchecked Sendable`: `done` is the only state, and every access holds `lock`.
private final class FleetCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var done = 0

    func increment() -> Int {
        lock.withLock {
            done += 1
            return done
        }
    }
}
