/// A five-character SQLSTATE, named after PostgreSQL's errcodes.txt (Appendix A of the manual,
/// "PostgreSQL Error Codes"): callers switch on `.insufficientPrivilege`, never on "42501".
///
/// A struct rather than an enum: the server may send any code, and an unknown one must still
/// travel (and print) unchanged. The first two characters are the class, which the manual
/// offers to applications that do not know a specific code: every 08 is a connection
/// exception, every 28 an authorization failure.
public struct SQLState: RawRepresentable, Hashable, Sendable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    public var description: String { rawValue }

    /// The class: "08" for every connection exception, "28" for every authorization failure.
    public var errorClass: Substring { rawValue.prefix(2) }

    // Class 08 — Connection Exception
    public static let connectionException: SQLState = "08000"
    /// PgJDBC's code for "could not connect at all" (refused, timed out, no such host): libpq
    /// reports those without a SQLSTATE, see ``PostgresError/sqlState``.
    public static let sqlclientUnableToEstablishSQLConnection: SQLState = "08001"
    /// PgJDBC's code for a connection that broke while in use.
    public static let connectionFailure: SQLState = "08006"
    /// What pgbouncer answers a startup parameter it does not pass on.
    public static let protocolViolation: SQLState = "08P01"
    // Class 0A — Feature Not Supported
    public static let featureNotSupported: SQLState = "0A000"
    // Class 22 — Data Exception
    public static let invalidParameterValue: SQLState = "22023"
    // Class 25 — Invalid Transaction State
    public static let readOnlySQLTransaction: SQLState = "25006"
    public static let idleInTransactionSessionTimeout: SQLState = "25P03"
    public static let transactionTimeout: SQLState = "25P04"
    // Class 28 — Invalid Authorization Specification
    /// A role that does not exist, or no pg_hba.conf entry for this host, user and database.
    public static let invalidAuthorizationSpecification: SQLState = "28000"
    /// A wrong password, or none where one is needed.
    public static let invalidPassword: SQLState = "28P01"
    // Class 3D — Invalid Catalog Name
    /// The database does not exist.
    public static let invalidCatalogName: SQLState = "3D000"
    // Class 42 — Syntax Error or Access Rule Violation
    public static let insufficientPrivilege: SQLState = "42501"
    public static let undefinedColumn: SQLState = "42703"
    public static let undefinedFunction: SQLState = "42883"
    public static let undefinedTable: SQLState = "42P01"
    /// Also an unrecognized configuration parameter.
    public static let undefinedObject: SQLState = "42704"
    // Class 53 — Insufficient Resources
    public static let tooManyConnections: SQLState = "53300"
    // Class 55 — Object Not In Prerequisite State
    /// pg_stat_statements installed but not in shared_preload_libraries, for one.
    public static let objectNotInPrerequisiteState: SQLState = "55000"
    /// lock_timeout expired.
    public static let lockNotAvailable: SQLState = "55P03"
    // Class 57 — Operator Intervention
    /// statement_timeout expired, or the statement was cancelled.
    public static let queryCanceled: SQLState = "57014"
    /// pg_terminate_backend, or a fast shutdown.
    public static let adminShutdown: SQLState = "57P01"
    public static let crashShutdown: SQLState = "57P02"
    /// The server is starting up, shutting down or in recovery.
    public static let cannotConnectNow: SQLState = "57P03"
    public static let databaseDropped: SQLState = "57P04"
    public static let idleSessionTimeout: SQLState = "57P05"
    // Class P0 — PL/pgSQL Error
    public static let raiseException: SQLState = "P0001"

    /// lock_timeout or statement_timeout: something else held the object or kept the server
    /// busy; the statement may succeed another time.
    public var isTimeout: Bool { self == .lockNotAvailable || self == .queryCanceled }

    /// The session is over: a connection exception, or the server ending the backend
    /// (terminated, crashed, database dropped, one of the session timeouts). Nothing more can
    /// be read over this connection.
    public var endsSession: Bool {
        errorClass == "08"
            || [
                .adminShutdown, .crashShutdown, .cannotConnectNow, .databaseDropped, .idleSessionTimeout,
                .idleInTransactionSessionTimeout, .transactionTimeout,
            ].contains(self)
    }

    /// The server refused who we are: the user, the password, or pg_hba.conf.
    public var isAuthorizationFailure: Bool { errorClass == "28" }
}
