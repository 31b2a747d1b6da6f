import Foundation
import PostgresClient

/// Opens a connection the way every dbadvise session must be: `application_name=dbadvise`,
/// read-only, with statement and lock timeouts, `search_path` pinned to `pg_catalog,pg_temp`,
/// and a connect timeout unless the user set one.
///
/// The settings travel in the startup packet (libpq `options`), not as `SET` after connecting:
/// settings given there outrank `ALTER DATABASE … SET` and `ALTER ROLE … SET`, which the
/// server applies at a lower priority. A database owner can therefore neither put their own
/// schema ahead of `pg_catalog` nor end or reshape our session (`idle_session_timeout = '1ms'`).
/// The session is then checked before any other statement runs, so a pooler that drops the
/// startup options is refused instead of trusted.
public enum SafeSession {
    public static let statementTimeout = "30s"
    public static let lockTimeout = "1s"
    public static let defaultConnectTimeoutSeconds = "10"
    /// pg_temp last: otherwise it is searched first for relations (functions and operators are
    /// never looked up there).
    public static let searchPath = "pg_catalog,pg_temp"

    /// One setting pinned for the whole session.
    struct PinnedSetting: Sendable {
        let name: String
        let value: String
        /// Older servers reject an unknown setting in the startup packet ("unrecognized
        /// configuration parameter"): such a setting is dropped and the connection retried.
        /// Their servers have no such setting to override, so nothing is lost.
        var sinceServerVersion: Int?
    }

    /// Every setting a database or role could use to end our session, make it writable, run
    /// its own objects in it, or change how values read.
    static let pinnedSettings: [PinnedSetting] = [
        PinnedSetting(name: "search_path", value: searchPath),
        PinnedSetting(name: "default_transaction_read_only", value: "on"),
        // serializable (deferrable) waits for a safe snapshot, and fails on a standby
        PinnedSetting(name: "default_transaction_isolation", value: "read committed"),
        PinnedSetting(name: "default_transaction_deferrable", value: "off"),
        PinnedSetting(name: "statement_timeout", value: statementTimeout),
        PinnedSetting(name: "lock_timeout", value: lockTimeout),
        // dbadvise never idles inside a transaction; if it ever did, the server ends it
        PinnedSetting(name: "idle_in_transaction_session_timeout", value: "60s"),
        PinnedSetting(name: "idle_session_timeout", value: "0", sinceServerVersion: 140000),
        PinnedSetting(name: "transaction_timeout", value: "0", sinceServerVersion: 170000),
        // `ALTER DATABASE … SET role` would run the session as another role
        PinnedSetting(name: "role", value: "none"),
        // ISO dates in UTC make partition bounds (`pg_get_expr(relpartbound)`) read the same
        // whatever the server's DateStyle and TimeZone; floats print exactly
        PinnedSetting(name: "DateStyle", value: "ISO, YMD"),
        PinnedSetting(name: "TimeZone", value: "UTC"),
        PinnedSetting(name: "IntervalStyle", value: "postgres"),
        PinnedSetting(name: "extra_float_digits", value: "1"),
    ]

    /// `database`, when given, replaces the connection string's dbname (every database of a
    /// server is read through the one conninfo the user gave: `--all-databases`).
    public static func open(conninfo: String?, database: String? = nil, trace: QueryTrace? = nil)
        throws(CollectorError) -> Connection
    {
        var defaults: [String: String] = [:]
        if ProcessInfo.processInfo.environment["PGCONNECT_TIMEOUT"] == nil {
            defaults["connect_timeout"] = defaultConnectTimeoutSeconds
        }
        // "If any keyword is repeated, the last value is used" (PQconnectdbParams); only the
        // first dbname is expanded as a connection string, a later one is a plain name.
        var settings = ["application_name": "dbadvise", "client_encoding": "UTF8"]
        if let database { settings["dbname"] = database }
        let userOptions = userStartupOptions(conninfo: conninfo)
        // what this server refused before: each refusal costs a connection and a FATAL line
        // in the server's log, so it is paid once per server, not once per database
        let server = conninfo ?? ""
        var pins = pinnedSettings.filter { !refusedPins.contains($0.name, server: server) }
        while true {
            settings["options"] = startupOptions(userOptions: userOptions, pins: pins)
            let connection: Connection
            do {
                connection = try Connection(conninfo: conninfo, settings: settings, defaults: defaults)
            } catch {
                if let rejected = rejectedPin(error, among: pins) {
                    pins.removeAll { $0.name == rejected }
                    refusedPins.insert(rejected, server: server)
                    continue
                }
                throw .postgres(error, step: .connecting)
            }
            try checkSession(connection, trace: trace)
            return connection
        }
    }

    static let refusedPins = RefusedPins()

    /// Version-gated settings each server (by connection string) refused, shared by the
    /// threads that open sessions (replicas, `--all-databases` jobs).
    final class RefusedPins: @unchecked Sendable {
        private let lock = NSLock()
        private var names: [String: Set<String>] = [:]

        func contains(_ name: String, server: String) -> Bool {
            lock.withLock { names[server]?.contains(name) ?? false }
        }

        func insert(_ name: String, server: String) {
            lock.withLock { _ = names[server, default: []].insert(name) }
        }
    }

    /// The `options` the user's connection string carries, else PGOPTIONS: libpq reads the
    /// environment only when no `options` keyword is given, and ours always is.
    static func userStartupOptions(conninfo: String?) -> String? {
        if let conninfo, let given = ConnectionString.value(of: "options", in: conninfo) {
            return given
        }
        return ProcessInfo.processInfo.environment["PGOPTIONS"]
    }

    /// The user's options first, ours after them: the server applies `-c` arguments in order,
    /// so for a setting given twice ours is the one that holds.
    static func startupOptions(userOptions: String?, pins: [PinnedSetting]) -> String {
        let ours = pins.map { ConnectionString.commandLineSetting($0.name, $0.value) }
        let user = userOptions?.trimmingCharacters(in: .whitespaces) ?? ""
        return ([user].filter { !$0.isEmpty } + ours).joined(separator: " ")
    }

    /// The version-gated setting an older server refused at connection time, if that is why
    /// the connection failed.
    static func rejectedPin(_ error: PostgresError, among pins: [PinnedSetting]) -> String? {
        guard case .connectionFailed(let message) = error, error.sqlState == .undefinedObject else { return nil }
        return pins.first { pin in
            pin.sinceServerVersion != nil && message.contains("\"\(pin.name)\"")
        }?.name
    }

    /// A value the database chose, fit for a terminal: control characters shown escaped.
    static func printable(_ text: String) -> String {
        text.unicodeScalars.map { scalar in
            scalar.properties.generalCategory == .control
                ? "\\u{\(String(scalar.value, radix: 16))}" : String(scalar)
        }.joined()
    }

    /// What the session must look like before anything else is sent.
    public static let verification = Query(
        "session verification",
        """
        SELECT
            pg_catalog.current_setting('search_path') AS search_path,
            pg_catalog.current_setting('transaction_read_only') AS read_only,
            current_user OPERATOR(pg_catalog.=) session_user AS own_role
        """)

    /// Refuses a session whose startup options did not take: a pooler (pgbouncer with
    /// `ignore_startup_parameters = options`) or proxy may drop them, and then database and
    /// role settings would apply again. The query itself names everything by schema.
    ///
    /// Untyped: Swift 6.3 crashes compiling `catch let error as CollectorError` around a call
    /// that throws only CollectorError (a SILGen ownership assertion); ``checkSession(_:trace:)``
    /// is the typed one.
    static func verify(_ connection: Connection, trace: QueryTrace?) throws {
        try checkSession(connection, trace: trace)
    }

    static func checkSession(_ connection: Connection, trace: QueryTrace?) throws(CollectorError) {
        let session: (path: String, readOnly: String?, ownRole: Bool?)?
        do {
            session = try connection.query(verification, trace: trace).rows.first.map { row throws(PostgresError) in
                (try row.string("search_path") ?? "", try row.string("read_only"), try row.bool("own_role"))
            }
        } catch {
            throw .postgres(error, step: .checkingSession)
        }
        guard let session else {
            throw CollectorError.unsafeSession("the server returned no row for the session check")
        }
        let path = session.path
        let schemas = path.split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        guard schemas == searchPath.split(separator: ",").map(String.init) else {
            throw CollectorError.unsafeSession(
                "the session's search_path is \(printable(path)) (not \(searchPath)): "
                    + "the startup options did not reach the server")
        }
        guard session.readOnly == "on" else {
            throw CollectorError.unsafeSession(
                "the session is not read-only: the startup options did not reach the server")
        }
        guard session.ownRole == true else {
            throw CollectorError.unsafeSession(
                "the session runs as another role than it logged in as: "
                    + "the startup options did not reach the server")
        }
    }
}
