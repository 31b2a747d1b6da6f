import DBAdviseAnalysis
import DBAdviseModel
import Foundation

/// Names and texts from the database, made safe to print: a table named with an ESC sequence
/// would otherwise retitle the window or clear the screen of whoever reads the report, a CR
/// would overwrite a line, a bidi override would reorder one. Every renderer (text, Markdown,
/// JSON, JUnit, GitHub, SVG) passes its input through ``escapedStrings(in:)`` first, so no
/// raw control character from a name reaches a terminal, a CI log or a browser.
public enum DisplayText {
    /// Control characters shown as `\x1b` (C0, DEL, C1) or `\u{202e}` (bidi controls and
    /// other invisible format characters). Line feeds and tabs stay: reports hold multi-line
    /// DDL. Text without any of them is returned as it was.
    public static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var output = ""
        output.unicodeScalars.reserveCapacity(text.unicodeScalars.count + 8)
        for scalar in text.unicodeScalars {
            guard needsEscape(scalar) else {
                output.unicodeScalars.append(scalar)
                continue
            }
            let hex = String(scalar.value, radix: 16)
            output += scalar.value < 0x100 ? "\\x" + (hex.count < 2 ? "0" + hex : hex) : "\\u{\(hex)}"
        }
        return output
    }

    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0A, 0x09: false
        case 0x00...0x1F, 0x7F...0x9F: true
        // bidi embeddings, overrides and isolates, marks, and the line/paragraph separators
        case 0x061C, 0x200E, 0x200F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    /// The same value with every string in it (and every dictionary key) escaped: one pass
    /// over the encoded form, so a field added to the report later is covered too. The value
    /// comes back unchanged when it holds nothing to escape.
    public static func escapedStrings<Value: Codable>(in value: Value) -> Value {
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "+inf", negativeInfinity: "-inf", nan: "nan")
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "+inf", negativeInfinity: "-inf", nan: "nan")
        guard let data = try? encoder.encode(value),
            // JSON writes C0 as \u00XX; C1 and bidi characters as they are
            Self.mayHoldControls(String(decoding: data, as: UTF8.self)),
            let tree = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        else {
            return value
        }
        let escapedTree = escapedJSON(tree)
        guard let escapedData = try? JSONSerialization.data(withJSONObject: escapedTree, options: [.fragmentsAllowed]),
            let escapedValue = try? decoder.decode(Value.self, from: escapedData)
        else {
            return value
        }
        return escapedValue
    }

    private static func mayHoldControls(_ json: String) -> Bool {
        json.contains("\\u00") || json.unicodeScalars.contains(where: needsEscape)
    }

    private static func escapedJSON(_ node: Any) -> Any {
        switch node {
        case let text as String:
            return escaped(text)
        case let list as [Any]:
            return list.map(escapedJSON)
        case let object as [String: Any]:
            var result: [String: Any] = [:]
            for (key, value) in object { result[escaped(key)] = escapedJSON(value) }
            return result
        default:
            return node
        }
    }
}
