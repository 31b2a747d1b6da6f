import Foundation

// A JSON encoder and decoder several times faster than Foundation's on a dbadvise snapshot of
// 50,000 relations (22 MB, a million values), where Foundation's generic Codable machinery was
// most of `collect`'s own time and of offline `analyze`'s (see BENCHMARKS.md). They write and
// read exactly what a `JSONEncoder` / `JSONDecoder` with default key strategies, `.sortedKeys`,
// `.prettyPrinted`, `.withoutEscapingSlashes`, `.custom` dates (``FastJSON/DateText``) and
// non-finite numbers as `"Infinity"`, `"-Infinity"`, `"NaN"` do (DBAdviseCore's
// `SnapshotCoding`). They handle the types a snapshot holds; on anything else (a Data, a URL, a
// Decimal, an escaped key, malformed input) they throw ``FastJSON/Unsupported`` and the caller
// uses Foundation's. Tests in DBAdviseCoreTests encode real snapshots both ways and compare
// the bytes; the fuzz tests read mutated snapshots through both.

/// The fast path; the caller keeps Foundation's coders as the fallback.
public enum FastJSON {
    /// Thrown for anything the fast coders do not handle; the caller falls back.
    public struct Unsupported: Error, CustomStringConvertible {
        public let description: String
    }

    /// How dates are written and read: as text, by the caller's functions (what Foundation's
    /// `.custom` date strategies do with a single-value container).
    public struct DateText: Sendable {
        public let format: @Sendable (Date) -> String
        public let parse: @Sendable (String) -> Date?

        public init(format: @escaping @Sendable (Date) -> String, parse: @escaping @Sendable (String) -> Date?) {
            self.format = format
            self.parse = parse
        }
    }

    /// What the configured `JSONEncoder` writes for `value`, byte for byte.
    public static func encode<T: Encodable>(_ value: T, dates: DateText) throws -> Data {
        let encoder = TreeEncoder(keys: KeyTable(dates: dates), depth: -1)
        let tree = try encoder.box(value)
        var writer = JSONTextWriter()
        writer.bytes.reserveCapacity(1 << 20)
        writer.write(tree, depth: 0)
        return Data(writer.bytes)
    }

    /// What the configured `JSONDecoder` reads from `data`, for well-formed input.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data, dates: DateText) throws -> T {
        try data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) throws -> T in
            var parser = JSONParser(buffer.bindMemory(to: UInt8.self))
            let root = try parser.parseDocument()
            let decoder = TreeDecoder(
                node: root, input: JSONInput(bytes: buffer.bindMemory(to: UInt8.self)), keys: KeyTable(dates: dates))
            return try T(from: decoder)
        }
    }
}

// MARK: - keys

/// The keys of one encode, interned, and their order for `.sortedKeys`; and how dates are
/// written and read. Used by one thread at a time.
final class KeyTable {
    let dates: FastJSON.DateText
    private var byText: [String: KeyName] = [:]
    private var ordered: [KeyName] = []

    init(dates: FastJSON.DateText) { self.dates = dates }

    /// The JSON key of a property or of a dictionary entry, interned: objects of one type
    /// share their keys, so each is placed once and objects are sorted by an integer.
    func name(_ text: String) -> KeyName {
        if let known = byText[text] { return known }
        let name = KeyName(text)
        var low = 0
        var high = ordered.count
        while low < high {
            let middle = (low + high) / 2
            if ordered[middle].text < text { low = middle + 1 } else { high = middle }
        }
        ordered.insert(name, at: low)
        for index in low..<ordered.count { ordered[index].rank = index }
        byText[text] = name
        return name
    }
}

// MARK: - encoding

/// A key as written: its text, `"text" : ` ready to copy, and its place in sorted order.
final class KeyName {
    let text: String
    let quoted: [UInt8]
    var rank = 0

    init(_ text: String) {
        self.text = text
        var writer = JSONTextWriter()
        writer.writeString(text)
        writer.bytes.append(contentsOf: " : ".utf8)
        quoted = writer.bytes
    }
}

/// What the encoder collects before writing: objects keep their keys in insertion order and
/// are sorted when written.
enum JSONTree {
    /// JSON text already written at this place's depth (a long array written in parallel).
    case raw([UInt8])
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array(JSONArrayBox)
    case object(JSONObjectBox)
}

final class JSONArrayBox {
    var items: [JSONTree] = []
}

final class JSONObjectBox {
    var entries: [(key: KeyName, value: JSONTree)]

    init() {
        // most objects have a few keys, a table about 30: little regrowth on the way
        entries = []
        entries.reserveCapacity(16)
    }
}

final class TreeEncoder: Encoder {
    let keys: KeyTable
    /// How deep the value this encoder makes sits in the document (0: the root).
    let depth: Int
    var value: JSONTree?

    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(keys: KeyTable, depth: Int) {
        self.keys = keys
        self.depth = depth
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let box: JSONObjectBox
        if case .object(let existing) = value {
            box = existing
        } else {
            box = JSONObjectBox()
            value = .object(box)
        }
        return KeyedEncodingContainer(TreeKeyedContainer<Key>(encoder: self, box: box))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let box: JSONArrayBox
        if case .array(let existing) = value {
            box = existing
        } else {
            box = JSONArrayBox()
            value = .array(box)
        }
        return TreeUnkeyedContainer(encoder: self, box: box)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        TreeSingleValueContainer(encoder: self)
    }

    /// One value as a tree: primitives directly, Date as Foundation's custom strategy
    /// writes it, anything else through its own `encode(to:)`.
    func box<T: Encodable>(_ value: T) throws -> JSONTree {
        if T.self == Date.self, let date = value as? Date {
            return .string(keys.dates.format(date))
        }
        if T.self == String.self, let text = value as? String { return .string(text) }
        if T.self == Int.self, let number = value as? Int { return .number(String(number)) }
        if T.self == Double.self, let number = value as? Double { return Self.number(number) }
        if T.self == Bool.self, let flag = value as? Bool { return .bool(flag) }
        if T.self == Data.self || T.self == URL.self || T.self == Decimal.self {
            throw FastJSON.Unsupported(description: "\(T.self) is left to Foundation")
        }
        // a long array near the top (a snapshot's tables and indexes) is written on
        // several threads
        if depth < 1, T.self is any ParallelEncodableArray.Type, let array = value as? any ParallelEncodableArray,
            array.parallelCount >= ParallelChunks.minimumCount
        {
            return .raw(try array.encodeInParallel(depth: depth + 1, dates: keys.dates))
        }
        let child = TreeEncoder(keys: keys, depth: depth + 1)
        try value.encode(to: child)
        return child.value ?? .object(JSONObjectBox())
    }

    /// Foundation's spelling: the shortest round-trip text without a trailing `.0`;
    /// non-finite values as the strings of `.convertToString`.
    static func number(_ value: Double) -> JSONTree {
        if value.isNaN { return .string("NaN") }
        if value == .infinity { return .string("Infinity") }
        if value == -.infinity { return .string("-Infinity") }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        return .number(text)
    }

    static func number(_ value: Float) -> JSONTree {
        if !value.isFinite { return number(Double(value)) }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        return .number(text)
    }
}

struct TreeKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: TreeEncoder
    let box: JSONObjectBox
    var codingPath: [any CodingKey] { [] }

    private func name(_ key: Key) -> KeyName {
        encoder.keys.name(key.stringValue)
    }

    private func set(_ value: JSONTree, _ key: Key) {
        box.entries.append((name(key), value))
    }

    mutating func encodeNil(forKey key: Key) throws { set(.null, key) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { set(.bool(value), key) }
    mutating func encode(_ value: String, forKey key: Key) throws { set(.string(value), key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { set(TreeEncoder.number(value), key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { set(TreeEncoder.number(value), key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { set(.number(String(value)), key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { set(.number(String(value)), key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { set(.number(String(value)), key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { set(.number(String(value)), key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { set(.number(String(value)), key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { set(.number(String(value)), key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { set(.number(String(value)), key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { set(.number(String(value)), key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { set(.number(String(value)), key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { set(.number(String(value)), key) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        set(try encoder.box(value), key)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        let nested = JSONObjectBox()
        set(.object(nested), key)
        return KeyedEncodingContainer(
            TreeKeyedContainer<NestedKey>(
                encoder: TreeEncoder(keys: encoder.keys, depth: encoder.depth + 1), box: nested))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nested = JSONArrayBox()
        set(.array(nested), key)
        return TreeUnkeyedContainer(encoder: TreeEncoder(keys: encoder.keys, depth: encoder.depth + 1), box: nested)
    }

    mutating func superEncoder() -> any Encoder {
        SuperEncoder(box: box, key: encoder.keys.name("super"), keys: encoder.keys)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        SuperEncoder(box: box, key: name(key), keys: encoder.keys)
    }
}

/// `superEncoder()`: a value written into a key of the parent object when it is first used.
/// Snapshots never call it; it is here so that the protocol is complete.
final class SuperEncoder: Encoder {
    let box: JSONObjectBox
    let key: KeyName
    let inner: TreeEncoder
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(box: JSONObjectBox, key: KeyName, keys: KeyTable) {
        self.box = box
        self.key = key
        self.inner = TreeEncoder(keys: keys, depth: 1)
    }

    private func attach() {
        guard !box.entries.contains(where: { $0.key === key }), let value = inner.value else { return }
        box.entries.append((key, value))
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let container = inner.container(keyedBy: type)
        attach()
        return container
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let container = inner.unkeyedContainer()
        attach()
        return container
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        TreeSingleValueContainer(encoder: inner, onSet: { [self] in attach() })
    }
}

struct TreeUnkeyedContainer: UnkeyedEncodingContainer {
    let encoder: TreeEncoder
    let box: JSONArrayBox
    var codingPath: [any CodingKey] { [] }
    var count: Int { box.items.count }

    private func add(_ value: JSONTree) { box.items.append(value) }

    mutating func encodeNil() throws { add(.null) }
    mutating func encode(_ value: Bool) throws { add(.bool(value)) }
    mutating func encode(_ value: String) throws { add(.string(value)) }
    mutating func encode(_ value: Double) throws { add(TreeEncoder.number(value)) }
    mutating func encode(_ value: Float) throws { add(TreeEncoder.number(value)) }
    mutating func encode(_ value: Int) throws { add(.number(String(value))) }
    mutating func encode(_ value: Int8) throws { add(.number(String(value))) }
    mutating func encode(_ value: Int16) throws { add(.number(String(value))) }
    mutating func encode(_ value: Int32) throws { add(.number(String(value))) }
    mutating func encode(_ value: Int64) throws { add(.number(String(value))) }
    mutating func encode(_ value: UInt) throws { add(.number(String(value))) }
    mutating func encode(_ value: UInt8) throws { add(.number(String(value))) }
    mutating func encode(_ value: UInt16) throws { add(.number(String(value))) }
    mutating func encode(_ value: UInt32) throws { add(.number(String(value))) }
    mutating func encode(_ value: UInt64) throws { add(.number(String(value))) }
    mutating func encode<T: Encodable>(_ value: T) throws { add(try encoder.box(value)) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
        -> KeyedEncodingContainer<NestedKey>
    {
        let nested = JSONObjectBox()
        add(.object(nested))
        return KeyedEncodingContainer(
            TreeKeyedContainer<NestedKey>(
                encoder: TreeEncoder(keys: encoder.keys, depth: encoder.depth + 1), box: nested))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let nested = JSONArrayBox()
        add(.array(nested))
        return TreeUnkeyedContainer(encoder: TreeEncoder(keys: encoder.keys, depth: encoder.depth + 1), box: nested)
    }

    mutating func superEncoder() -> any Encoder {
        let object = JSONObjectBox()
        add(.object(object))
        return SuperEncoder(box: object, key: encoder.keys.name("super"), keys: encoder.keys)
    }
}

struct TreeSingleValueContainer: SingleValueEncodingContainer {
    let encoder: TreeEncoder
    var onSet: (() -> Void)? = nil
    var codingPath: [any CodingKey] { [] }

    private func set(_ value: JSONTree) {
        encoder.value = value
        onSet?()
    }

    mutating func encodeNil() throws { set(.null) }
    mutating func encode(_ value: Bool) throws { set(.bool(value)) }
    mutating func encode(_ value: String) throws { set(.string(value)) }
    mutating func encode(_ value: Double) throws { set(TreeEncoder.number(value)) }
    mutating func encode(_ value: Float) throws { set(TreeEncoder.number(value)) }
    mutating func encode(_ value: Int) throws { set(.number(String(value))) }
    mutating func encode(_ value: Int8) throws { set(.number(String(value))) }
    mutating func encode(_ value: Int16) throws { set(.number(String(value))) }
    mutating func encode(_ value: Int32) throws { set(.number(String(value))) }
    mutating func encode(_ value: Int64) throws { set(.number(String(value))) }
    mutating func encode(_ value: UInt) throws { set(.number(String(value))) }
    mutating func encode(_ value: UInt8) throws { set(.number(String(value))) }
    mutating func encode(_ value: UInt16) throws { set(.number(String(value))) }
    mutating func encode(_ value: UInt32) throws { set(.number(String(value))) }
    mutating func encode(_ value: UInt64) throws { set(.number(String(value))) }
    mutating func encode<T: Encodable>(_ value: T) throws { set(try encoder.box(value)) }
}

/// Arrays that can be written in chunks on several threads: a snapshot's tables and indexes,
/// tens of thousands of rows on a large catalog.
protocol ParallelEncodableArray {
    var parallelCount: Int { get }
    func encodeInParallel(depth: Int, dates: FastJSON.DateText) throws -> [UInt8]
}

/// Rows worth writing on several threads when an array of them is long (a snapshot's tables
/// and indexes): values, so threads can read them at once.
public protocol ParallelEncodable: Encodable, Sendable {}

extension Array: ParallelEncodableArray where Element: ParallelEncodable {
    var parallelCount: Int { count }

    /// The whole array as JSON text at `depth`: each chunk of elements is made into trees
    /// and written by its own thread (with its own key table), then the texts are joined.
    func encodeInParallel(depth: Int, dates: FastJSON.DateText) throws -> [UInt8] {
        let elements = self
        let parts = Swift.max(
            1, Swift.min(ProcessInfo.processInfo.activeProcessorCount, 8, count / (ParallelChunks.minimumCount / 2)))
        let size = (count + parts - 1) / parts
        let chunks = ParallelChunks(count: parts)
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let range = (part * size)..<Swift.min(elements.count, (part + 1) * size)
            do {
                let parent = TreeEncoder(keys: KeyTable(dates: dates), depth: depth)
                var writer = JSONTextWriter()
                for index in range {
                    if index > range.lowerBound { writer.bytes.append(UInt8(ascii: ",")) }
                    writer.newline(indent: depth + 1)
                    writer.write(try parent.box(elements[index]), depth: depth + 1)
                }
                chunks.set(part, .success(writer.bytes))
            } catch {
                chunks.set(part, .failure(error))
            }
        }
        var text: [UInt8] = [UInt8(ascii: "[")]
        for (part, chunk) in try chunks.texts().enumerated() {
            if part > 0 { text.append(UInt8(ascii: ",")) }
            text.append(contentsOf: chunk)
        }
        var writer = JSONTextWriter()
        writer.newline(indent: depth)
        text.append(contentsOf: writer.bytes)
        text.append(UInt8(ascii: "]"))
        return text
    }
}

/// The texts the threads of ``ParallelEncodableArray/encodeInParallel(depth:dates:)`` write.
///
/// `@unchecked Sendable`: `results` is the only state, and every access holds `lock`.
final class ParallelChunks: @unchecked Sendable {
    /// Shorter arrays are not worth a thread.
    static let minimumCount = 4_000

    private let lock = NSLock()
    private var results: [Result<[UInt8], any Error>?]

    init(count: Int) { results = Array(repeating: nil, count: count) }

    func set(_ part: Int, _ result: Result<[UInt8], any Error>) {
        lock.withLock { results[part] = result }
    }

    func texts() throws -> [[UInt8]] {
        try lock.withLock {
            try results.map { try ($0 ?? .failure(FastJSON.Unsupported(description: "a chunk was not written"))).get() }
        }
    }
}

/// Writes a tree as Foundation's JSONWriter does with `.prettyPrinted, .sortedKeys,
/// .withoutEscapingSlashes`: two-space indents, `"key" : value`, empty containers as
/// `[\n\n]` and `{\n\n}`.
struct JSONTextWriter {
    var bytes: [UInt8] = []

    mutating func newline(indent depth: Int) {
        bytes.append(0x0A)
        for _ in 0..<depth {
            bytes.append(0x20)
            bytes.append(0x20)
        }
    }

    mutating func write(_ tree: JSONTree, depth: Int) {
        switch tree {
        case .raw(let text): bytes.append(contentsOf: text)
        case .null: bytes.append(contentsOf: "null".utf8)
        case .bool(let flag): bytes.append(contentsOf: (flag ? "true" : "false").utf8)
        case .number(let text): append(text)
        case .string(let text): writeString(text)
        case .array(let box):
            bytes.append(UInt8(ascii: "["))
            let items = box.items
            if items.isEmpty { bytes.append(0x0A) }
            for index in items.indices {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                newline(indent: depth + 1)
                write(items[index], depth: depth + 1)
            }
            newline(indent: depth)
            bytes.append(UInt8(ascii: "]"))
        case .object(let box):
            bytes.append(UInt8(ascii: "{"))
            let entries = box.entries
            if entries.isEmpty { bytes.append(0x0A) }
            var order = Array(entries.indices)
            order.sort { entries[$0].key.rank < entries[$1].key.rank }
            for (position, index) in order.enumerated() {
                if position > 0 { bytes.append(UInt8(ascii: ",")) }
                newline(indent: depth + 1)
                bytes.append(contentsOf: entries[index].key.quoted)
                write(entries[index].value, depth: depth + 1)
            }
            newline(indent: depth)
            bytes.append(UInt8(ascii: "}"))
        }
    }

    private mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    private static let hex = Array("0123456789abcdef".utf8)

    /// Quoted, with JSONWriter's escapes (`/` left alone: `.withoutEscapingSlashes`).
    mutating func writeString(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            if !utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
                bytes.append(contentsOf: utf8)
                return
            }
            for byte in utf8 {
                switch byte {
                case UInt8(ascii: "\""): bytes.append(contentsOf: "\\\"".utf8)
                case UInt8(ascii: "\\"): bytes.append(contentsOf: "\\\\".utf8)
                case 0x08: bytes.append(contentsOf: "\\b".utf8)
                case 0x0C: bytes.append(contentsOf: "\\f".utf8)
                case 0x0A: bytes.append(contentsOf: "\\n".utf8)
                case 0x0D: bytes.append(contentsOf: "\\r".utf8)
                case 0x09: bytes.append(contentsOf: "\\t".utf8)
                case 0x00..<0x20:
                    bytes.append(contentsOf: "\\u00".utf8)
                    bytes.append(Self.hex[Int(byte >> 4)])
                    bytes.append(Self.hex[Int(byte & 0x0F)])
                default: bytes.append(byte)
                }
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}

// MARK: - decoding

/// The input bytes, valid for the duration of one decode.
struct JSONInput {
    let bytes: UnsafeBufferPointer<UInt8>

    func text(_ start: Int, _ length: Int) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<(start + length)]), as: UTF8.self)
    }

    func equals(_ start: Int, _ length: Int, _ other: [UInt8]) -> Bool {
        guard length == other.count else { return false }
        return other.withUnsafeBufferPointer { otherBytes in
            guard let base = bytes.baseAddress, let otherBase = otherBytes.baseAddress else { return length == 0 }
            return memcmp(base + start, otherBase, length) == 0
        }
    }
}

/// A parsed value: scalars stay where they are in the input until a decoder asks for them.
enum JSONNode {
    case null
    case bool(Bool)
    case number(start: Int, length: Int)
    /// `escaped`: the text holds a backslash and must be unescaped.
    case string(start: Int, length: Int, escaped: Bool)
    case array([JSONNode])
    case object([JSONEntry])
}

struct JSONEntry {
    var keyStart: Int
    var keyLength: Int
    var value: JSONNode
}

/// A strict JSON parser (RFC 8259) over bytes. Keys with escapes are left to Foundation.
struct JSONParser {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    private func fail(_ what: String) -> FastJSON.Unsupported {
        FastJSON.Unsupported(description: "\(what) at byte \(index)")
    }

    mutating func parseDocument() throws -> JSONNode {
        let node = try parseValue(depth: 0)
        skipSpace()
        guard index == bytes.count else { throw fail("trailing text") }
        return node
    }

    private mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    private mutating func parseValue(depth: Int) throws -> JSONNode {
        guard depth < 512 else { throw fail("nesting too deep") }
        skipSpace()
        guard index < bytes.count else { throw fail("unexpected end") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""):
            let (start, length, escaped) = try parseString()
            return .string(start: start, length: length, escaped: escaped)
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        default: return try parseNumber()
        }
    }

    private mutating func literal(_ word: StaticString, _ node: JSONNode) throws -> JSONNode {
        let length = word.utf8CodeUnitCount
        guard index + length <= bytes.count,
            memcmp(word.utf8Start, bytes.baseAddress.map { $0 + index } ?? word.utf8Start, length) == 0
        else { throw fail("invalid literal") }
        index += length
        return node
    }

    private mutating func parseNumber() throws -> JSONNode {
        let start = index
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        var digits = 0
        while index < bytes.count {
            let byte = bytes[index]
            if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                digits += 1
            } else if byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
                || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-")
            {
                // checked when the number is converted
            } else {
                break
            }
            index += 1
        }
        guard digits > 0 else { throw fail("invalid value") }
        return .number(start: start, length: index - start)
    }

    /// After the opening quote; returns the content's range.
    private mutating func parseString() throws -> (Int, Int, Bool) {
        index += 1
        let start = index
        var escaped = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let length = index - start
                index += 1
                return (start, length, escaped)
            }
            if byte == UInt8(ascii: "\\") {
                escaped = true
                index += 2
                continue
            }
            guard byte >= 0x20 else { throw fail("control character in a string") }
            index += 1
        }
        throw fail("unterminated string")
    }

    private mutating func parseArray(depth: Int) throws -> JSONNode {
        index += 1
        var items: [JSONNode] = []
        skipSpace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(items)
        }
        while true {
            items.append(try parseValue(depth: depth + 1))
            skipSpace()
            guard index < bytes.count else { throw fail("unterminated array") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard bytes[index] == UInt8(ascii: "]") else { throw fail("expected , or ]") }
            index += 1
            return .array(items)
        }
    }

    private mutating func parseObject(depth: Int) throws -> JSONNode {
        index += 1
        var entries: [JSONEntry] = []
        skipSpace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(entries)
        }
        while true {
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a key") }
            let (start, length, escaped) = try parseString()
            guard !escaped else { throw fail("escaped key") }
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected :") }
            index += 1
            entries.append(JSONEntry(keyStart: start, keyLength: length, value: try parseValue(depth: depth + 1)))
            skipSpace()
            guard index < bytes.count else { throw fail("unterminated object") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard bytes[index] == UInt8(ascii: "}") else { throw fail("expected , or }") }
            index += 1
            return .object(entries)
        }
    }
}

final class TreeDecoder: Decoder {
    let node: JSONNode
    let input: JSONInput
    let keys: KeyTable

    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(node: JSONNode, input: JSONInput, keys: KeyTable) {
        self.node = node
        self.input = input
        self.keys = keys
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let entries) = node else { throw mismatch("an object") }
        return KeyedDecodingContainer(TreeKeyedDecodingContainer<Key>(decoder: self, entries: entries))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let items) = node else { throw mismatch("an array") }
        return TreeUnkeyedDecodingContainer(decoder: self, items: items)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        TreeSingleValueDecodingContainer(decoder: self, node: node)
    }

    func mismatch(_ expected: String) -> FastJSON.Unsupported {
        FastJSON.Unsupported(description: "expected \(expected)")
    }

    /// Scalars by type; Date as Foundation's custom strategy reads it; anything else
    /// through its own `init(from:)`.
    func unbox<T: Decodable>(_ node: JSONNode, as type: T.Type) throws -> T {
        if T.self == Date.self, let date = try unboxDate(node) as? T { return date }
        if T.self == String.self, let text = try unboxString(node) as? T { return text }
        if T.self == Int.self, let number = try unboxInteger(node, Int.self) as? T { return number }
        if T.self == Double.self, let number = try unboxDouble(node) as? T { return number }
        if T.self == Bool.self, let flag = try unboxBool(node) as? T { return flag }
        if T.self == Data.self || T.self == URL.self || T.self == Decimal.self {
            throw FastJSON.Unsupported(description: "\(T.self) is left to Foundation")
        }
        let child = TreeDecoder(node: node, input: input, keys: keys)
        return try T(from: child)
    }

    func unboxString(_ node: JSONNode) throws -> String {
        guard case .string(let start, let length, let escaped) = node else { throw mismatch("a string") }
        if !escaped { return input.text(start, length) }
        return try Self.unescape(UnsafeBufferPointer(rebasing: input.bytes[start..<(start + length)]))
    }

    func unboxBool(_ node: JSONNode) throws -> Bool {
        guard case .bool(let flag) = node else { throw mismatch("a boolean") }
        return flag
    }

    func unboxInteger<T: FixedWidthInteger>(_ node: JSONNode, _ type: T.Type) throws -> T {
        guard case .number(let start, let length) = node else { throw mismatch("a number") }
        if let value = T(input.text(start, length)) { return value }
        // Foundation reads 1e3 or 5.0 as an integer when it is one
        guard let double = Double(input.text(start, length)), double.rounded() == double,
            let value = T(exactly: double)
        else { throw mismatch("an integer") }
        return value
    }

    func unboxDouble(_ node: JSONNode) throws -> Double {
        switch node {
        case .number(let start, let length):
            guard let value = Double(input.text(start, length)) else { throw mismatch("a number") }
            return value
        case .string:
            switch try unboxString(node) {
            case "NaN": return .nan
            case "Infinity": return .infinity
            case "-Infinity": return -.infinity
            default: throw mismatch("a number")
            }
        default:
            throw mismatch("a number")
        }
    }

    func unboxDate(_ node: JSONNode) throws -> Date {
        guard let date = keys.dates.parse(try unboxString(node)) else {
            throw mismatch("an ISO-8601 timestamp")
        }
        return date
    }

    static func unescape(_ bytes: UnsafeBufferPointer<UInt8>) throws -> String {
        var scalars = String.UnicodeScalarView()
        var output: [UInt8] = []
        var index = 0
        func flush() {
            if !output.isEmpty {
                scalars.append(contentsOf: String(decoding: output, as: UTF8.self).unicodeScalars)
                output.removeAll(keepingCapacity: true)
            }
        }
        func hex4(_ at: Int) throws -> UInt32 {
            guard at + 4 <= bytes.count,
                let value = UInt32(
                    String(decoding: UnsafeBufferPointer(rebasing: bytes[at..<(at + 4)]), as: UTF8.self), radix: 16)
            else { throw FastJSON.Unsupported(description: "bad \\u escape") }
            return value
        }
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "\\"), index + 1 < bytes.count else {
                output.append(byte)
                index += 1
                continue
            }
            let escape = bytes[index + 1]
            index += 2
            switch escape {
            case UInt8(ascii: "\""): output.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): output.append(UInt8(ascii: "\\"))
            case UInt8(ascii: "/"): output.append(UInt8(ascii: "/"))
            case UInt8(ascii: "b"): output.append(0x08)
            case UInt8(ascii: "f"): output.append(0x0C)
            case UInt8(ascii: "n"): output.append(0x0A)
            case UInt8(ascii: "r"): output.append(0x0D)
            case UInt8(ascii: "t"): output.append(0x09)
            case UInt8(ascii: "u"):
                var value = try hex4(index)
                index += 4
                if (0xD800..<0xDC00).contains(value), index + 6 <= bytes.count, bytes[index] == UInt8(ascii: "\\"),
                    bytes[index + 1] == UInt8(ascii: "u")
                {
                    let low = try hex4(index + 2)
                    if (0xDC00..<0xE000).contains(low) {
                        value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
                        index += 6
                    }
                }
                guard let scalar = Unicode.Scalar(value) else {
                    throw FastJSON.Unsupported(description: "invalid \\u escape")
                }
                flush()
                scalars.append(scalar)
            default:
                throw FastJSON.Unsupported(description: "invalid escape")
            }
        }
        flush()
        return String(scalars)
    }
}

struct TreeKeyedDecodingContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: TreeDecoder
    let entries: [JSONEntry]
    var codingPath: [any CodingKey] { [] }

    var allKeys: [Key] {
        entries.compactMap { entry in
            let name = decoder.input.text(entry.keyStart, entry.keyLength)
            return Key(stringValue: name)
        }
    }

    private func find(_ key: Key) throws -> JSONNode? {
        let wanted = Array(key.stringValue.utf8)
        for entry in entries where decoder.input.equals(entry.keyStart, entry.keyLength, wanted) {
            return entry.value
        }
        return nil
    }

    private func require(_ key: Key) throws -> JSONNode {
        guard let node = try find(key) else {
            throw FastJSON.Unsupported(description: "missing key \(key.stringValue)")
        }
        return node
    }

    func contains(_ key: Key) -> Bool { (try? find(key)) != nil }

    func decodeNil(forKey key: Key) throws -> Bool {
        guard let node = try find(key) else { return true }
        if case .null = node { return true }
        return false
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decoder.unboxBool(try require(key)) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try decoder.unboxString(try require(key)) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try decoder.unboxDouble(try require(key)) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float {
        Float(try decoder.unboxDouble(try require(key)))
    }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decoder.unboxInteger(try require(key), type) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try decoder.unboxInteger(try require(key), type) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 {
        try decoder.unboxInteger(try require(key), type)
    }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 {
        try decoder.unboxInteger(try require(key), type)
    }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 {
        try decoder.unboxInteger(try require(key), type)
    }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try decoder.unboxInteger(try require(key), type) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 {
        try decoder.unboxInteger(try require(key), type)
    }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 {
        try decoder.unboxInteger(try require(key), type)
    }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 {
        try decoder.unboxInteger(try require(key), type)
    }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 {
        try decoder.unboxInteger(try require(key), type)
    }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try decoder.unbox(try require(key), as: type)
    }

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? {
        try present(key).map { try decoder.unboxBool($0) }
    }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        try present(key).map { try decoder.unboxString($0) }
    }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? {
        try present(key).map { try decoder.unboxDouble($0) }
    }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? {
        try present(key).map { try decoder.unboxInteger($0, type) }
    }
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        try present(key).map { try decoder.unbox($0, as: type) }
    }

    /// The value of `key` unless it is absent or null.
    private func present(_ key: Key) throws -> JSONNode? {
        guard let node = try find(key) else { return nil }
        if case .null = node { return nil }
        return node
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try TreeDecoder(node: try require(key), input: decoder.input, keys: decoder.keys).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try TreeDecoder(node: try require(key), input: decoder.input, keys: decoder.keys).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        let wanted = Array("super".utf8)
        let node = entries.first { decoder.input.equals($0.keyStart, $0.keyLength, wanted) }?.value
        return TreeDecoder(node: node ?? .null, input: decoder.input, keys: decoder.keys)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        TreeDecoder(node: try find(key) ?? .null, input: decoder.input, keys: decoder.keys)
    }
}

struct TreeUnkeyedDecodingContainer: UnkeyedDecodingContainer {
    let decoder: TreeDecoder
    let items: [JSONNode]
    var currentIndex = 0
    var codingPath: [any CodingKey] { [] }
    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    init(decoder: TreeDecoder, items: [JSONNode]) {
        self.decoder = decoder
        self.items = items
    }

    private mutating func next() throws -> JSONNode {
        guard currentIndex < items.count else { throw FastJSON.Unsupported(description: "array exhausted") }
        defer { currentIndex += 1 }
        return items[currentIndex]
    }

    mutating func decodeNil() throws -> Bool {
        guard currentIndex < items.count else { return false }
        if case .null = items[currentIndex] {
            currentIndex += 1
            return true
        }
        return false
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try decoder.unboxBool(try next()) }
    mutating func decode(_ type: String.Type) throws -> String { try decoder.unboxString(try next()) }
    mutating func decode(_ type: Double.Type) throws -> Double { try decoder.unboxDouble(try next()) }
    mutating func decode(_ type: Float.Type) throws -> Float { Float(try decoder.unboxDouble(try next())) }
    mutating func decode(_ type: Int.Type) throws -> Int { try decoder.unboxInteger(try next(), type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try decoder.unboxInteger(try next(), type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try decoder.unboxInteger(try next(), type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try decoder.unboxInteger(try next(), type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try decoder.unboxInteger(try next(), type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try decoder.unboxInteger(try next(), type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try decoder.unboxInteger(try next(), type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try decoder.unboxInteger(try next(), type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try decoder.unboxInteger(try next(), type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try decoder.unboxInteger(try next(), type) }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.unbox(try next(), as: type) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try TreeDecoder(node: try next(), input: decoder.input, keys: decoder.keys).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try TreeDecoder(node: try next(), input: decoder.input, keys: decoder.keys).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        TreeDecoder(node: try next(), input: decoder.input, keys: decoder.keys)
    }
}

struct TreeSingleValueDecodingContainer: SingleValueDecodingContainer {
    let decoder: TreeDecoder
    let node: JSONNode
    var codingPath: [any CodingKey] { [] }

    func decodeNil() -> Bool {
        if case .null = node { return true }
        return false
    }

    func decode(_ type: Bool.Type) throws -> Bool { try decoder.unboxBool(node) }
    func decode(_ type: String.Type) throws -> String { try decoder.unboxString(node) }
    func decode(_ type: Double.Type) throws -> Double { try decoder.unboxDouble(node) }
    func decode(_ type: Float.Type) throws -> Float { Float(try decoder.unboxDouble(node)) }
    func decode(_ type: Int.Type) throws -> Int { try decoder.unboxInteger(node, type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try decoder.unboxInteger(node, type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try decoder.unboxInteger(node, type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try decoder.unboxInteger(node, type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try decoder.unboxInteger(node, type) }
    func decode(_ type: UInt.Type) throws -> UInt { try decoder.unboxInteger(node, type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try decoder.unboxInteger(node, type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try decoder.unboxInteger(node, type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try decoder.unboxInteger(node, type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try decoder.unboxInteger(node, type) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.unbox(node, as: type) }
}
