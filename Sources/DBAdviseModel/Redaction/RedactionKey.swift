import Crypto
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The secret behind `collect --redact`'s pseudonyms: HMAC-SHA256 of each name under a key
/// the user keeps. Without the key a pseudonym cannot be checked against a guessed name
/// (an unkeyed hash of `users` can); with the same key a series of snapshots keeps the same
/// pseudonyms, so it still lines up table by table.
public struct RedactionKey: Sendable {
    /// 32 random bytes, the size of SHA-256's block output (RFC 2104: a key shorter than the
    /// hash output weakens the MAC).
    public static let createdSize = 32
    /// A key file shorter than this is refused: a typed passphrase is not a key.
    public static let minimumSize = 16
    /// Pseudonyms are `r_` and this many base32 characters (60 bits: a collision among a
    /// million names has a chance of about 1 in 2 million).
    static let pseudonymLength = 12

    /// The key's bytes (swift-crypto's SymmetricKey is not Sendable: one is made per use).
    private let bytes: [UInt8]

    public init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// `r_` + 12 lowercase base32 characters of HMAC-SHA256(key, name): a valid lowercase SQL
    /// identifier, the same for the same name and key, unrelated between keys.
    public func pseudonym(_ name: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array(name.utf8), using: SymmetricKey(data: bytes))
        // 12 characters of 5 bits: the first 60 bits of the MAC
        let prefix = mac.withUnsafeBytes { raw in raw.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) } }
        var characters: [UInt8] = Array("r_".utf8)
        characters.reserveCapacity(2 + Self.pseudonymLength)
        for index in 0..<Self.pseudonymLength {
            characters.append(Self.base32Alphabet[Int((prefix >> UInt64(59 - 5 * index)) & 31)])
        }
        return String(decoding: characters, as: UTF8.self)
    }

    /// Names the key without revealing it (a MAC of a fixed label): two redacted snapshots
    /// with the same id were made with the same key.
    public var id: String {
        String(pseudonym("dbadvise redaction key id").dropFirst(2))
    }

    /// RFC 4648 base32, lowercase.
    static let base32Alphabet: [UInt8] = Array("abcdefghijklmnopqrstuvwxyz234567".utf8)

    // MARK: the key file

    /// Where the key lives when `--redact-key` is not given: `$DBADVISE_REDACT_KEY`, else
    /// `$XDG_CONFIG_HOME/dbadvise/redact.key`, else `~/.config/dbadvise/redact.key`.
    public static func defaultPath(environment: [String: String]) -> String {
        if let named = environment["DBADVISE_REDACT_KEY"], !named.isEmpty { return named }
        let config =
            environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()) + "/.config")
        return config + "/dbadvise/redact.key"
    }

    /// Reads the key at `path`, or creates it there (32 random bytes, mode 0600, its directory
    /// 0700) when nothing is there yet. Returns the key and whether it was created.
    public static func loadOrCreate(at path: String) throws(RedactionKeyError) -> (key: RedactionKey, created: Bool) {
        var status = stat()
        if lstat(path, &status) != 0 {
            guard errno == ENOENT else { throw .unreadable(path, String(cString: strerror(errno))) }
            if let created = try create(at: path) { return (created, true) }
            // another dbadvise created it first: read theirs
        }
        return (try load(at: path), false)
    }

    static func load(at path: String) throws(RedactionKeyError) -> RedactionKey {
        var status = stat()
        guard stat(path, &status) == 0 else { throw .unreadable(path, String(cString: strerror(errno))) }
        guard status.st_mode & S_IFMT == S_IFREG else { throw .notAFile(path) }
        // like ssh with a private key: a key others can read is no longer only the user's
        guard status.st_mode & 0o077 == 0 else { throw .tooOpen(path, Int(status.st_mode & 0o777)) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadable(path, "permission denied")
        }
        guard data.count >= minimumSize else { throw .tooShort(path, data.count) }
        return RedactionKey(bytes: Array(data))
    }

    /// Writes a new key beside `path` and links it into place, so a reader never sees a
    /// half-written key and two concurrent creators agree on one. Nil when `path` appeared
    /// meanwhile.
    static func create(at path: String) throws(RedactionKeyError) -> RedactionKey? {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            do {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true,
                    attributes: [.posixPermissions: 0o700])
            } catch {
                throw .uncreatable(path, "cannot create \(directory): \(error.localizedDescription)")
            }
        }
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<createdSize).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let temporary = "\(path).\(getpid()).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .uncreatable(path, String(cString: strerror(errno))) }
        defer { unlink(temporary) }
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard written == bytes.count, synced else {
            throw .uncreatable(path, "cannot write \(temporary): \(String(cString: strerror(errno)))")
        }
        if link(temporary, path) != 0 {
            if errno == EEXIST { return nil }
            throw .uncreatable(path, String(cString: strerror(errno)))
        }
        return RedactionKey(bytes: bytes)
    }
}

/// Why the redaction key could not be had; each names the file and the fix.
public enum RedactionKeyError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(String, String)
    case notAFile(String)
    case tooOpen(String, Int)
    case tooShort(String, Int)
    case uncreatable(String, String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            "cannot read the redaction key \(path): \(reason); name a readable key file with --redact-key"
        case .notAFile(let path):
            "the redaction key \(path) is not a regular file; name a key file with --redact-key"
        case .tooOpen(let path, let mode):
            "the redaction key \(path) is readable by others (mode \(String(mode, radix: 8))); run chmod 600 \(path)"
        case .tooShort(let path, let count):
            "the redaction key \(path) holds \(count) bytes, fewer than \(RedactionKey.minimumSize); remove it to have a new one made, or name another with --redact-key"
        case .uncreatable(let path, let reason):
            "cannot create the redaction key \(path): \(reason); name a writable place with --redact-key"
        }
    }
}
