import Foundation
import PostgresClient

/// Opens a connection the way every dbadvise session must be: `application_name=dbadvise`,
/// read-only, with statement and lock timeouts, and a connect timeout unless the user set one.
public enum SafeSession {
    public static let statementTimeout = "30s"
    public static let lockTimeout = "1s"
    public static let defaultConnectTimeoutSeconds = "10"

    public static func open(conninfo: String?) throws(CollectorError) -> Connection {
        var defaults: [String: String] = [:]
        if ProcessInfo.processInfo.environment["PGCONNECT_TIMEOUT"] == nil {
            defaults["connect_timeout"] = defaultConnectTimeoutSeconds
        }
        do {
            let connection = try Connection(
                conninfo: conninfo, settings: ["application_name": "dbadvise"],
                defaults: defaults)
            try connection.query(
                ServerQueries.sessionSetup.sql, [statementTimeout, lockTimeout])
            return connection
        } catch {
            throw CollectorError(error)
        }
    }
}
