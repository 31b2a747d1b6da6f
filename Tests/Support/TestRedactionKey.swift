import Foundation

/// The key every test's `collect --redact` uses (``Shell/dbadvise(_:environment:)`` names it in
/// `DBADVISE_REDACT_KEY`), so tests never make one in the user's ~/.config and can compute
/// the pseudonyms they expect: `RedactionKey(bytes: TestRedactionKey.bytes)`.
public enum TestRedactionKey {
    public static let bytes: [UInt8] = (0..<32).map { UInt8($0 * 7 % 256) }

    /// A file holding ``bytes``, mode 0600, made once per test process.
    public static let path: String = {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("dbadvise-test-key-\(ProcessInfo.processInfo.processIdentifier)")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("redact.key").path
        _ = FileManager.default.createFile(
            atPath: file, contents: Data(bytes), attributes: [.posixPermissions: 0o600])
        return file
    }()
}
