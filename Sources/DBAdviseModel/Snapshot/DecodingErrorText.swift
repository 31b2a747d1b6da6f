import Foundation

/// One line for a JSON decoding failure, naming the key as it is written in the file
/// (snake_case: the decoders convert from it): `tables[3].total_bytes: expected a number`.
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
                    text += (text.isEmpty ? "" : ".") + snakeCase(key.stringValue)
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

    /// `writesPerSecond` → `writes_per_second`, `activeSessionsPerVCPU` →
    /// `active_sessions_per_vcpu`: the inverse of the decoder's key conversion, so errors name
    /// the keys as they are in the file.
    static func snakeCase(_ name: String) -> String {
        let characters = Array(name)
        var result = ""
        for (index, character) in characters.enumerated() {
            if character.isUppercase, index > 0 {
                let previous = characters[index - 1]
                let next = index + 1 < characters.count ? characters[index + 1] : nil
                if previous.isLowercase || previous.isNumber
                    || (previous.isUppercase && next?.isLowercase == true)
                {
                    result += "_"
                }
            }
            result += character.lowercased()
        }
        return result
    }
}
