import DBAdviseTestSupport
import Foundation
import PostgresClient
import Testing

@testable import DBAdviseCollector

@Suite("Session settings travel in the startup packet")
struct SafeSessionOptionTests {
    @Test func oursComeAfterTheUsersSoOursHold() {
        let options = SafeSession.startupOptions(
            userOptions: " -c search_path=evil -c work_mem=7MB ", pins: SafeSession.pinnedSettings)
        #expect(options.hasPrefix("-c search_path=evil -c work_mem=7MB -c search_path=pg_catalog,pg_temp "))
        #expect(options.contains("-c default_transaction_isolation=read\\ committed"), "spaces escaped")
        #expect(options.contains("-c idle_session_timeout=0"))
        #expect(
            SafeSession.startupOptions(userOptions: nil, pins: SafeSession.pinnedSettings).hasPrefix("-c search_path="))
    }

    @Test func anOlderServerRejectingANewerSettingDropsOnlyThatOne() {
        let pins = SafeSession.pinnedSettings
        let rejected = PostgresError.connectionFailed(
            message: "connection to server failed: FATAL: unrecognized configuration parameter \"idle_session_timeout\""
        )
        #expect(SafeSession.rejectedPin(rejected, among: pins) == "idle_session_timeout")
        // a pin every supported server knows is never dropped: the connection fails instead
        let other = PostgresError.connectionFailed(
            message: "FATAL: invalid value for parameter \"search_path\"")
        #expect(SafeSession.rejectedPin(other, among: pins) == nil)
        #expect(SafeSession.rejectedPin(.connectionLost(message: "\"transaction_timeout\""), among: pins) == nil)
    }

    @Test func aSearchPathInTheMessageCannotDriveTheTerminal() {
        #expect(SafeSession.printable("evil\u{1b}[2J, public") == "evil\\u{1b}[2J, public")
        #expect(SafeSession.printable("\"$user\", public") == "\"$user\", public")
    }

    @Test func theUsersOptionsAreReadFromTheConnectionString() {
        #expect(ConnectionString.value(of: "options", in: "host=x options='-c a=b'") == "-c a=b")
        #expect(ConnectionString.value(of: "options", in: "postgres://u@h/db?options=-c%20a%3Db") == "-c a=b")
        #expect(ConnectionString.value(of: "options", in: "host=x") == nil)
        #expect(ConnectionString.value(of: "options", in: "mydb") == nil)
    }
}

@Suite("Sessions are pinned and checked", TestServer.enabled)
struct SafeSessionServerTests {
    func setting(_ name: String, _ connection: Connection) throws -> String? {
        try connection.query(
            "SELECT pg_catalog.current_setting($1) AS value", [name]
        ).rows.first?.string("value")
    }

    @Test func aSessionWithoutThePinsIsRefused() throws {
        let plain = try Connection(conninfo: try TestServer.dsn())
        #expect(throws: CollectorError.self) { try SafeSession.verify(plain, trace: nil) }
        do {
            try SafeSession.verify(plain, trace: nil)
        } catch let error as CollectorError {
            guard case .unsafeSession(let message) = error else {
                Issue.record("expected an unsafe-session refusal, got \(error)")
                return
            }
            #expect(message.contains("search_path"))
        }
    }

    /// PostgreSQL 15 does not know transaction_timeout (17): the first session finds out,
    /// later ones to the same server do not ask again; a server that knows it keeps it pinned.
    @Test func aSettingTheServerDoesNotKnowIsDroppedOnceForThatServer() throws {
        let dsn = try TestServer.dsn()
        let connection = try SafeSession.open(conninfo: dsn)
        let version = connection.serverVersionNumber
        _ = try SafeSession.open(conninfo: dsn, database: "postgres")
        let known = try connection.query(
            "SELECT pg_catalog.current_setting('transaction_timeout', true) AS value"
        ).rows.first?.string("value")
        if version >= 170000 {
            #expect(known == "0")
            #expect(!SafeSession.refusedPins.contains("transaction_timeout", server: dsn))
        } else {
            #expect(known == nil)
            #expect(SafeSession.refusedPins.contains("transaction_timeout", server: dsn))
            #expect(!SafeSession.refusedPins.contains("idle_session_timeout", server: dsn) || version < 140000)
        }
        #expect(!SafeSession.refusedPins.contains("search_path", server: dsn))
    }

    @Test func thePinnedSessionPassesAndKeepsTheUsersOtherOptions() throws {
        let dsn =
            try TestServer.dsn()
            + " options='-c work_mem=7MB -c search_path=public -c default_transaction_read_only=off'"
        let connection = try SafeSession.open(conninfo: dsn)
        #expect(try setting("work_mem", connection) == "7MB")
        #expect(try setting("search_path", connection) == "pg_catalog,pg_temp")
        #expect(try setting("transaction_read_only", connection) == "on")
        #expect(try setting("idle_session_timeout", connection) == "0")
        #expect(try setting("application_name", connection) == "dbadvise")
        #expect(try setting("TimeZone", connection) == "UTC")
        #expect(throws: PostgresError.self) {
            try connection.query("CREATE TABLE pg_temp.should_fail (id int)")
        }
    }
}
