import DBAdviseTestSupport
import Foundation
import PostgresClient
import Testing

@Suite("Connection against the test server", TestServer.enabled)
struct ConnectionTests {
    @Test func parameterizedQueryCopiesRowsAndNulls() throws {
        let connection = try Connection(conninfo: TestServer.dsn())
        let result = try connection.query(
            "SELECT $1::int + 1 AS answer, $2::text AS nothing, 'it''s' AS quoted, true AS yes",
            ["41", nil])
        let row = try #require(result.rows.first)
        #expect(try row.int("answer") == 42)
        #expect(try row.string("nothing") == nil)
        #expect(try row.string("quoted") == "it's")
        #expect(try row.bool("yes") == true)
        #expect(result.columns.names == ["answer", "nothing", "quoted", "yes"])
    }

    @Test func parametersAreNeverInterpolated() throws {
        let connection = try Connection(conninfo: TestServer.dsn())
        let hostile = "'; DROP TABLE x; --"
        let row = try #require(try connection.query("SELECT $1::text AS value", [hostile]).rows.first)
        #expect(try row.string("value") == hostile)
    }

    @Test func missingColumnIsAnErrorNotANull() throws {
        let connection = try Connection(conninfo: TestServer.dsn())
        let row = try #require(try connection.query("SELECT 1 AS one").rows.first)
        #expect(throws: PostgresError.unexpectedResult(message: "result has no column \"two\"")) {
            try row.int("two")
        }
    }

    @Test func serverErrorsKeepSQLStateMessageDetailAndHint() throws {
        let connection = try Connection(conninfo: TestServer.dsn())
        do {
            try connection.query(
                """
                DO $$ BEGIN
                    RAISE EXCEPTION 'boom' USING DETAIL = 'the detail', HINT = 'the hint',
                        ERRCODE = 'P0001';
                END $$
                """)
            Issue.record("expected an error")
        } catch .server(let error) {
            #expect(error.sqlState == "P0001")
            #expect(error.message == "boom")
            #expect(error.detail == "the detail")
            #expect(error.hint == "the hint")
            #expect(error.severity == "ERROR")
        }
        #expect(throws: PostgresError.self) { try connection.query("SELECT 1/0") }
        do {
            try connection.query("SELECT * FROM no_such_table")
        } catch {
            #expect(error.sqlState == "42P01")
        }
        // the connection is still usable after errors
        #expect(try connection.query("SELECT 1 AS one").rows.count == 1)
    }

    @Test func noticesAreCollectedNotPrinted() throws {
        let connection = try Connection(conninfo: TestServer.dsn())
        try connection.query("DO $$ BEGIN RAISE NOTICE 'hello from the server'; END $$")
        #expect(connection.notices.contains { $0.contains("hello from the server") })
    }

    @Test func settingsOverrideTheConnectionString() throws {
        let connection = try Connection(
            conninfo: TestServer.dsn() + " application_name=someone_else",
            settings: ["application_name": "dbadvise"])
        let row = try #require(
            try connection.query("SELECT current_setting('application_name') AS name").rows.first)
        #expect(try row.string("name") == "dbadvise")
    }

    @Test func uriConnectionStringsWork() throws {
        let socket = try TestServer.socket().addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let uri = "postgresql:///dbadvise_test?host=\(socket)&port=\(try TestServer.port())&user=postgres"
        let connection = try Connection(conninfo: uri)
        #expect(connection.connectionDescription.database == "dbadvise_test")
        #expect(connection.serverVersionNumber >= 120000)
    }

    @Test func descriptionComesFromLibpqNotTheString() throws {
        let connection = try Connection(
            conninfo:
                "host=127.0.0.1 port=\(try TestServer.port()) dbname=dbadvise_test user=\(try TestServer.passwordRole()) password=\(try TestServer.password())"
        )
        let description = connection.connectionDescription
        #expect(description.user == (try TestServer.passwordRole()))
        #expect(description.host == "127.0.0.1")
        #expect(!description.description.contains(try TestServer.password()))
    }

    @Test func wrongPasswordFailsWithoutEchoingIt() throws {
        let secret = "Wr0ng-secret-value"
        let conninfo =
            "host=127.0.0.1 port=\(try TestServer.port()) dbname=dbadvise_test user=\(try TestServer.passwordRole()) password=\(secret)"
        do {
            _ = try Connection(conninfo: conninfo)
            Issue.record("expected an authentication failure")
        } catch .connectionFailed(let message) {
            #expect(message.contains("password authentication failed"))
            #expect(!message.contains(secret))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }
}

@Suite("Connection failures without a server")
struct ConnectionFailureTests {
    @Test func refusedConnectionIsConnectionFailed() throws {
        do {
            _ = try Connection(conninfo: "host=127.0.0.1 port=1 connect_timeout=2 password=s3cr3t-pw")
            Issue.record("expected a failure")
        } catch .connectionFailed(let message) {
            #expect(!message.isEmpty)
            #expect(!message.contains("s3cr3t-pw"))
            #expect(!message.contains("\n"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func malformedStringIsRejectedBeforeConnecting() {
        #expect(throws: PostgresError.self) {
            _ = try Connection(conninfo: "host=db1 password=hunter2 nonsense")
        }
        do {
            try ConnectionString.validate("password='hunter2' host=db1 port")
            Issue.record("expected a parse error")
        } catch {
            guard case .invalidConnectionString(let message) = error else {
                Issue.record("wrong error \(error)")
                return
            }
            #expect(!message.contains("hunter2"))
        }
        #expect(throws: PostgresError.self) {
            try ConnectionString.validate("postgresql://user:pw@host/db?no_such_option=1")
        }
    }

    @Test func plainDatabaseNamesAreNotParsedAsConnectionStrings() throws {
        #expect(!ConnectionString.isExpandable("shop"))
        try ConnectionString.validate("shop")
        try ConnectionString.validate("host=db1 dbname=shop")
        try ConnectionString.validate("postgres://u@db1:5432/shop?sslmode=disable")
    }

    @Test(arguments: [
        ("host=a password=hunter2 dbname=b", "hunter2"),
        ("host=a password = 'hun ter2' dbname=b", "hun ter2"),
        ("postgres://alice:hunter2@db1/shop", "hunter2"),
        ("postgresql://alice:p%40ss@db1/shop", "p@ss"),
        ("postgresql://db1/shop?password=hunter2&sslmode=require", "hunter2"),
    ])
    func passwordsAreRedacted(conninfo: String, secret: String) {
        let message = "failed near \(secret) in \(conninfo)"
        let redacted = ConnectionString.redact(message, in: conninfo)
        #expect(!redacted.contains(secret))
    }
}
