import DBAdviseTestSupport
import Foundation
import Testing

/// Each way the test server refuses a connection, through the binary: exit 3, one line naming
/// libpq's cause, the fix for that refusal, and no password anywhere.
@Suite("dbadvise names the fix for each refused connection", .serialized, TestServer.enabled)
struct ConnectionRefusalTests {
    static let password = "Refused-pw-9"

    func collect(_ conninfo: String) throws -> Shell.Result {
        let emptyPasswordFile = try Shell.temporaryFile(".pgpass")
        try Data().write(to: emptyPasswordFile)
        // libpq warns on stderr about a password file others may read
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: emptyPasswordFile.path)
        return try Shell.dbadvise(
            ["collect", "--dsn", conninfo, "--interval", "0"],
            environment: ["PGPASSFILE": emptyPasswordFile.path, "PGPASSWORD": nil])
    }

    func expectRefused(_ result: Shell.Result, cause: String, fix: String) {
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 2, "\(result.stderr)")
        #expect(lines.first?.hasPrefix("dbadvise: cannot read the database: ") == true, "\(result.stderr)")
        #expect(lines.first?.contains(cause) == true, "\(result.stderr)")
        #expect(lines.last == "  fix: \(fix)", "\(result.stderr)")
        #expect(!result.stderr.contains(Self.password))
    }

    @Test func eachRefusalHasItsFix() throws {
        let socket = "host=\(try TestServer.socket()) port=\(try TestServer.port()) password=\(Self.password)"
        expectRefused(
            try collect("\(socket) dbname=no_such_database user=postgres"),
            cause: "database \"no_such_database\" does not exist", fix: "check dbname in --dsn or PGDATABASE")
        expectRefused(
            try collect("\(socket) dbname=dbadvise_test user=no_such_role"),
            cause: "role \"no_such_role\" does not exist",
            fix: "check the user (user= in --dsn, or PGUSER) and that pg_hba.conf lets it connect from this host")
        expectRefused(
            try collect(
                "host=127.0.0.1 port=\(try TestServer.port()) dbname=dbadvise_test user=\(try TestServer.passwordRole())"
            ),
            cause: "no password supplied", fix: "check the user and password (PGPASSWORD, ~/.pgpass or the DSN)")

        try TestServer.freshDatabase("refused_closed", statements: false)
        try TestServer.psql(
            """
            REVOKE CONNECT ON DATABASE refused_closed FROM PUBLIC;
            DROP ROLE IF EXISTS refused_login;
            CREATE ROLE refused_login LOGIN;
            """, database: "postgres")
        expectRefused(
            try collect("\(socket) dbname=refused_closed user=refused_login"),
            cause: "permission denied for database \"refused_closed\"",
            fix: "grant the role CONNECT on the database, or connect as a role that has it")
        // the control: the same role, where it may connect, collects
        let allowed = try collect("\(socket) dbname=dbadvise_test user=refused_login")
        #expect(allowed.status == 0, "\(allowed.stderr)")
        try TestServer.psql("DROP ROLE refused_login", database: "postgres")
    }
}
