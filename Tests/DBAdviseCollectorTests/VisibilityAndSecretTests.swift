import DBAdviseCollector
import DBAdviseModel
import DBAdviseTestSupport
import Foundation
import PostgresClient
import Testing

/// What collection must not write: a statement's password, and a zero for what the role
/// cannot see.
@Suite("collect: secret statement texts and what a LOGIN-only role cannot see", .serialized, TestServer.enabled)
struct VisibilityAndSecretTests {
    static let database = "collect_visibility"

    /// pg_stat_statements keeps `CREATE ROLE … PASSWORD '…'` verbatim (track_utility is on by
    /// default): collection drops that text, without --redact, keeps the shape, and counts it.
    @Test func passwordTextsAreDroppedAtCollectionAndCounted() throws {
        let dsn = try TestServer.freshDatabase(Self.database)
        try TestServer.psql("DROP ROLE IF EXISTS secret_holder", database: Self.database)
        try TestServer.psql("SELECT pg_stat_statements_reset()", database: Self.database)
        try TestServer.psql("CREATE ROLE secret_holder PASSWORD 'Sw0rdfish-secret'", database: Self.database)
        try TestServer.psql("ALTER ROLE secret_holder PASSWORD 'Sw0rdfish-again'", database: Self.database)
        try TestServer.psql("CREATE TABLE plain_things (id int)", database: Self.database)
        try TestServer.psql("SELECT count(*) FROM plain_things WHERE id = 7", database: Self.database)
        defer { _ = try? TestServer.psql("DROP ROLE IF EXISTS secret_holder", database: Self.database) }

        let snapshot = try collect(dsn, interval: 0)
        try validateAgainstSchema(snapshot)
        let json = String(decoding: try SnapshotCoding.encode(snapshot), as: UTF8.self)
        #expect(!json.contains("Sw0rdfish"), "a password reached the snapshot")
        #expect(snapshot.statements.secretTextsDropped == 2)
        let statements = (snapshot.statements.topByTotalTime ?? []) + (snapshot.statements.topByCalls ?? [])
        // the role statements are listed, shape kept, text gone
        let withheld = statements.filter { $0.query == nil }
        #expect(!withheld.isEmpty && withheld.allSatisfy { $0.shape?.kind == .utility })
        // statements without secrets keep their text
        #expect(statements.contains { $0.query == "SELECT count(*) FROM plain_things WHERE id = $1" })
        #expect(statements.contains { $0.query == "CREATE TABLE plain_things (id int)" })
    }

    @Test func aSnapshotWithoutSecretStatementsCountsNone() throws {
        let dsn = try TestServer.freshDatabase(Self.database)
        try TestServer.psql("SELECT pg_stat_statements_reset()", database: Self.database)
        try TestServer.psql("CREATE TABLE plain_things (id int)", database: Self.database)
        let snapshot = try collect(dsn, interval: 0)
        #expect(snapshot.statements.secretTextsDropped == 0)
        let texts = ((snapshot.statements.topByTotalTime ?? []) + (snapshot.statements.topByCalls ?? []))
        #expect(texts.allSatisfy { $0.query != nil })
    }

    /// A LOGIN-only role sees other roles' sessions as `<insufficient privilege>` and none of
    /// their statements: the snapshot says so (null and an `unavailable` entry naming the
    /// view and the privilege), never 0, while another role's session is active.
    @Test func aLoginOnlyRoleGetsNullsAndReasonsNotZeros() throws {
        let dsn = try TestServer.freshDatabase(Self.database)
        try TestServer.psql("DROP ROLE IF EXISTS login_only", database: Self.database)
        try TestServer.psql("CREATE ROLE login_only LOGIN", database: Self.database)
        defer { _ = try? TestServer.psql("DROP ROLE IF EXISTS login_only", database: Self.database) }
        try TestServer.psql("CREATE TABLE busy (id int)", database: Self.database)
        // another role's session, active for the whole collection
        let sleeper = try Shell.start(
            try TestServer.binDirectory() + "/psql", ["-X", "-q", "-d", dsn, "-c", "SELECT pg_sleep(30)"])
        defer { sleeper.terminate() }
        try waitForActiveSession(dsn: dsn)

        let limited = try collect(dsn.replacingOccurrences(of: "user=postgres", with: "user=login_only"), interval: 1)
        // the same moment seen by a role that may see it all: the session is counted
        let full = try collect(dsn, interval: 1)
        // (the schema check runs a child process: only once the sleeper is gone)
        sleeper.terminate()
        try validateAgainstSchema(limited)
        #expect(limited.activity == nil, "\(String(describing: limited.activity))")
        #expect(limited.statements.statementCount == nil)
        #expect(!limited.statements.available)
        let activity = try #require(limited.unavailable.first { $0.section == "activity" })
        #expect(activity.reason.contains("pg_stat_activity") && activity.reason.contains("pg_monitor"))
        let statements = try #require(limited.unavailable.first { $0.section == "statements" })
        #expect(statements.reason.contains("pg_stat_statements") && statements.reason.contains("pg_read_all_stats"))

        let seen = try #require(full.activity)
        #expect(seen.connections >= 1 && seen.peakActiveSessions >= 1)
        #expect(!full.unavailable.contains { $0.section == "activity" || $0.section == "statements" })
        #expect(full.statements.available)
    }

    @Test func aPgMonitorRoleSeesEverySession() throws {
        let dsn = try TestServer.freshDatabase(Self.database)
        try TestServer.psql("DROP ROLE IF EXISTS monitor_only", database: Self.database)
        try TestServer.psql("CREATE ROLE monitor_only LOGIN IN ROLE pg_monitor", database: Self.database)
        defer { _ = try? TestServer.psql("DROP ROLE IF EXISTS monitor_only", database: Self.database) }
        let sleeper = try Shell.start(
            try TestServer.binDirectory() + "/psql", ["-X", "-q", "-d", dsn, "-c", "SELECT pg_sleep(30)"])
        defer { sleeper.terminate() }
        try waitForActiveSession(dsn: dsn)
        let snapshot = try collect(
            dsn.replacingOccurrences(of: "user=postgres", with: "user=monitor_only"), interval: 1)
        #expect((snapshot.activity?.peakActiveSessions ?? 0) >= 1)
        #expect(!snapshot.unavailable.contains { $0.section == "activity" || $0.section == "statements" })
    }

    /// Polls until the sleeper's statement is running (no fixed sleep), in this process: a
    /// psql child would return only after the sleeper exits (Foundation notices a child's exit
    /// late while another child runs).
    func waitForActiveSession(dsn: String) throws {
        let connection = try Connection(conninfo: dsn)
        for _ in 0..<400 {
            let running = try connection.query(
                "SELECT count(*)::text AS n FROM pg_stat_activity WHERE state = 'active' AND query LIKE 'SELECT pg_sleep(30)%'"
            ).rows.first?.string("n")
            if running != "0" { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        Issue.record("the sleeping session never became active")
    }
}
