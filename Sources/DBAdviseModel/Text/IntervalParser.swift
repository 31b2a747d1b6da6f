import Foundation

/// Parses `--interval`: `0`, `500ms`, `10s`, `5m`, `1h` (a bare number is seconds, as in
/// pgbench's `-T`). Returns seconds.
public enum IntervalParser {
    public struct InvalidInterval: Error, Sendable, CustomStringConvertible {
        public let text: String
        public var description: String {
            if text.trimmingCharacters(in: .whitespaces).hasPrefix("-") {
                return "the interval must not be negative, got \"\(text)\": use 0, 500ms, 10s, 5m or 1h"
            }
            return "invalid interval \"\(text)\": use 0, 500ms, 10s, 5m or 1h"
        }
    }

    public static func seconds(_ text: String) throws(InvalidInterval) -> Double {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(suffix: String, seconds: Double)] = [
            ("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600),
        ]
        var number = Substring(trimmed)
        var scale = 1.0
        for unit in units where trimmed.hasSuffix(unit.suffix) {
            number = trimmed.dropLast(unit.suffix.count)
            scale = unit.seconds
            break
        }
        guard !number.isEmpty, number.allSatisfy({ $0.isNumber || $0 == "." }),
            let value = Double(number), value.isFinite, value >= 0
        else {
            throw InvalidInterval(text: text)
        }
        let seconds = value * scale
        // a day is far past any sensible sampling window: likely a typo (10h for 10s)
        guard seconds <= 86_400 else { throw InvalidInterval(text: text) }
        return seconds
    }
}
