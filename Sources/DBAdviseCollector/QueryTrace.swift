import Foundation
import PostgresClient

/// Every statement one collection sent, in order, with its parameters and the time it took
/// as the client saw it: the benchmark replays them with psql to measure the floor (the
/// time the server needs for exactly these statements), and a slow section shows up here.
///
/// `@unchecked Sendable`: `entries` is the only state, and every access holds `lock`.
public final class QueryTrace: @unchecked Sendable {
    public struct Entry: Sendable, Equatable {
        public var name: String
        public var sql: String
        public var parameters: [String?]
        public var seconds: Double
        public var rows: Int
    }

    private let lock = NSLock()
    private var recorded: [Entry] = []

    public init() {}

    public var entries: [Entry] { lock.withLock { recorded } }

    func record(_ entry: Entry) {
        lock.withLock { recorded.append(entry) }
    }

    /// A psql script that sends the same statements in the same order: each parameter
    /// becomes a quoted literal in place of its `$n` (the server plans a parameterized
    /// statement with the values known, as it does a literal), preceded by a comment with
    /// the statement's name, client-side time and row count.
    public func psqlScript() -> String {
        var lines: [String] = ["-- dbadvise: \(entries.count) statements"]
        for entry in entries {
            lines.append(
                "-- \(entry.name): \(String(format: "%.3f", entry.seconds * 1000)) ms, \(entry.rows) rows")
            lines.append(Self.inline(entry.sql, entry.parameters) + ";")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `$1` … `$n` replaced by literals, highest number first so `$1` never eats `$10`.
    static func inline(_ sql: String, _ parameters: [String?]) -> String {
        var text = sql
        for (index, value) in parameters.enumerated().reversed() {
            let literal = value.map { "'" + $0.replacingOccurrences(of: "'", with: "''") + "'" } ?? "NULL"
            text = text.replacingOccurrences(of: "$\(index + 1)", with: literal)
        }
        return text
    }
}

extension Connection {
    /// Sends one statement and records it in `trace` (when there is one), failed or not.
    @discardableResult
    func query(_ query: Query, _ parameters: [String?] = [], trace: QueryTrace?)
        throws(PostgresError) -> QueryResult
    {
        guard let trace else { return try self.query(query.sql, parameters) }
        let began = DispatchTime.now().uptimeNanoseconds
        func seconds() -> Double { Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9 }
        do {
            let result = try self.query(query.sql, parameters)
            trace.record(
                QueryTrace.Entry(
                    name: query.name, sql: query.sql, parameters: parameters, seconds: seconds(),
                    rows: result.rows.count))
            return result
        } catch {
            trace.record(
                QueryTrace.Entry(
                    name: query.name, sql: query.sql, parameters: parameters, seconds: seconds(), rows: 0))
            throw error
        }
    }
}
