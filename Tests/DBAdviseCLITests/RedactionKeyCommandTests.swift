import DBAdviseAnalysis
import DBAdviseModel
import DBAdviseOutput
import DBAdviseTestSupport
import Foundation
import Testing

/// `collect --redact` with the user's key: named by --redact-key or DBADVISE_REDACT_KEY, else
/// made on first use under $XDG_CONFIG_HOME/dbadvise/; the same key gives the same pseudonyms,
/// another key others, and the key itself never reaches the snapshot.
@Suite("dbadvise collect --redact: the key", .serialized, TestServer.enabled)
struct RedactionKeyCommandTests {
    static let database = "redaction_key"

    func prepare() throws -> String {
        let dsn = try TestServer.freshDatabase(Self.database)
        try TestServer.psql("CREATE TABLE customer_emails (id int PRIMARY KEY, email text)", database: Self.database)
        return dsn
    }

    func keyFile(_ bytes: [UInt8]) throws -> String {
        let path = try Shell.temporaryDirectory().appendingPathComponent("redact.key").path
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes), attributes: [.posixPermissions: 0o600])
        return path
    }

    func redacted(_ dsn: String, key: String?, environment: [String: String?] = [:]) throws -> (Snapshot, Shell.Result)
    {
        let result = try Shell.dbadvise(
            ["collect", "--dsn", dsn, "--interval", "0", "--redact"] + (key.map { ["--redact-key", $0] } ?? []),
            environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        try SchemaValidator.validate(Data(result.stdout.utf8), schema: "snapshot.schema.json")
        return (try SnapshotCoding.decoder().decode(Snapshot.self, from: Data(result.stdout.utf8)), result)
    }

    @Test func theSameKeyGivesTheSamePseudonymsAndAnotherKeyOthers() throws {
        let dsn = try prepare()
        let first: [UInt8] = (0..<32).map { UInt8($0) }
        let second: [UInt8] = (0..<32).map { UInt8(255 - $0) }
        let (one, oneResult) = try redacted(dsn, key: try keyFile(first))
        let (again, _) = try redacted(dsn, key: try keyFile(first))
        let (other, _) = try redacted(dsn, key: try keyFile(second))
        let expected = RedactionKey(bytes: first).pseudonym("customer_emails")
        #expect(one.tables?.contains { $0.name == expected } == true)
        #expect(again.tables?.map(\.name) == one.tables?.map(\.name))
        #expect(other.tables?.contains { $0.name == RedactionKey(bytes: second).pseudonym("customer_emails") } == true)
        #expect(other.tables?.contains { $0.name == expected } == false)
        #expect(one.redaction?.keyId == RedactionKey(bytes: first).id)
        #expect(one.redaction?.keyId != other.redaction?.keyId)
        #expect(one.redaction?.publicSchema == RedactionKey(bytes: first).pseudonym("public"))
        // neither the names nor the key, in any spelling, are in the snapshot
        let text = oneResult.stdout
        #expect(!text.contains("customer_emails") && !text.contains("email"))
        let hex = first.map { String(format: "%02x", $0) }.joined()
        #expect(!text.lowercased().contains(hex.prefix(16)))
        #expect(!text.contains(Data(first).base64EncodedString().prefix(16)))
    }

    @Test func withoutAFlagTheKeyIsMadeOnceUnderXDGConfigHome() throws {
        let dsn = try prepare()
        let config = try Shell.temporaryDirectory()
        let environment: [String: String?] = ["DBADVISE_REDACT_KEY": nil, "XDG_CONFIG_HOME": config.path]
        let (first, made) = try redacted(dsn, key: nil, environment: environment)
        let path = config.appendingPathComponent("dbadvise/redact.key").path
        #expect(made.stderr.contains("created the redaction key \(path)"))
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect(attributes[.posixPermissions] as? Int == 0o600)
        #expect(attributes[.size] as? Int == 32)
        let (second, reused) = try redacted(dsn, key: nil, environment: environment)
        #expect(!reused.stderr.contains("created"))
        #expect(second.tables?.map(\.name) == first.tables?.map(\.name))
        let key = RedactionKey(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        #expect(first.tables?.contains { $0.name == key.pseudonym("customer_emails") } == true)
        // DBADVISE_REDACT_KEY names another place
        let named = try Shell.temporaryDirectory().appendingPathComponent("k").path
        let (_, elsewhere) = try redacted(dsn, key: nil, environment: ["DBADVISE_REDACT_KEY": named])
        #expect(elsewhere.stderr.contains("created the redaction key \(named)"))
    }

    @Test func badKeysAndFlagsAreUsageErrors() throws {
        let dsn = try TestServer.dsn()
        let withoutRedact = try Shell.dbadvise(["collect", "--dsn", dsn, "--interval", "0", "--redact-key", "/tmp/x"])
        #expect(withoutRedact.status == 2)
        #expect(withoutRedact.stderr.contains("--redact"))
        let open = try Shell.temporaryDirectory().appendingPathComponent("open.key").path
        _ = FileManager.default.createFile(
            atPath: open, contents: Data(repeating: 9, count: 32), attributes: [.posixPermissions: 0o644])
        let tooOpen = try Shell.dbadvise(["collect", "--dsn", dsn, "--interval", "0", "--redact", "--redact-key", open])
        #expect(tooOpen.status == 2)
        #expect(tooOpen.stderr.contains("chmod 600"))
        #expect(tooOpen.stdout.isEmpty)
    }
}
