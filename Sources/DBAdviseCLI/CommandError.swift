import DBAdviseCollector
import DBAdviseModel
import PostgresClient

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

    /// A collection that failed, by the error's type and SQLSTATE (never by its words): a
    /// malformed connection string is a usage error, everything else a database that could not
    /// be read, with the fix that SQLSTATE and step call for.
    init(_ error: CollectorError) {
        switch error {
        case .postgres(.invalidConnectionString, _):
            self.init(
                .usage, error.description,
                fix: "use key=value pairs (host=db1 dbname=shop) or a postgres:// URI")
        case .postgres(let failure, let step):
            self.init(
                .unreachable, "cannot read the database: \(error.description)",
                fix: Self.fix(for: failure, during: step))
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
                .usage, "cannot write \(path): \(reason)", fix: "free space on the disk or choose another --output path"
            )
        }
    }

    static func fix(for error: PostgresError, during step: CollectionStep) -> String {
        let connecting = step == .connecting
        switch error.sqlState {
        case .invalidPassword?:
            return "check the user and password (PGPASSWORD, ~/.pgpass or the DSN)"
        case let state? where state.isAuthorizationFailure:
            // a role that does not exist, or no pg_hba.conf line for it from here
            return "check the user (user= in --dsn, or PGUSER) and that pg_hba.conf lets it connect from this host"
        case .invalidCatalogName?:
            return "check dbname in --dsn or PGDATABASE"
        case .protocolViolation? where connecting:
            // pgbouncer and other poolers refuse the options that pin dbadvise's session
            return "connect to PostgreSQL directly: dbadvise pins its session settings in the options startup parameter"
        case .undefinedObject? where connecting, .invalidParameterValue? where connecting:
            return "check the options in --dsn or PGOPTIONS: the server refuses a setting they name"
        case .insufficientPrivilege? where connecting:
            return "grant the role CONNECT on the database, or connect as a role that has it"
        case .insufficientPrivilege?:
            return "grant the role pg_monitor, or connect as a role that has it"
        case .tooManyConnections?:
            return "wait for a free connection slot, or raise max_connections"
        case .cannotConnectNow?:
            return "the server is starting up, shutting down or recovering: try again once it accepts connections"
        case let state? where state.isTimeout:
            return "try again when the server is less busy: dbadvise waits \(SafeSession.lockTimeout) for a lock "
                + "and \(SafeSession.statementTimeout) for a statement"
        default:
            return "check that the server runs and --dsn (or PGHOST, PGPORT) points at it"
        }
    }
}
