import DBAdviseAnalysis
import DBAdviseModel
import DBAdviseOutput
import Foundation
import Testing

@Suite struct RedactionKeyTests {
    let key = RedactionKey(bytes: Array(repeating: 1, count: 32))
    let other = RedactionKey(bytes: Array(repeating: 2, count: 32))

    func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "dbadvise-key-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1
    }

    @Test func pseudonymsAreShortStableAndKeyed() {
        let pseudonym = key.pseudonym("users")
        #expect(pseudonym.wholeMatch(of: /r_[a-z2-7]{12}/) != nil, "\(pseudonym)")
        #expect(key.pseudonym("users") == pseudonym)
        #expect(other.pseudonym("users") != pseudonym)
        #expect(key.pseudonym("orders") != pseudonym)
        // the unkeyed FNV-1a pseudonym of "users", which anyone could compute
        #expect(pseudonym != "r_42288471628c3333")
        #expect(key.id != other.id && key.id.count == 12)
    }

    /// HMAC-SHA256 (RFC 4231 test case 2) under the hood: key "Jefe".
    @Test func theMacIsHMACSHA256() {
        let jefe = RedactionKey(bytes: Array("Jefe".utf8))
        // 5bdcc146bf60754e6a042426089575c7… in base32, first 12 characters
        #expect(jefe.pseudonym("what do ya want for nothing?") == "r_lpomcrv7mb2u")
    }

    @Test func theKeyFileIsCreatedPrivateOnFirstUseAndReadAfter() throws {
        let directory = try temporaryDirectory() + "/config/dbadvise"
        let path = directory + "/redact.key"
        let (created, wasCreated) = try RedactionKey.loadOrCreate(at: path)
        #expect(wasCreated)
        #expect(try mode(path) == 0o600)
        #expect(try mode(directory) == 0o700)
        #expect(FileManager.default.contents(atPath: path)?.count == RedactionKey.createdSize)
        let (loaded, createdAgain) = try RedactionKey.loadOrCreate(at: path)
        #expect(!createdAgain)
        #expect(loaded.pseudonym("users") == created.pseudonym("users"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["redact.key"])
    }

    @Test func unsafeOrBrokenKeyFilesAreRefused() throws {
        let directory = try temporaryDirectory()
        let open = directory + "/open.key"
        _ = FileManager.default.createFile(
            atPath: open, contents: Data(repeating: 3, count: 32), attributes: [.posixPermissions: 0o644])
        #expect(throws: RedactionKeyError.tooOpen(open, 0o644)) { try RedactionKey.loadOrCreate(at: open) }
        let short = directory + "/short.key"
        _ = FileManager.default.createFile(
            atPath: short, contents: Data("pw".utf8), attributes: [.posixPermissions: 0o600])
        #expect(throws: RedactionKeyError.tooShort(short, 2)) { try RedactionKey.loadOrCreate(at: short) }
        #expect(throws: RedactionKeyError.notAFile(directory)) { try RedactionKey.loadOrCreate(at: directory) }
        #expect(RedactionKeyError.tooOpen(open, 0o644).description.contains("chmod 600"))
    }

    @Test func theDefaultPlaceFollowsTheEnvironment() {
        #expect(RedactionKey.defaultPath(environment: ["DBADVISE_REDACT_KEY": "/k", "XDG_CONFIG_HOME": "/x"]) == "/k")
        #expect(
            RedactionKey.defaultPath(environment: ["XDG_CONFIG_HOME": "/x", "HOME": "/h"]) == "/x/dbadvise/redact.key")
        #expect(RedactionKey.defaultPath(environment: ["HOME": "/h"]) == "/h/.config/dbadvise/redact.key")
    }
}

@Suite struct DisplayTextTests {
    @Test func controlCharactersAreShownEscaped() {
        #expect(DisplayText.escaped("evil\u{1B}]0;pwned\u{07}\u{1B}[2J") == "evil\\x1b]0;pwned\\x07\\x1b[2J")
        #expect(DisplayText.escaped("a\rb\u{00}c\u{7F}d\u{9B}e") == "a\\x0db\\x00c\\x7fd\\x9be")
        #expect(DisplayText.escaped("abc\u{202E}txt.exe") == "abc\\u{202e}txt.exe")
    }

    @Test func plainTextLineFeedsAndTabsStay() {
        #expect(
            DisplayText.escaped("public.événements\tCREATE TABLE x (\n  id int\n)")
                == "public.événements\tCREATE TABLE x (\n  id int\n)")
    }

    struct Sample: Codable, Equatable {
        var name: String
        var values: [String: Double]
        var nested: [String]
        var when: Date
    }

    @Test func everyStringOfAValueIsEscapedAndTheRestKept() {
        let when = Date(timeIntervalSince1970: 1_700_000_000.25)
        let hostile = Sample(
            name: "t\u{1B}[2J", values: ["k\u{9B}": 0.1, "plain": 3], nested: ["x", "\u{1B}]0;t\u{07}"], when: when)
        let escaped = DisplayText.escapedStrings(in: hostile)
        #expect(
            escaped
                == Sample(
                    name: "t\\x1b[2J", values: ["k\\x9b": 0.1, "plain": 3], nested: ["x", "\\x1b]0;t\\x07"], when: when)
        )
        let plain = Sample(name: "public.orders", values: ["a": 1.5], nested: [], when: when)
        #expect(DisplayText.escapedStrings(in: plain) == plain)
    }
}
