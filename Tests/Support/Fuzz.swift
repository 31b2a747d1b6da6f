import Foundation

/// A deterministic generator (SplitMix64): the same seed gives the same corpus on every
/// machine, so a failing fuzz case can be replayed by its number.
public struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Mutations of real files for the fuzz tests: extreme numbers, wrong types, deep nesting,
/// truncation, control characters, huge strings. JSON is mutated token by token (a number,
/// a string, a literal), so most mutants stay parseable and reach the decoders' checks
/// rather than stopping at the syntax; YAML is mutated by its numbers and lines.
public enum FuzzMutator {
    /// Numbers that broke dbadvise once, or sit on an edge: past Double (1e400 reads as
    /// infinity), past Int, past 2^53, negative, denormal, and the strings Foundation reads
    /// as non-finite numbers.
    public static let extremeNumbers = [
        "1e19", "-1e308", "1e308", "1e400", "-1e400", "1E+999", "9223372036854775807",
        "9223372036854775808", "-9223372036854775808", "9007199254740993", "-1", "-0.0", "0",
        "1e-320", "0.5", "2", "1.0000000000000002", "\"NaN\"", "\"Infinity\"", "\"-Infinity\"",
        "4294967296", "123456789012345678901234567890",
    ]

    static let wrongTypes = [
        "\"text\"", "true", "false", "null", "[]", "{}", "[1,2,3]", "{\"a\":1}", "\"\"", "[null]",
    ]

    /// Strings with what a hostile name holds: terminal escapes, NUL, bidi overrides,
    /// invalid surrogates, quotes and HTML.
    static let hostileStrings = [
        "\"\\u001b]0;owned\\u0007\\u001b[2J\"", "\"\\u0000\"", "\"a\\u0000b\"", "\"\\u202Egnp.exe\"",
        "\"\\ud800\"", "\"\\udc00\\ud800\"", "\"<script>&amp;</script>\"", "\"\\\"'`$(reboot)\"",
        "\"\\r\\n\\t\\b\\f\"", "\"\u{1B}[31mraw escape\u{1B}[0m\"", "\"raw\u{0}nul\"", "\"..\\/..\\/etc\"",
        "\"\u{FEFF}bom\"", "\"\\uFFFF\"", "\"日本語テーブル\"",
    ]

    /// One of `items` (never empty where it is called).
    static func pick<Item>(_ items: [Item], _ random: inout SeededGenerator) -> Item {
        items[Int.random(in: 0..<items.count, using: &random)]
    }

    static let extremeTimestamps = [
        "\"0001-01-01T00:00:00Z\"", "\"9999-12-31T23:59:59.999Z\"", "\"1970-01-01T00:00:00Z\"",
        "\"2026-11-26T00:03:10.000Z\"", "\"2026-02-30T25:61:61Z\"",
    ]

    static func isTimestamp(_ token: Token, _ bytes: [UInt8]) -> Bool {
        token.kind == .string && token.range.count == 26 && bytes[token.range.lowerBound + 1] == UInt8(ascii: "2")
            && bytes[token.range.lowerBound + 11] == UInt8(ascii: "T")
    }

    /// Where each token of a valid JSON text starts and ends.
    public struct Token: Sendable {
        public enum Kind: Sendable { case number, string, literal }
        public let kind: Kind
        public let range: Range<Int>
    }

    public static func tokens(_ bytes: [UInt8]) -> [Token] {
        var tokens: [Token] = []
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                var end = index + 1
                while end < bytes.count, bytes[end] != UInt8(ascii: "\"") {
                    end += bytes[end] == UInt8(ascii: "\\") ? 2 : 1
                }
                tokens.append(Token(kind: .string, range: index..<min(end + 1, bytes.count)))
                index = end + 1
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                var end = index + 1
                while end < bytes.count, "0123456789.eE+-".utf8.contains(bytes[end]) { end += 1 }
                tokens.append(Token(kind: .number, range: index..<end))
                index = end
            case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
                var end = index + 1
                while end < bytes.count, bytes[end] >= UInt8(ascii: "a"), bytes[end] <= UInt8(ascii: "z") { end += 1 }
                tokens.append(Token(kind: .literal, range: index..<end))
                index = end
            default:
                index += 1
            }
        }
        return tokens
    }

    /// One to three mutations of `original` (a valid JSON text).
    public static func mutateJSON(_ original: Data, using random: inout SeededGenerator) -> Data {
        var bytes = [UInt8](original)
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            bytes = mutateOnce(bytes, using: &random)
        }
        return Data(bytes)
    }

    static func mutateOnce(_ bytes: [UInt8], using random: inout SeededGenerator) -> [UInt8] {
        let tokens = tokens(bytes)
        let numbers = tokens.filter { $0.kind == .number }
        let strings = tokens.filter { $0.kind == .string }
        func replace(_ token: Token, with text: String) -> [UInt8] {
            var mutated = bytes
            mutated.replaceSubrange(token.range, with: Array(text.utf8))
            return mutated
        }
        switch Int.random(in: 0..<100, using: &random) {
        case 0..<40 where !numbers.isEmpty:
            // most weight on numbers: they are what the range checks guard
            return replace(pick(numbers, &random), with: pick(extremeNumbers, &random))
        case 40..<52 where !tokens.isEmpty:
            return replace(pick(tokens, &random), with: pick(wrongTypes, &random))
        case 52..<58 where strings.contains(where: { isTimestamp($0, bytes) }):
            // the far past and future: growth over ten thousand years, or over a millisecond
            let timestamps = strings.filter { isTimestamp($0, bytes) }
            return replace(pick(timestamps, &random), with: pick(extremeTimestamps, &random))
        case 52..<66 where !strings.isEmpty:
            return replace(pick(strings, &random), with: pick(hostileStrings, &random))
        case 66..<72 where !tokens.isEmpty:
            let depth = pick([64, 600, 5_000, 20_000], &random)
            let open = Bool.random(using: &random) ? "[" : "{\"a\":"
            let close = open == "[" ? "]" : "}"
            return replace(
                pick(tokens, &random),
                with: String(repeating: open, count: depth) + "1" + String(repeating: close, count: depth))
        case 72..<78 where !strings.isEmpty:
            let length = pick([1_000, 100_000, 1_000_000], &random)
            return replace(pick(strings, &random), with: "\"" + String(repeating: "A", count: length) + "\"")
        case 78..<86:
            return Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &random)))
        case 86..<92 where !bytes.isEmpty:
            // a raw byte anywhere: a control character, a stray quote, invalid UTF-8
            var mutated = bytes
            let raw: [UInt8] = [0x00, 0x1B, 0x07, 0x22, 0x5C, 0xFF, 0xC3, 0x7F, 0x0A]
            mutated.insert(pick(raw, &random), at: Int.random(in: 0..<bytes.count, using: &random))
            return mutated
        case 92..<96 where strings.count > 1:
            // a key or a value swapped for another: a missing required key, an unknown one
            let first = pick(strings, &random)
            let second = pick(strings, &random)
            return replace(first, with: String(decoding: bytes[second.range], as: UTF8.self))
        default:
            return Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &random)))
        }
    }

    /// One to three mutations of a YAML text: its numbers, a line, nesting, aliases.
    public static func mutateYAML(_ original: String, using random: inout SeededGenerator) -> String {
        var text = original
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            text = mutateYAMLOnce(text, using: &random)
        }
        return text
    }

    static func mutateYAMLOnce(_ text: String, using random: inout SeededGenerator) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let yamlNumbers = [
            "1e19", "-1e308", "1e400", ".inf", "-.inf", ".nan", "9223372036854775808", "-1", "0", "1e-320",
            "0x7fffffffffffffff", "1_000_000", "2.5", "~", "\"12\"", "[1, 2]", "{a: 1}", "yes",
        ]
        switch Int.random(in: 0..<100, using: &random) {
        case 0..<45:
            // every number of one line
            guard let index = lines.indices.randomElement(using: &random) else { return text }
            let replacement = pick(yamlNumbers, &random)
            lines[index] = lines[index].replacingOccurrences(
                of: "(?<![A-Za-z_])[0-9]+(\\.[0-9]+)?", with: replacement, options: .regularExpression)
            return lines.joined(separator: "\n")
        case 45..<55:
            let depth = pick([64, 1_000, 10_000], &random)
            return text + "\nhardware: " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        case 55..<62:
            // an alias bomb
            var bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
            for level in 1...9 {
                bomb +=
                    "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
                    + "]\n"
            }
            return bomb + text
        case 62..<72:
            let hostile = pick(["\u{1B}[2J", "\u{0}", "\u{7}", "\t", "\u{202E}", "\u{FEFF}", "\r"], &random)
            guard let index = lines.indices.randomElement(using: &random) else { return text }
            lines[index].insert(contentsOf: hostile, at: lines[index].startIndex)
            return lines.joined(separator: "\n")
        case 72..<80:
            guard let index = lines.indices.randomElement(using: &random) else { return text }
            lines.remove(at: index)
            return lines.joined(separator: "\n")
        case 80..<86:
            return text + "\nthresholds: {table_size_gb: {warning: " + String(repeating: "9", count: 100_000) + "}}"
        default:
            return String(text.prefix(Int.random(in: 0...text.count, using: &random)))
        }
    }
}
