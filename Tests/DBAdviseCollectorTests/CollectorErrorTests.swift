import DBAdviseTestSupport
import Foundation
import PostgresClient
import Testing

@testable import DBAdviseCollector

/// What a section does with each kind of failure, over real sessions: a refusal the server
/// explains is recorded by its SQLSTATE and collection goes on; a session that ends stops
/// collection with the section named; a connection that never opens names the connecting step.
@Suite("Collector errors keep their type and their step", TestServer.enabled)
struct CollectorErrorTests {
    static let database = "collector_errors"

    func collector() throws -> SnapshotCollector {
        let dsn = try TestServer.dsn(database: Self.database)
        return try SnapshotCollector(
            options: CollectOptions(conninfo: dsn, replicas: [], intervalSeconds: 0, toolVersion: "test"))
    }

    @Test func aLockTimeoutIsRecordedByNameAndCollectionGoesOn() throws {
        let dsn = try TestServer.freshDatabase(Self.database, statements: false)
        try TestServer.psql("CREATE TABLE held (id int)", database: Self.database)
        let holder = try Connection(conninfo: dsn)
        try holder.query("BEGIN")
        try holder.query("LOCK TABLE held IN ACCESS EXCLUSIVE MODE")
        defer { _ = try? holder.query("ROLLBACK") }

        let collector = try collector()
        let read = try collector.section("probe.locked") {
            try collector.run(Query("locked", "SELECT pg_catalog.count(*) AS n FROM public.held"))
        }
        #expect(read == nil)
        #expect(collector.refusals["probe.locked"] == .lockNotAvailable)
        #expect(
            collector.unavailableReason(for: "probe.locked")?.hasSuffix("another session holds a conflicting lock")
                == true)
        // an error of our own making is recorded too, with its SQLSTATE in the reason
        _ = try collector.section("probe.division") { try collector.run(Query("division", "SELECT 1 / 0 AS x")) }
        #expect(collector.refusals["probe.division"] == "22012")
        #expect(collector.unavailableReason(for: "probe.division")?.contains("(SQLSTATE 22012)") == true)
        // the session is still there
        let next = try collector.section("probe.after") { try collector.run(Query("after", "SELECT 1 AS one")).count }
        #expect(next == 1)
    }

    @Test func aSessionTheServerEndsStopsCollectionNamingTheSection() throws {
        try TestServer.freshDatabase(Self.database + "_end", statements: false)
        let dsn = try TestServer.dsn(database: Self.database + "_end")
        let collector = try SnapshotCollector(
            options: CollectOptions(conninfo: dsn, replicas: [], intervalSeconds: 0, toolVersion: "test"))
        do {
            _ = try collector.section("probe.terminated") {
                try collector.run(
                    Query("terminate", "SELECT pg_catalog.pg_terminate_backend(pg_catalog.pg_backend_pid()) AS done"))
            }
            Issue.record("expected the collection to stop")
        } catch {
            guard case .postgres(let failure, let step) = error else {
                Issue.record("expected a PostgresError, got \(error)")
                return
            }
            #expect(step == .readingSection("probe.terminated"))
            #expect(failure.endsSession)
            #expect(error.description.hasPrefix("reading probe.terminated: FATAL:  terminating connection"), "\(error)")
        }
        #expect(collector.refusals["probe.terminated"] == nil)
    }

    @Test func aConnectionThatNeverOpensIsTheConnectingStep() throws {
        let missing = "host=\(try TestServer.socket()) port=\(try TestServer.port()) dbname=no_such_db user=postgres"
        do {
            _ = try SnapshotCollector(
                options: CollectOptions(conninfo: missing, replicas: [], intervalSeconds: 0, toolVersion: "test"))
            Issue.record("expected a failure")
        } catch {
            #expect(error == .postgres(.connectionFailed(message: error.description), step: .connecting))
            guard case .postgres(let failure, .connecting) = error else { return }
            #expect(failure.sqlState == .invalidCatalogName)
            // said as libpq says it: no step in front
            #expect(error.description.hasPrefix("connection to server on socket"), "\(error)")
        }
        do {
            _ = try SafeSession.open(conninfo: "host=db1 password=Hidden-1 oops")
            Issue.record("expected a failure")
        } catch {
            guard case .postgres(.invalidConnectionString, .connecting) = error else {
                Issue.record("expected an invalid connection string, got \(error)")
                return
            }
            #expect(error.description.hasPrefix("invalid connection string: "))
            #expect(!error.description.contains("Hidden-1"))
        }
    }
}
