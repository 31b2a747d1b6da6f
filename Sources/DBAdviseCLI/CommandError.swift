import DBAdviseCollector
import DBAdviseModel

/// The contract's exit codes.
public enum ExitStatus: Int32, Sendable {
    case success = 0
    /// A finding at or above `fail_on`.
    case gateFailed = 1
    /// Usage error or bad input.
    case usage = 2
    /// The database could not be reached or read.
    case unreachable = 3
}

/// Every error a command reports: the status it exits with, and one or two lines that name
/// the cause and the fix. Decided here, printed in one place (``DBAdvise/main(_:)``).
public struct CommandError: Error, Sendable {
    public let status: ExitStatus
    public let message: String
    public let fix: String?

    public init(_ status: ExitStatus, _ message: String, fix: String? = nil) {
        self.status = status
        self.message = message
        self.fix = fix
    }

    static func usage(_ message: String, fix: String? = nil) -> CommandError {
        CommandError(.usage, message, fix: fix)
    }

    init(_ error: CollectorError) {
        switch error {
        case .invalidConnectionString(let message):
            self.init(
                .usage, "invalid connection string: \(message)",
                fix: "use key=value pairs (host=db1 dbname=shop) or a postgres:// URI")
        case .unreachable(let message):
            self.init(
                .unreachable, "cannot read the database: \(message)",
                fix: Self.connectionFix(for: message))
        case .unsupportedServer:
            self.init(.unreachable, error.description)
        case .unsafeSession:
            self.init(
                .unreachable, error.description,
                fix: "connect to PostgreSQL directly, or let the pooler pass the options startup parameter")
        }
    }

    init(_ failure: SnapshotPipeline.Failure) {
        switch failure {
        case .collection(let error): self.init(error)
        case .encoding(let message): self.init(.usage, "cannot encode the snapshot: \(message)")
        case .write(let error): self.init(error)
        }
    }

    init(_ error: SnapshotDirectory.WriteError) {
        switch error {
        case .cannotCreateDirectory(let path, let reason):
            self.init(.usage, "cannot create directory \(path): \(reason)", fix: "choose a writable --output directory")
        case .cannotWrite(let path, let reason):
            self.init(
                .usage, "cannot write \(path): \(reason)", fix: "free space on the disk or choose another --output path")
        }
    }

    static func connectionFix(for message: String) -> String {
        if message.contains("password authentication failed") || message.contains("no password supplied") {
            return "check the user and password (PGPASSWORD, ~/.pgpass or the DSN)"
        }
        if message.contains("does not exist") {
            return "check dbname in --dsn or PGDATABASE"
        }
        if message.contains("unsupported startup parameter") {
            // pgbouncer and other poolers refuse the options that pin dbadvise's session
            return "connect to PostgreSQL directly: dbadvise pins its session settings in the options startup parameter"
        }
        if message.contains("permission denied") {
            return "grant the role pg_monitor, or connect as a role that has it"
        }
        return "check that the server runs and --dsn (or PGHOST, PGPORT) points at it"
    }
}
