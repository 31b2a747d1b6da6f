import CLibPQ
import Foundation

/// Where a connection went, read back from libpq's accessors (never from the connection
/// string), so it is safe to print and to store in a snapshot.
public struct ConnectionDescription: Sendable, Equatable, CustomStringConvertible {
    public let host: String?
    public let port: String?
    public let database: String?
    public let user: String?

    public var description: String {
        let place = [host, port].compactMap { $0 }.joined(separator: ":")
        return "\(user ?? "?")@\(place.isEmpty ? "local" : place)/\(database ?? "?")"
    }
}

/// A blocking libpq connection. One thread uses it at a time (it is not `Sendable`);
/// `PQfinish` runs in `deinit`, and on every failed connection attempt.
public final class Connection {
    /// "PGconn *conn" — owned by this object from `PQconnectdbParams` until `PQfinish`.
    private let handle: OpaquePointer
    private let noticeSink: NoticeSink

    /// Server notices (RAISE NOTICE, warnings) collected instead of printed: libpq's default
    /// notice processor writes them to stderr, which would mix with our output.
    public var notices: [String] { noticeSink.messages }

    /// Opens a connection. `conninfo` is expanded exactly as psql does (`dbname` expansion of a
    /// key=value string or URI; PG* environment variables and ~/.pgpass fill the rest).
    /// `settings` are libpq keywords applied after the connection string, so they win
    /// (application_name, for instance); `defaults` are applied before it, so the user wins.
    public init(
        conninfo: String?,
        settings: [String: String] = [:],
        defaults: [String: String] = [:]
    ) throws(PostgresError) {
        if let conninfo { try ConnectionString.validate(conninfo) }
        var pairs: [(String, String)] = defaults.sorted { $0.key < $1.key }
        if let conninfo, !conninfo.isEmpty { pairs.append(("dbname", conninfo)) }
        pairs += settings.sorted { $0.key < $1.key }

        let connection = Self.connect(pairs)
        guard let connection else {
            throw .connectionFailed(message: "out of memory while connecting")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = ConnectionString.oneLine(String(cString: PQerrorMessage(connection)))
            // "Note that when PQconnectdb returns a non-null pointer, you must call PQfinish
            // when you are finished with it, in order to dispose of the structure and any
            // associated memory blocks. This must be done even if the connection attempt fails."
            PQfinish(connection)
            throw .connectionFailed(message: ConnectionString.redact(message, in: conninfo ?? ""))
        }
        self.handle = connection
        self.noticeSink = NoticeSink()
        // "The callback function is passed ... the arg pointer given to PQsetNoticeProcessor";
        // the sink lives as long as this object, which outlives the PGconn.
        PQsetNoticeProcessor(
            connection,
            { argument, message in
                guard let argument, let message else { return }
                let sink = Unmanaged<NoticeSink>.fromOpaque(argument).takeUnretainedValue()
                sink.append(ConnectionString.oneLine(String(cString: message)))
            },
            Unmanaged.passUnretained(noticeSink).toOpaque())
    }

    deinit {
        PQfinish(handle)
    }

    private static func connect(_ pairs: [(String, String)]) -> OpaquePointer? {
        // PQconnectdbParams takes NULL-terminated arrays of C strings; strdup'd copies keep the
        // pointers valid for the whole call and are freed right after.
        let keywords = pairs.map { strdup($0.0) } + [nil]
        let values = pairs.map { strdup($0.1) } + [nil]
        defer {
            keywords.forEach { free($0) }
            values.forEach { free($0) }
        }
        return keywords.map { UnsafePointer($0) }.withUnsafeBufferPointer { keywordBuffer in
            values.map { UnsafePointer($0) }.withUnsafeBufferPointer { valueBuffer in
                // expand_dbname = 1: "the value for the first dbname key word is checked to
                // see if it is a connection string"; later keywords override earlier ones.
                PQconnectdbParams(keywordBuffer.baseAddress, valueBuffer.baseAddress, 1)
            }
        }
    }

    /// Host, port, database and user as libpq resolved them.
    public var connectionDescription: ConnectionDescription {
        func text(_ pointer: UnsafeMutablePointer<CChar>?) -> String? {
            guard let pointer else { return nil }
            let value = String(cString: pointer)
            return value.isEmpty ? nil : value
        }
        return ConnectionDescription(
            host: text(PQhost(handle)), port: text(PQport(handle)),
            database: text(PQdb(handle)), user: text(PQuser(handle)))
    }

    /// `PQserverVersion`: 150018 for 15.18, 170002 for 17.2.
    public var serverVersionNumber: Int { Int(PQserverVersion(handle)) }

    /// Runs one statement with `$1...` parameters sent separately from the text
    /// (`PQexecParams`, text format), and copies every row out before `PQclear`.
    @discardableResult
    public func query(_ sql: String, _ parameters: [String?] = []) throws(PostgresError)
        -> QueryResult
    {
        let copies = parameters.map { $0.map { strdup($0) } ?? nil }
        defer { copies.forEach { free($0) } }
        let result = copies.map { UnsafePointer($0) }.withUnsafeBufferPointer { buffer in
            PQexecParams(
                handle, sql, Int32(parameters.count), nil, buffer.baseAddress, nil, nil, 0)
        }
        // "A null pointer is returned only in out-of-memory conditions or serious errors such
        // as inability to send the command to the server."
        guard let result else {
            throw .connectionLost(
                message: ConnectionString.oneLine(String(cString: PQerrorMessage(handle))))
        }
        // "Every command result should be freed via PQclear when it is no longer needed."
        defer { PQclear(result) }
        try check(result)
        return copyRows(result)
    }

    /// The one funnel from a `PGresult` status to a typed error.
    private func check(_ result: OpaquePointer) throws(PostgresError) {
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return
        case PGRES_FATAL_ERROR, PGRES_NONFATAL_ERROR:
            func field(_ code: Character) -> String? {
                guard let ascii = code.asciiValue,
                    let pointer = PQresultErrorField(result, Int32(ascii))
                else { return nil }
                return String(cString: pointer)
            }
            // PG_DIAG_SQLSTATE 'C', PG_DIAG_SEVERITY_NONLOCALIZED 'V' (9.6+; PG_DIAG_SEVERITY 'S'
            // before), PG_DIAG_MESSAGE_PRIMARY 'M', PG_DIAG_MESSAGE_DETAIL 'D',
            // PG_DIAG_MESSAGE_HINT 'H'
            guard let sqlState = field("C") else {
                // client-side failure (lost connection): no SQLSTATE from a server. The
                // connection's message, not the result's: a server that ends the session sends
                // its reason (FATAL: terminating connection due to administrator command)
                // before closing; libpq collects every error of the running query in the
                // connection's message, while this result holds only the closed socket.
                throw .connectionLost(
                    message: ConnectionString.oneLine(String(cString: PQerrorMessage(handle))))
            }
            throw .server(
                ServerError(
                    sqlState: SQLState(rawValue: sqlState), severity: field("V") ?? field("S") ?? "ERROR",
                    message: field("M") ?? "unknown error", detail: field("D"),
                    hint: field("H")))
        default:
            let status = String(cString: PQresStatus(PQresultStatus(result)))
            throw .unexpectedResult(message: "unexpected result status \(status)")
        }
    }

    private func copyRows(_ result: OpaquePointer) -> QueryResult {
        let columnCount = PQnfields(result)
        let rowCount = PQntuples(result)
        let columns = ResultColumns(
            names: (0..<columnCount).map { String(cString: PQfname(result, $0)) })
        var rows: [Row] = []
        rows.reserveCapacity(Int(rowCount))
        for rowIndex in 0..<rowCount {
            let values: [String?] = (0..<columnCount).map { column in
                if PQgetisnull(result, rowIndex, column) == 1 { return nil }
                // "The pointer returned by PQgetvalue points to storage that is part of the
                // PGresult structure": copied here, before PQclear.
                return String(cString: PQgetvalue(result, rowIndex, column))
            }
            rows.append(Row(columns: columns, values: values))
        }
        let affected = String(cString: PQcmdTuples(result))
        return QueryResult(columns: columns, rows: rows, affectedRows: Int(affected))
    }
}

/// Collects notices from libpq's callback. Only the thread using the connection touches it.
private final class NoticeSink {
    private(set) var messages: [String] = []
    func append(_ message: String) {
        // keep a bounded tail: a chatty server must not grow memory without end
        if messages.count >= 100 { messages.removeFirst() }
        messages.append(message)
    }
}
