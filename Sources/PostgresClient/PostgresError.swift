/// Every failure PostgresClient reports, typed so callers can map it to an exit status.
///
/// Messages come from libpq or the server and never contain the connection string:
/// a password can only reach this type through ``ConnectionString/redact(_:in:)``.
public enum PostgresError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The connection string could not be parsed by libpq (`PQconninfoParse`).
    case invalidConnectionString(message: String)
    /// The server could not be reached, refused us, or rejected the credentials.
    case connectionFailed(message: String)
    /// The server answered a statement with an error.
    case server(ServerError)
    /// The connection broke while a statement ran, or libpq returned no result.
    case connectionLost(message: String)
    /// A result did not have the shape the caller asked for (missing column, bad number).
    case unexpectedResult(message: String)

    /// A one-line human summary (libpq messages often span two lines).
    public var message: String {
        switch self {
        case .invalidConnectionString(let message), .connectionFailed(let message),
            .connectionLost(let message), .unexpectedResult(let message):
            return message
        case .server(let error):
            return error.message
        }
    }

    /// One line: a server error with its severity, SQLSTATE, detail and hint; libpq's message
    /// otherwise.
    public var description: String {
        if case .server(let error) = self { return error.description }
        return message
    }

    /// What went wrong, by name: the server's SQLSTATE; for a failed connection the one its
    /// message stands for (``SQLState/init(connectionFailure:)``); for a connection that broke,
    /// `connection_failure` (08006), as PgJDBC reports it. Nil where no SQLSTATE applies: a
    /// malformed connection string, a result of the wrong shape.
    public var sqlState: SQLState? {
        switch self {
        case .server(let error): return error.sqlState
        case .connectionFailed(let message): return SQLState(connectionFailure: message)
        case .connectionLost: return .connectionFailure
        case .invalidConnectionString, .unexpectedResult: return nil
        }
    }

    /// Nothing more can be read over this connection: it never opened, it broke, or the server
    /// ended the session (a FATAL error such as `pg_terminate_backend`'s admin_shutdown).
    public var endsSession: Bool {
        switch self {
        case .connectionFailed, .connectionLost: return true
        case .server(let error): return error.endsSession
        case .invalidConnectionString, .unexpectedResult: return false
        }
    }
}

/// An error the server sent, with the fields libpq exposes through `PQresultErrorField`.
public struct ServerError: Sendable, Equatable, CustomStringConvertible {
    public let sqlState: SQLState
    public let severity: String
    public let message: String
    public let detail: String?
    public let hint: String?

    public init(sqlState: SQLState, severity: String, message: String, detail: String?, hint: String?) {
        self.sqlState = sqlState
        self.severity = severity
        self.message = message
        self.detail = detail
        self.hint = hint
    }

    public var description: String {
        var text = "\(severity): \(message) (SQLSTATE \(sqlState))"
        if let detail { text += " DETAIL: \(detail)" }
        if let hint { text += " HINT: \(hint)" }
        return text
    }

    /// FATAL "reports an error that caused the current session to abort", PANIC one "that
    /// caused all database sessions to abort" (the manual's message severity levels), whatever
    /// the SQLSTATE. `severity` is the unlocalized one (`PG_DIAG_SEVERITY_NONLOCALIZED`), so
    /// this holds whatever the server's lc_messages.
    public var endsSession: Bool {
        sqlState.endsSession || severity == "FATAL" || severity == "PANIC"
    }
}

extension SQLState {
    /// The SQLSTATE behind a failed connection attempt. libpq keeps that code to itself (it
    /// reads it only to decide whether to try the next host and whether to mention the
    /// password file) and hands out the text alone, so
    /// the texts the server sends at connection time (src/backend/libpq/auth.c,
    /// src/backend/utils/init/postinit.c, pgbouncer's refusal of a startup parameter) are
    /// recognized here, the one place that reads a message to classify it. A failure no
    /// server answered (refused, timed out, no such host) is
    /// `sqlclient_unable_to_establish_sqlconnection`, as PgJDBC reports it.
    public init(connectionFailure message: String) {
        func has(_ texts: String...) -> Bool { texts.allSatisfy { message.contains($0) } }
        // most specific first: "permission denied for database \"x\"" names a database too
        if has("password authentication failed") || has("no password supplied") {
            // "no password supplied" is libpq's own: the server asked for a password it lacks
            self = .invalidPassword
        } else if has("permission denied for database") {
            self = .insufficientPrivilege
        } else if has("too many connections") || has("too many clients already")
            || has("connection slots are reserved")
        {
            self = .tooManyConnections
        } else if has("unrecognized configuration parameter") {
            self = .undefinedObject
        } else if has("invalid value for parameter") {
            self = .invalidParameterValue
        } else if has("unsupported startup parameter") {
            self = .protocolViolation
        } else if has("the database system is") {
            // starting up, shutting down, in recovery mode, not yet accepting connections
            self = .cannotConnectNow
        } else if has("authentication failed for user") || has("no pg_hba.conf entry")
            || has("is not permitted to log in") || has("role \"", "does not exist")
        {
            self = .invalidAuthorizationSpecification
        } else if has("database \"", "does not exist") {
            self = .invalidCatalogName
        } else {
            self = .sqlclientUnableToEstablishSQLConnection
        }
    }
}
