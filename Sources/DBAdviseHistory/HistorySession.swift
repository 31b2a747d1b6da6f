import DBAdviseAnalysis
import Foundation
import PostgresClient

/// The session to a shared history store: its own connection, never the collection's.
///
/// Collection sessions are read-only and measure someone's production database; this one
/// writes (collect) or reads (analyze, check) dbadvise's own schema, usually in another
/// database. It is pinned the same way where that matters: settings in the startup packet
/// (they outrank `ALTER DATABASE/ROLE … SET`), `search_path` to `pg_catalog,pg_temp`,
/// timeouts, UTC, exact floats, `application_name=dbadvise`; readers also read-only.
enum HistorySession {
    /// Long enough for the first collector to create the schema while another waits on the
    /// advisory lock; short enough that a stuck store fails a cron run instead of piling up.
    static let statementTimeout = "60s"
    static let lockTimeout = "30s"
    static let defaultConnectTimeoutSeconds = "10"

    static func pins(readOnly: Bool) -> [(String, String)] {
        [
            ("search_path", "pg_catalog,pg_temp"),
            ("default_transaction_read_only", readOnly ? "on" : "off"),
            ("default_transaction_isolation", "read committed"),
            ("statement_timeout", statementTimeout),
            ("lock_timeout", lockTimeout),
            ("idle_in_transaction_session_timeout", "60s"),
            // `ALTER DATABASE … SET role` would own the tables as another role
            ("role", "none"),
            ("TimeZone", "UTC"),
            ("DateStyle", "ISO, YMD"),
            ("extra_float_digits", "1"),
        ]
    }

    static func open(conninfo: String, readOnly: Bool) throws(PostgresError) -> Connection {
        var defaults: [String: String] = [:]
        if ProcessInfo.processInfo.environment["PGCONNECT_TIMEOUT"] == nil {
            defaults["connect_timeout"] = defaultConnectTimeoutSeconds
        }
        // The user's options first, ours after: the server applies `-c` in order, ours hold.
        let userOptions =
            ConnectionString.value(of: "options", in: conninfo) ?? ProcessInfo.processInfo.environment["PGOPTIONS"]
        let ours = pins(readOnly: readOnly).map { ConnectionString.commandLineSetting($0.0, $0.1) }
        let options = ([userOptions?.trimmingCharacters(in: .whitespaces) ?? ""].filter { !$0.isEmpty } + ours)
            .joined(separator: " ")
        return try Connection(
            conninfo: conninfo,
            settings: ["application_name": "dbadvise", "client_encoding": "UTF8", "options": options],
            defaults: defaults)
    }
}
