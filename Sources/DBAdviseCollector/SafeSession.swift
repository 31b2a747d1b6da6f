import Foundation
import PostgresClient

/// Opens a connection the way every dbadvise session must be: `application_name=dbadvise`,
/// read-only, with statement and lock timeouts, and a connect timeout unless the user set one.
public enum SafeSession {
    public static let statementTimeout = "30s"
    public static let lockTimeout = "1s"
    public static let defaultConnectTimeoutSeconds = "10"

    /// `database`, when given, replaces the connection string's dbname (every database of a
    /// server is read through the one conninfo the user gave: `--all-databases`).
    public static func open(conninfo: String?, database: String? = nil, trace: QueryTrace? = nil)
        throws(CollectorError) -> Connection
    {
        var defaults: [String: String] = [:]
        if ProcessInfo.processInfo.environment["PGCONNECT_TIMEOUT"] == nil {
            defaults["connect_timeout"] = defaultConnectTimeoutSeconds
        }
        var settings = ["application_name": "dbadvise"]
        // "If any keyword is repeated, the last value is used" (PQconnectdbParams); only the
        // first dbname is expanded as a connection string, a later one is a plain name.
        if let database { settings["dbname"] = database }
        do {
            let connection = try Connection(conninfo: conninfo, settings: settings, defaults: defaults)
            try connection.query(ServerQueries.sessionSetup, [statementTimeout, lockTimeout], trace: trace)
            return connection
        } catch {
            throw CollectorError(error)
        }
    }
}
