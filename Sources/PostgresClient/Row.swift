import Foundation

/// Column names of one result, shared by all its rows.
public final class ResultColumns: Sendable {
    public let names: [String]
    let indexByName: [String: Int]

    init(names: [String]) {
        self.names = names
        var index: [String: Int] = [:]
        for (position, name) in names.enumerated() where index[name] == nil {
            index[name] = position
        }
        self.indexByName = index
    }
}

/// One row of a result, copied out of the `PGresult` in text format before `PQclear`.
/// SQL NULL is `nil`. Typed accessors throw when the column does not exist or the text
/// does not parse, so a typo in a query never turns into a silent null.
public struct Row: Sendable {
    public let columns: ResultColumns
    public let values: [String?]

    public init(columns: ResultColumns, values: [String?]) {
        self.columns = columns
        self.values = values
    }

    public func string(_ name: String) throws(PostgresError) -> String? {
        guard let position = columns.indexByName[name] else {
            throw .unexpectedResult(message: "result has no column \"\(name)\"")
        }
        return values[position]
    }

    public func int(_ name: String) throws(PostgresError) -> Int? {
        guard let text = try string(name) else { return nil }
        if let value = Int(text) { return value }
        // numeric columns (sums of bigint) arrive as "123" or "123.0"
        if let value = Double(text), value.isFinite, value.rounded() == value,
            abs(value) < 9.2e18
        {
            return Int(value)
        }
        throw .unexpectedResult(message: "column \"\(name)\" is not an integer: \(text)")
    }

    public func double(_ name: String) throws(PostgresError) -> Double? {
        guard let text = try string(name) else { return nil }
        switch text {
        case "NaN": return .nan
        case "Infinity": return .infinity
        case "-Infinity": return -.infinity
        default:
            guard let value = Double(text) else {
                throw .unexpectedResult(message: "column \"\(name)\" is not a number: \(text)")
            }
            return value
        }
    }

    public func bool(_ name: String) throws(PostgresError) -> Bool? {
        guard let text = try string(name) else { return nil }
        switch text {
        case "t", "true", "on", "1": return true
        case "f", "false", "off", "0": return false
        default: throw .unexpectedResult(message: "column \"\(name)\" is not a boolean: \(text)")
        }
    }

    /// A timestamp selected as `EXTRACT(EPOCH FROM ts)` (seconds since 1970, UTC).
    public func date(_ name: String) throws(PostgresError) -> Date? {
        guard let seconds = try double(name), seconds.isFinite else { return nil }
        return Date(timeIntervalSince1970: seconds)
    }

    /// A text array selected as `array_to_json(...)::text` or `to_json(...)::text`.
    public func stringArray(_ name: String) throws(PostgresError) -> [String]? {
        guard let text = try string(name) else { return nil }
        if let array = Self.plainStringArray(text) { return array }
        guard let data = text.data(using: .utf8),
            let array = try? JSONDecoder().decode([String?].self, from: data)
        else {
            throw .unexpectedResult(message: "column \"\(name)\" is not a JSON array of text")
        }
        return array.compactMap { $0 }
    }

    /// `["a", "b", null]` without escapes, split by hand (nulls dropped): one per index and
    /// per partition key, so a JSONDecoder each was a tenth of a large catalog's read. Nil
    /// when the text has a backslash or does not have that shape: JSONDecoder reads it then.
    static func plainStringArray(_ text: String) -> [String]? {
        let bytes = Array(text.utf8)
        guard !bytes.contains(UInt8(ascii: "\\")), bytes.first == UInt8(ascii: "["),
            bytes.last == UInt8(ascii: "]")
        else { return nil }
        var result: [String] = []
        var index = 1
        let end = bytes.count - 1
        func skipSpaces() { while index < end, bytes[index] == UInt8(ascii: " ") { index += 1 } }
        skipSpaces()
        if index == end { return [] }
        while index < end {
            skipSpaces()
            if bytes[index] == UInt8(ascii: "\"") {
                guard let close = bytes[(index + 1)..<end].firstIndex(of: UInt8(ascii: "\"")) else { return nil }
                result.append(String(decoding: bytes[(index + 1)..<close], as: UTF8.self))
                index = close + 1
            } else if end - index >= 4, bytes[index..<(index + 4)].elementsEqual("null".utf8) {
                index += 4
            } else {
                return nil
            }
            skipSpaces()
            if index < end {
                guard bytes[index] == UInt8(ascii: ",") else { return nil }
                index += 1
                skipSpaces()
                if index == end { return nil }
            }
        }
        return result
    }

    /// A numeric array selected as `to_json(...)::text`.
    public func doubleArray(_ name: String) throws(PostgresError) -> [Double]? {
        guard let text = try string(name) else { return nil }
        guard let data = text.data(using: .utf8),
            let array = try? JSONDecoder().decode([Double?].self, from: data)
        else {
            throw .unexpectedResult(message: "column \"\(name)\" is not a JSON array of numbers")
        }
        return array.compactMap { $0 }
    }
}

/// The rows of one statement.
public struct QueryResult: Sendable {
    public let columns: ResultColumns
    public let rows: [Row]
    /// `PQcmdTuples`: rows affected by INSERT/UPDATE/DELETE, nil for other commands.
    public let affectedRows: Int?
}
