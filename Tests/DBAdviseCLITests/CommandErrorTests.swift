import DBAdviseCollector
import PostgresClient
import Testing

@testable import DBAdviseCLI

/// Each kind of collection failure becomes one exit status, one line and one fix, chosen by
/// the error's type, step and SQLSTATE: never by the words of the message.
@Suite("Collection errors map to exit codes and fixes in one place")
struct CommandErrorTests {
    struct Case: Sendable, CustomStringConvertible {
        var error: CollectorError
        var status: DBAdviseCLI.ExitStatus
        var message: String
        var fix: String?
        var description: String { message }
    }

    static func failed(_ text: String) -> CollectorError {
        .postgres(
            .connectionFailed(message: "connection to server at \"db1\", port 5432 failed: \(text)"), step: .connecting)
    }

    static func server(_ state: SQLState, _ message: String, step: CollectionStep) -> CollectorError {
        .postgres(
            .server(ServerError(sqlState: state, severity: "ERROR", message: message, detail: nil, hint: nil)),
            step: step)
    }

    /// A connection the server (or libpq) refused: said as libpq says it, after "cannot read".
    static func refused(_ text: String, fix: String) -> Case {
        Case(
            error: failed(text), status: .unreachable, message: "cannot read the database: \(place)\(text)", fix: fix)
    }

    static let serverRuns = "check that the server runs and --dsn (or PGHOST, PGPORT) points at it"
    static let password = "check the user and password (PGPASSWORD, ~/.pgpass or the DSN)"
    static let place = "connection to server at \"db1\", port 5432 failed: "

    static let cases: [Case] = [
        Case(
            error: .postgres(
                .invalidConnectionString(message: "missing \"=\" after \"oops\" in connection info string"),
                step: .connecting),
            status: .usage,
            message: "invalid connection string: missing \"=\" after \"oops\" in connection info string",
            fix: "use key=value pairs (host=db1 dbname=shop) or a postgres:// URI"),
        refused(
            "Connection refused Is the server running on that host and accepting TCP/IP connections?", fix: serverRuns),
        refused("FATAL:  password authentication failed for user \"app\"", fix: password),
        refused("fe_sendauth: no password supplied", fix: password),
        refused(
            "FATAL:  role \"nobody\" does not exist",
            fix: "check the user (user= in --dsn, or PGUSER) and that pg_hba.conf lets it connect from this host"),
        refused("FATAL:  database \"nope\" does not exist", fix: "check dbname in --dsn or PGDATABASE"),
        refused(
            "FATAL:  unsupported startup parameter: options",
            fix: "connect to PostgreSQL directly: dbadvise pins its session settings in the options startup parameter"),
        refused(
            "FATAL:  permission denied for database \"shop\" DETAIL:  User does not have CONNECT privilege.",
            fix: "grant the role CONNECT on the database, or connect as a role that has it"),
        refused(
            "FATAL:  unrecognized configuration parameter \"no_such\"",
            fix: "check the options in --dsn or PGOPTIONS: the server refuses a setting they name"),
        refused(
            "FATAL:  sorry, too many clients already", fix: "wait for a free connection slot, or raise max_connections"),
        refused(
            "FATAL:  the database system is starting up",
            fix: "the server is starting up, shutting down or recovering: try again once it accepts connections"),
        Case(
            error: server(
                .insufficientPrivilege, "permission denied for function pg_postmaster_start_time",
                step: .readingIdentity),
            status: .unreachable,
            message:
                "cannot read the database: reading the server's identity: ERROR: permission denied for function pg_postmaster_start_time (SQLSTATE 42501)",
            fix: "grant the role pg_monitor, or connect as a role that has it"),
        Case(
            error: server(.queryCanceled, "canceling statement due to statement timeout", step: .checkingSession),
            status: .unreachable,
            message:
                "cannot read the database: checking the session: ERROR: canceling statement due to statement timeout (SQLSTATE 57014)",
            fix: "try again when the server is less busy: dbadvise waits 1s for a lock and 30s for a statement"),
        Case(
            error: server(.lockNotAvailable, "canceling statement due to lock timeout", step: .listingDatabases),
            status: .unreachable,
            message:
                "cannot read the database: listing the databases: ERROR: canceling statement due to lock timeout (SQLSTATE 55P03)",
            fix: "try again when the server is less busy: dbadvise waits 1s for a lock and 30s for a statement"),
        // the words "permission denied" in a broken connection's message choose nothing
        Case(
            error: .postgres(
                .connectionLost(message: "permission denied: server closed the connection unexpectedly"),
                step: .readingSection("activity")),
            status: .unreachable,
            message:
                "cannot read the database: reading activity: permission denied: server closed the connection unexpectedly",
            fix: serverRuns),
        Case(
            error: .postgres(.unexpectedResult(message: "the server returned no identity row"), step: .readingIdentity),
            status: .unreachable,
            message: "cannot read the database: reading the server's identity: the server returned no identity row",
            fix: serverRuns),
        Case(
            error: .unsupportedServer(110_022), status: .unreachable,
            message: "PostgreSQL 11 is not supported: dbadvise needs 12 or newer", fix: nil),
        Case(
            error: .unsafeSession("the session is not read-only: the startup options did not reach the server"),
            status: .unreachable,
            message:
                "refusing an unsafe session: the session is not read-only: the startup options did not reach the server",
            fix: "connect to PostgreSQL directly, or let the pooler pass the options startup parameter"),
    ]

    @Test(arguments: cases)
    func eachKindHasItsStatusMessageAndFix(_ expected: Case) {
        let mapped = CommandError(expected.error)
        #expect(mapped.status == expected.status)
        #expect(mapped.message == expected.message)
        #expect(mapped.fix == expected.fix)
        #expect(!mapped.message.contains("\n") && !(mapped.fix ?? "").contains("\n"))
    }

    /// A fix for a refusal at connection time is not the fix for the same SQLSTATE later on.
    @Test func theStepDecidesBetweenConnectAndPgMonitor() {
        let denied = PostgresError.server(
            ServerError(
                sqlState: .insufficientPrivilege, severity: "FATAL", message: "permission denied", detail: nil,
                hint: nil))
        #expect(CommandError.fix(for: denied, during: .connecting).contains("CONNECT"))
        #expect(CommandError.fix(for: denied, during: .readingIdentity).contains("pg_monitor"))
        let violation = PostgresError.server(
            ServerError(
                sqlState: .protocolViolation, severity: "FATAL", message: "invalid frontend message", detail: nil,
                hint: nil))
        #expect(CommandError.fix(for: violation, during: .connecting).contains("connect to PostgreSQL directly"))
        #expect(CommandError.fix(for: violation, during: .readingSection("wal")) == Self.serverRuns)
    }
}
