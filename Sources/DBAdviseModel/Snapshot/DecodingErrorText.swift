import Foundation

/// One line for a JSON decoding failure, naming the key as it is written in the file
/// (each type's `CodingKeys` are the file's snake_case keys): `tables[3].total_bytes: expected
/// a number`.
/// Shared by the snapshot, report and baseline readers.
public enum DecodingErrorText {
    /// `tables[3].total_bytes: expected a number, found a string`.
    public static func describe(_ error: DecodingError) -> String {
        func path(_ codingPath: [any CodingKey]) -> String {
            var text = ""
            for key in codingPath {
                if let index = key.intValue {
                    text += "[\(index)]"
                } else {
                    text += (text.isEmpty ? "" : ".") + key.stringValue
                }
            }
            return text
        }
        func at(_ codingPath: [any CodingKey]) -> String {
            codingPath.isEmpty ? "" : "\(path(codingPath)): "
        }
        switch error {
        case let .keyNotFound(key, context):
            let full = context.codingPath + [key]
            return "\(path(full)): missing"
        case let .valueNotFound(type, context):
            return "\(at(context.codingPath))expected \(typeName(type)), found null"
        case let .typeMismatch(type, context):
            return "\(at(context.codingPath))expected \(typeName(type))"
        case let .dataCorrupted(context):
            return "\(at(context.codingPath))\(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }

    static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is Double.Type, is Int64.Type: "a number"
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        default:
            "\(type)".hasPrefix("Array") ? "a list" : "an object (\(type))"
        }
    }
}
