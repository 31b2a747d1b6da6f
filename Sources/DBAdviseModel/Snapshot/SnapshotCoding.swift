import FastJSON
import Foundation

/// How snapshots go to and from disk: snake_case keys, ISO-8601 dates, sorted keys so that
/// two snapshots diff cleanly. The keys are each type's own `CodingKeys` (snake_case raw
/// values), not a key conversion: converting every key of every object was most of the
/// coders' time on a large snapshot (BENCHMARKS.md), and an explicit key is the one that is
/// written and read.
public enum SnapshotCoding {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(formatTimestamp(date))
        }
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = parseTimestamp(text) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "not an ISO-8601 timestamp: \(text)")
            }
            return date
        }
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return decoder
    }

    /// Dates as ``formatTimestamp(_:)`` writes them and ``parseTimestamp(_:)`` reads them.
    static let dateText = FastJSON.DateText(format: { formatTimestamp($0) }, parse: { parseTimestamp($0) })

    /// What `encoder().encode(value)` writes, byte for byte, written by ``FastJSON`` (about
    /// 0.4 s of CPU less than Foundation's for a snapshot of 50,000 relations, either way:
    /// BENCHMARKS.md); Foundation's encoder when the fast one declines.
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        if let data = try? FastJSON.encode(value, dates: dateText) { return data }
        return try encoder().encode(value)
    }

    /// What `decoder().decode(type, from: data)` reads, read by ``FastJSON``; Foundation's
    /// decoder, with its precise errors, when the fast one declines. FastJSON reads a number
    /// beyond a Double (`1e400`, `1e-400`) as the value it rounds to (infinity, or 0), so that
    /// the range checks refuse it with its key path (`rates.writes_per_second: infinity … is
    /// out of range`) or take the 0; Foundation refuses such a number as invalid JSON without
    /// saying where, so for Foundation it is rewritten first.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        if let value = try? FastJSON.decode(type, from: data, dates: dateText) { return value }
        let decoder = decoder()
        do {
            return try decoder.decode(type, from: data)
        } catch let error as DecodingError {
            guard case .dataCorrupted(let context) = error, context.codingPath.isEmpty,
                let readable = numbersBeyondDoubleRounded(in: data)
            else { throw error }
            return try decoder.decode(type, from: readable)
        }
    }

    /// `data` with each number that overflows a Double written `"Infinity"` or `"-Infinity"`
    /// (the decoder's non-finite strings) and each that underflows written `0`; nil when there
    /// is none. Bytes inside strings are left alone.
    static func numbersBeyondDoubleRounded(in data: Data) -> Data? {
        let bytes = [UInt8](data)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var replaced = false
        var inString = false
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if inString {
                output.append(byte)
                if byte == UInt8(ascii: "\\"), index + 1 < bytes.count {
                    output.append(bytes[index + 1])
                    index += 2
                    continue
                }
                if byte == UInt8(ascii: "\"") { inString = false }
                index += 1
                continue
            }
            guard byte == UInt8(ascii: "-") || Self.isDigit(byte) else {
                if byte == UInt8(ascii: "\"") { inString = true }
                output.append(byte)
                index += 1
                continue
            }
            var end = index + 1
            while end < bytes.count, Self.isDigit(bytes[end]) || "+-.eE".utf8.contains(bytes[end]) { end += 1 }
            let token = bytes[index..<end]
            let mantissa = token.prefix { $0 != UInt8(ascii: "e") && $0 != UInt8(ascii: "E") }
            if let value = Double(String(decoding: token, as: UTF8.self)) {
                if value.isInfinite {
                    output += Array((value > 0 ? "\"Infinity\"" : "\"-Infinity\"").utf8)
                    replaced = true
                } else if value == 0, mantissa.contains(where: { $0 >= UInt8(ascii: "1") && $0 <= UInt8(ascii: "9") }) {
                    output += Array("0".utf8)
                    replaced = true
                } else {
                    output += token
                }
            } else {
                output += token
            }
            index = end
        }
        return replaced ? Data(output) : nil
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// `2026-11-24T19:00:00.123Z` (milliseconds kept: samples are a second apart).
    /// To the nearest millisecond. The format style cuts the fraction off, and a time read
    /// from `.152Z` is a hair below it as a double: written again it would say `.151Z`.
    /// Written from the middle of its millisecond, a time always reads back as itself.
    public static func formatTimestamp(_ date: Date) -> String {
        let milliseconds = (date.timeIntervalSinceReferenceDate * 1_000).rounded()
        guard milliseconds.isFinite, abs(milliseconds) < 1e15 else {
            return date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt))
        }
        return Date(timeIntervalSinceReferenceDate: (milliseconds + 0.5) / 1_000)
            .formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt))
    }

    public static func parseTimestamp(_ text: String) -> Date? {
        if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text) {
            return date
        }
        return try? Date.ISO8601FormatStyle().parse(text)
    }
}

/// A snapshot's tables and indexes, tens of thousands of rows on a large catalog, are written
/// on several threads.
extension TableStats: ParallelEncodable {}
extension IndexStats: ParallelEncodable {}
