import CLibPQ
import Foundation

/// What dbadvise knows about a connection string before connecting: whether libpq can parse
/// it, and how to keep its password out of anything we print.
public enum ConnectionString {
    /// libpq treats the `dbname` value as a connection string when it contains `=` or starts
    /// with a URI designator; anything else is a plain database name.
    public static func isExpandable(_ conninfo: String) -> Bool {
        conninfo.contains("=") || conninfo.hasPrefix("postgresql://")
            || conninfo.hasPrefix("postgres://")
    }

    /// Parses with `PQconninfoParse`, the same parser `PQconnectdbParams` uses, so a malformed
    /// string is a usage error before any network traffic.
    public static func validate(_ conninfo: String) throws(PostgresError) {
        guard isExpandable(conninfo) else { return }
        _ = try keywords(in: conninfo)
    }

    /// The value the connection string gives `keyword` (`options`, for instance), parsed by
    /// libpq itself; nil for a plain database name, an unparsable string or an absent keyword.
    public static func value(of keyword: String, in conninfo: String) -> String? {
        guard isExpandable(conninfo) else { return nil }
        return (try? keywords(in: conninfo))?[keyword]
    }

    /// Every keyword the string sets, with its value, as `PQconninfoParse` reads them.
    static func keywords(in conninfo: String) throws(PostgresError) -> [String: String] {
        var errorMessage: UnsafeMutablePointer<CChar>? = nil
        // "If errmsg is not NULL, then *errmsg is set to NULL on success, else to a malloc'd
        // error string explaining the problem. (It is also possible for *errmsg to be set to
        // NULL and the function to return NULL; this indicates an out-of-memory condition.)"
        guard let options = PQconninfoParse(conninfo, &errorMessage) else {
            var message = "out of memory while parsing the connection string"
            if let errorMessage {
                message = String(cString: errorMessage)
                PQfreemem(errorMessage)
            }
            throw .invalidConnectionString(message: redact(oneLine(message), in: conninfo))
        }
        // "the array should be freed with PQconninfoFree"
        defer { PQconninfoFree(options) }
        // the array ends with an entry whose keyword is NULL; `val` is NULL for keywords unset
        var found: [String: String] = [:]
        var cursor = options
        while let name = cursor.pointee.keyword {
            if let value = cursor.pointee.val { found[String(cString: name)] = String(cString: value) }
            cursor += 1
        }
        return found
    }

    /// One `-c name=value` argument of libpq's `options`: the server splits that string at
    /// unescaped whitespace and reads a backslash as escaping the next character.
    public static func commandLineSetting(_ name: String, _ value: String) -> String {
        var escaped = ""
        for character in value {
            if character == "\\" || character.isWhitespace { escaped.append("\\") }
            escaped.append(character)
        }
        return "-c \(name)=\(escaped)"
    }

    /// Removes every password the connection string carries from `text`.
    public static func redact(_ text: String, in conninfo: String) -> String {
        var result = text
        for secret in passwords(in: conninfo) where !secret.isEmpty {
            result = result.replacingOccurrences(of: secret, with: "********")
        }
        return result
    }

    /// Passwords in `key=value` form (`password=...`, quoted or not) and in URI userinfo
    /// (`postgres://user:secret@host`), found without trusting the string to be well formed.
    static func passwords(in conninfo: String) -> [String] {
        var found: [String] = []
        let characters = Array(conninfo)
        // key=value form
        let key = Array("password")
        var index = 0
        while index + key.count < characters.count {
            if Array(characters[index..<index + key.count]) == key {
                var cursor = index + key.count
                while cursor < characters.count, characters[cursor] == " " { cursor += 1 }
                if cursor < characters.count, characters[cursor] == "=" {
                    cursor += 1
                    while cursor < characters.count, characters[cursor] == " " { cursor += 1 }
                    var value = ""
                    if cursor < characters.count, characters[cursor] == "'" {
                        cursor += 1
                        while cursor < characters.count, characters[cursor] != "'" {
                            if characters[cursor] == "\\", cursor + 1 < characters.count {
                                cursor += 1
                            }
                            value.append(characters[cursor])
                            cursor += 1
                        }
                    } else {
                        while cursor < characters.count, characters[cursor] != " ",
                            characters[cursor] != "&"
                        {
                            value.append(characters[cursor])
                            cursor += 1
                        }
                    }
                    found.append(value)
                }
            }
            index += 1
        }
        // URI userinfo: scheme://user:password@host
        if let schemeEnd = conninfo.range(of: "://") {
            let rest = conninfo[schemeEnd.upperBound...]
            let authority = rest.prefix { $0 != "/" && $0 != "?" }
            if let at = authority.lastIndex(of: "@") {
                let userInfo = authority[..<at]
                if let colon = userInfo.firstIndex(of: ":") {
                    let secret = String(userInfo[userInfo.index(after: colon)...])
                    found.append(secret)
                    if let decoded = secret.removingPercentEncoding, decoded != secret {
                        found.append(decoded)
                    }
                }
            }
        }
        return found
    }

    static func oneLine(_ message: String) -> String {
        message.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
            .joined(separator: " ")
    }
}
