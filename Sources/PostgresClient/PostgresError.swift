/// Every failure PostgresClient reports, typed so callers can map it to an exit status.
///
/// Messages come from libpq or the server and never contain the connection string:
/// a password can only reach this type through ``ConnectionString/redact(_:in:)``.
public enum PostgresError: Error, Sendable, Equatable {
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

    /// The SQLSTATE of a server error, nil for client-side failures.
    public var sqlState: String? {
        if case .server(let error) = self { return error.sqlState }
        return nil
    }
}

/// An error the server sent, with the fields libpq exposes through `PQresultErrorField`.
public struct ServerError: Sendable, Equatable, CustomStringConvertible {
    public let sqlState: String
    public let severity: String
    public let message: String
    public let detail: String?
    public let hint: String?

    public init(sqlState: String, severity: String, message: String, detail: String?, hint: String?) {
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

    /// lock_not_available (55P03) and query_canceled (57014, statement_timeout) mean
    /// "something else held the object": the caller may record and go on.
    public var isTimeout: Bool { sqlState == "55P03" || sqlState == "57014" }
    /// insufficient_privilege (42501), undefined_table/function/column (42P01, 42883, 42703),
    /// object_not_in_prerequisite_state (55000, e.g. pg_stat_statements not preloaded).
    public var isUnavailable: Bool {
        ["42501", "42P01", "42883", "42703", "55000", "0A000"].contains(sqlState)
    }
}
