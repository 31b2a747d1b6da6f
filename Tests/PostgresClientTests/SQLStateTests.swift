import DBAdviseTestSupport
import Foundation
import PostgresClient
import Testing

@Suite("SQLSTATEs by name")
struct SQLStateTests {
    /// The names are PostgreSQL's (errcodes.txt): a typo in a code would silently never match.
    @Test(arguments: [
        (SQLState.insufficientPrivilege, "42501"), (.queryCanceled, "57014"), (.lockNotAvailable, "55P03"),
        (.undefinedTable, "42P01"), (.undefinedFunction, "42883"), (.undefinedColumn, "42703"),
        (.undefinedObject, "42704"), (.objectNotInPrerequisiteState, "55000"), (.featureNotSupported, "0A000"),
        (.idleSessionTimeout, "57P05"), (.adminShutdown, "57P01"), (.crashShutdown, "57P02"),
        (.cannotConnectNow, "57P03"), (.databaseDropped, "57P04"), (.invalidPassword, "28P01"),
        (.invalidAuthorizationSpecification, "28000"), (.invalidCatalogName, "3D000"),
        (.readOnlySQLTransaction, "25006"), (.idleInTransactionSessionTimeout, "25P03"),
        (.transactionTimeout, "25P04"), (.connectionException, "08000"),
        (.sqlclientUnableToEstablishSQLConnection, "08001"), (.connectionFailure, "08006"),
        (.protocolViolation, "08P01"), (.tooManyConnections, "53300"), (.invalidParameterValue, "22023"),
        (.raiseException, "P0001"),
    ])
    func namesAreTheServersCodes(state: SQLState, code: String) {
        #expect(state.rawValue == code)
        #expect(state == SQLState(rawValue: code))
        #expect("\(state)" == code)
    }

    @Test func timeoutsAreTheLockAndStatementTimeoutsOnly() {
        #expect(SQLState.lockNotAvailable.isTimeout)
        #expect(SQLState.queryCanceled.isTimeout)
        for other: SQLState in [.insufficientPrivilege, .idleSessionTimeout, .connectionFailure, "P0001"] {
            #expect(!other.isTimeout, "\(other)")
        }
    }

    @Test func connectionExceptionsAndServerTerminationsEndTheSession() {
        for ending: SQLState in [
            .adminShutdown, .crashShutdown, .databaseDropped, .idleSessionTimeout, .idleInTransactionSessionTimeout,
            .transactionTimeout, .connectionFailure, "08003",
        ] {
            #expect(ending.endsSession, "\(ending)")
        }
        for going: SQLState in [.queryCanceled, .lockNotAvailable, .insufficientPrivilege, .readOnlySQLTransaction] {
            #expect(!going.endsSession, "\(going)")
        }
    }

    @Test func theAuthorizationClassIsTwentyEight() {
        #expect(SQLState.invalidPassword.isAuthorizationFailure)
        #expect(SQLState.invalidAuthorizationSpecification.isAuthorizationFailure)
        #expect(SQLState.invalidPassword.errorClass == "28")
        #expect(!SQLState.insufficientPrivilege.isAuthorizationFailure)
        #expect(!SQLState.invalidCatalogName.isAuthorizationFailure)
    }

    /// The texts libpq hands out for a failed connection (captured from PostgreSQL 15 and
    /// pgbouncer), and the SQLSTATE the server sent with each.
    @Test(arguments: [
        (
            #"connection to server at "127.0.0.1", port 5432 failed: FATAL:  password authentication failed for user "app""#,
            SQLState.invalidPassword
        ),
        (
            #"connection to server at "127.0.0.1", port 5432 failed: fe_sendauth: no password supplied"#,
            .invalidPassword
        ),
        (
            #"connection to server on socket "/tmp/.s.PGSQL.5432" failed: FATAL:  role "nobody" does not exist"#,
            .invalidAuthorizationSpecification
        ),
        (
            #"connection to server at "10.0.0.1", port 5432 failed: FATAL:  no pg_hba.conf entry for host "10.0.0.2", user "app", database "shop", no encryption"#,
            .invalidAuthorizationSpecification
        ),
        (
            #"connection to server on socket "/tmp/.s.PGSQL.5432" failed: FATAL:  Peer authentication failed for user "app""#,
            .invalidAuthorizationSpecification
        ),
        (
            #"connection to server on socket "/tmp/.s.PGSQL.5432" failed: FATAL:  role "app" is not permitted to log in"#,
            .invalidAuthorizationSpecification
        ),
        (
            #"connection to server on socket "/tmp/.s.PGSQL.5432" failed: FATAL:  database "nope" does not exist"#,
            .invalidCatalogName
        ),
        (
            #"connection to server on socket "/tmp/.s.PGSQL.5432" failed: FATAL:  permission denied for database "shop" DETAIL:  User does not have CONNECT privilege."#,
            .insufficientPrivilege
        ),
        (
            #"connection to server at "db1", port 5432 failed: FATAL:  too many connections for role "app""#,
            .tooManyConnections
        ),
        (
            #"connection to server at "db1", port 5432 failed: FATAL:  sorry, too many clients already"#,
            .tooManyConnections
        ),
        (
            #"connection to server at "db1", port 5432 failed: FATAL:  the database system is starting up"#,
            .cannotConnectNow
        ),
        (
            #"connection to server at "db1", port 5432 failed: FATAL:  unrecognized configuration parameter "transaction_timeout""#,
            .undefinedObject
        ),
        (
            #"connection to server at "db1", port 5432 failed: FATAL:  invalid value for parameter "search_path": "x""#,
            .invalidParameterValue
        ),
        (
            #"connection to server at "pool", port 6432 failed: FATAL:  unsupported startup parameter: options"#,
            .protocolViolation
        ),
        (
            #"connection to server at "127.0.0.1", port 1 failed: Connection refused Is the server running on that host and accepting TCP/IP connections?"#,
            .sqlclientUnableToEstablishSQLConnection
        ),
        (
            #"could not translate host name "nowhere.invalid" to address: Name or service not known"#,
            .sqlclientUnableToEstablishSQLConnection
        ),
        (
            #"connection to server at "10.0.0.1", port 5432 failed: timeout expired"#,
            .sqlclientUnableToEstablishSQLConnection
        ),
    ])
    func aFailedConnectionIsNamedByWhatTheServerSaid(message: String, state: SQLState) {
        #expect(SQLState(connectionFailure: message) == state)
        #expect(PostgresError.connectionFailed(message: message).sqlState == state)
    }

    @Test func everyErrorKindHasItsSQLStateAndSaysWhetherTheSessionIsOver() {
        let terminated = ServerError(
            sqlState: .adminShutdown, severity: "FATAL",
            message: "terminating connection due to administrator command", detail: nil, hint: nil)
        let denied = ServerError(
            sqlState: .insufficientPrivilege, severity: "ERROR", message: "permission denied for table t",
            detail: nil, hint: nil)
        let fatalOfAnyCode = ServerError(
            sqlState: "40001", severity: "FATAL", message: "terminating connection due to conflict with recovery",
            detail: nil, hint: nil)
        #expect(PostgresError.server(terminated).sqlState == .adminShutdown)
        #expect(PostgresError.server(terminated).endsSession)
        #expect(PostgresError.server(fatalOfAnyCode).endsSession)
        #expect(PostgresError.server(denied).sqlState == .insufficientPrivilege)
        #expect(!PostgresError.server(denied).endsSession)
        #expect(
            PostgresError.connectionLost(message: "server closed the connection unexpectedly").sqlState
                == .connectionFailure)
        #expect(PostgresError.connectionLost(message: "server closed the connection unexpectedly").endsSession)
        #expect(PostgresError.connectionFailed(message: "timeout expired").endsSession)
        #expect(PostgresError.invalidConnectionString(message: "missing \"=\"").sqlState == nil)
        #expect(!PostgresError.invalidConnectionString(message: "missing \"=\"").endsSession)
        #expect(PostgresError.unexpectedResult(message: "no column").sqlState == nil)
        #expect(!PostgresError.unexpectedResult(message: "no column").endsSession)
        // one line, with the SQLSTATE, for a server error; libpq's words otherwise
        #expect(PostgresError.server(denied).description == "ERROR: permission denied for table t (SQLSTATE 42501)")
        #expect(PostgresError.connectionLost(message: "gone").description == "gone")
    }
}

@Suite("Failures against the test server carry their SQLSTATE", TestServer.enabled)
struct SQLStateServerTests {
    func failure(_ conninfo: String) throws -> PostgresError? {
        do {
            _ = try Connection(conninfo: conninfo)
            return nil
        } catch {
            return error
        }
    }

    @Test func eachWayAConnectionIsRefusedHasItsName() throws {
        let socket = "host=\(try TestServer.socket()) port=\(try TestServer.port())"
        let tcp =
            "host=127.0.0.1 port=\(try TestServer.port()) dbname=dbadvise_test user=\(try TestServer.passwordRole())"
        let emptyPasswordFile = try Shell.temporaryFile(".pgpass")
        try Data().write(to: emptyPasswordFile)
        // libpq warns on stderr about a password file others may read
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: emptyPasswordFile.path)

        #expect(try failure("\(socket) dbname=no_such_database user=postgres")?.sqlState == .invalidCatalogName)
        #expect(
            try failure("\(socket) dbname=dbadvise_test user=no_such_role")?.sqlState
                == .invalidAuthorizationSpecification)
        #expect(try failure("\(tcp) password=not-it")?.sqlState == .invalidPassword)
        #expect(try failure("\(tcp) passfile=\(emptyPasswordFile.path)")?.sqlState == .invalidPassword)
        #expect(
            try failure("\(socket) dbname=dbadvise_test user=postgres options='-c work_mem=x'")?.sqlState
                == .invalidParameterValue)
        #expect(
            try failure("\(socket) dbname=dbadvise_test user=postgres options='-c no_such_setting=1'")?.sqlState
                == .undefinedObject)
        #expect(
            try failure("host=127.0.0.1 port=1 connect_timeout=2")?.sqlState == .sqlclientUnableToEstablishSQLConnection
        )

        try TestServer.freshDatabase("sqlstate_closed", statements: false)
        try TestServer.psql(
            """
            REVOKE CONNECT ON DATABASE sqlstate_closed FROM PUBLIC;
            DROP ROLE IF EXISTS sqlstate_login;
            CREATE ROLE sqlstate_login LOGIN;
            """, database: "postgres")
        #expect(try failure("\(socket) dbname=sqlstate_closed user=sqlstate_login")?.sqlState == .insufficientPrivilege)
        // the control: the same role where it may connect
        #expect(try failure("\(socket) dbname=dbadvise_test user=sqlstate_login") == nil)
    }

    @Test func aTimeoutLeavesTheSessionUsableATerminationEndsIt() throws {
        let connection = try Connection(conninfo: TestServer.dsn())
        try connection.query("SET statement_timeout = '50ms'")
        do {
            try connection.query("SELECT pg_sleep(5)")
            Issue.record("expected statement_timeout")
        } catch {
            #expect(error.sqlState == .queryCanceled)
            #expect(error.sqlState?.isTimeout == true)
            #expect(!error.endsSession)
        }
        #expect(try connection.query("SELECT 1 AS one").rows.count == 1)

        do {
            try connection.query("SELECT pg_terminate_backend(pg_backend_pid())")
            Issue.record("expected the session to end")
        } catch {
            // libpq reads the server's FATAL admin_shutdown, then the closed socket, and
            // reports the two as a broken connection
            #expect(error.endsSession, "\(error)")
            #expect(error.sqlState == .connectionFailure || error.sqlState == .adminShutdown, "\(error)")
            #expect(error.message.contains("terminating connection due to administrator command"), "\(error)")
        }
        #expect(throws: PostgresError.self) { try connection.query("SELECT 1 AS one") }
    }
}
