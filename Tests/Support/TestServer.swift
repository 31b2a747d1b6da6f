import Foundation
import Testing

/// The throwaway PostgreSQL that `make test` starts (scripts/test-server.sh) and describes in
/// DBADVISE_TEST_* variables. Plain `swift test` without it skips the integration suites with
/// a visible reason; with DBADVISE_REQUIRE_SERVER=1 (set by `make test`) they run and fail.
public enum TestServer {
    static let environment = ProcessInfo.processInfo.environment

    public static var isConfigured: Bool { environment["DBADVISE_TEST_DSN"] != nil }
    static var isRequired: Bool { environment["DBADVISE_REQUIRE_SERVER"] == "1" }

    /// Attach to every suite that needs the server.
    public static var enabled: ConditionTrait {
        .enabled(
            if: isConfigured || isRequired,
            "no test server: run `make test` (it starts a throwaway PostgreSQL)")
    }

    public struct NotConfigured: Error, CustomStringConvertible {
        public var description: String {
            "DBADVISE_TEST_DSN is not set although DBADVISE_REQUIRE_SERVER=1: the test server did not start"
        }
    }

    static func value(_ name: String) throws -> String {
        guard let value = environment[name] else { throw NotConfigured() }
        return value
    }

    /// Socket DSN of the default test database (trust authentication).
    public static func dsn() throws -> String { try value("DBADVISE_TEST_DSN") }
    public static func socket() throws -> String { try value("DBADVISE_TEST_SOCKET") }
    public static func port() throws -> String { try value("DBADVISE_TEST_PORT") }
    public static func binDirectory() throws -> String { try value("DBADVISE_TEST_PGBIN") }
    public static func directory() throws -> String { try value("DBADVISE_TEST_DIR") }
    public static func passwordRole() throws -> String { try value("DBADVISE_TEST_PASSWORD_ROLE") }
    public static func password() throws -> String { try value("DBADVISE_TEST_PASSWORD") }

    /// The test server's `server_version_num` (scripts/test-server.sh runs PostgreSQL 15, 16
    /// or 18: scripts/pg-servers.sh).
    public static func serverVersionNum() throws -> Int {
        guard let number = Int(try value("DBADVISE_TEST_SERVER_VERSION_NUM")) else { throw NotConfigured() }
        return number
    }

    /// Whether the server's build has pg_stat_statements (contrib). The PyPI build of
    /// PostgreSQL 16 has no contrib: tests that read statements assert "unavailable" there.
    public static var hasPgStatStatements: Bool { environment["DBADVISE_TEST_HAS_PG_STAT_STATEMENTS"] != "0" }

    /// Whether pg_partman is installed for the server (Debian's package, PostgreSQL 15 only).
    public static var hasPgPartman: Bool { environment["DBADVISE_TEST_HAS_PG_PARTMAN"] != "0" }

    /// Socket DSN of another database on the test server.
    public static func dsn(database: String) throws -> String {
        "host=\(try socket()) port=\(try port()) dbname=\(database) user=postgres"
    }

    /// Drops and creates a database of the test server, so each suite has its own tables and
    /// its own pg_stat_statements entries (when the server's build has the extension).
    @discardableResult
    public static func freshDatabase(_ name: String, statements: Bool = true) throws -> String {
        try psql("DROP DATABASE IF EXISTS \(name) WITH (FORCE)", database: "postgres")
        try psql("CREATE DATABASE \(name)", database: "postgres")
        if statements && hasPgStatStatements {
            try psql("CREATE EXTENSION pg_stat_statements", database: name)
        }
        return try dsn(database: name)
    }

    /// Starts a streaming standby of the test server (pg_basebackup), through replication slot
    /// `slot` when given; returns its DSN. `scripts/test-server.sh stop` removes it with the rest.
    public static func startStandby(_ name: String, slot: String? = nil) throws -> String {
        let script = Shell.packageRoot.appendingPathComponent("scripts/test-server.sh").path
        let result = try Shell.run(
            "/bin/bash", [script, "standby", try directory(), name] + (slot.map { [$0] } ?? []))
        guard result.status == 0 else {
            throw Shell.Failure(command: "test-server.sh standby \(name)", result: result)
        }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public static func stopStandby(_ name: String) throws {
        let script = Shell.packageRoot.appendingPathComponent("scripts/test-server.sh").path
        let result = try Shell.run("/bin/bash", [script, "stop-standby", try directory(), name])
        guard result.status == 0 else {
            throw Shell.Failure(command: "test-server.sh stop-standby \(name)", result: result)
        }
    }

    /// Starts a cluster of its own under the test server's directory (so
    /// `scripts/test-server.sh stop` stops it with the rest), for a suite that must see only
    /// its own databases or change roles; returns its socket directory and port.
    public static func startOwnCluster(_ name: String) throws -> (socket: String, port: String) {
        let base = try directory() + "/" + name
        let script = Shell.packageRoot.appendingPathComponent("scripts/test-server.sh").path
        let result = try Shell.run("/bin/bash", [script, "start", base])
        guard result.status == 0 else {
            throw Shell.Failure(command: "test-server.sh start \(base)", result: result)
        }
        let env = try String(contentsOfFile: base + "/env", encoding: .utf8)
        func value(_ name: String) -> String {
            env.split(separator: "\n").first { $0.hasPrefix("export \(name)=") }
                .map { String($0.dropFirst("export \(name)=".count)).replacingOccurrences(of: "\"", with: "") }
                ?? ""
        }
        return (value("DBADVISE_TEST_SOCKET"), value("DBADVISE_TEST_PORT"))
    }

    /// Runs SQL with psql against any DSN.
    @discardableResult
    public static func psql(_ sql: String, dsn: String) throws -> String {
        let result = try Shell.run(
            try binDirectory() + "/psql",
            ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", dsn, "-c", sql])
        guard result.status == 0 else {
            throw Shell.Failure(command: "psql -c \(sql)", result: result)
        }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs SQL with psql (ON_ERROR_STOP); returns unaligned, tuples-only output.
    @discardableResult
    public static func psql(_ sql: String, database: String) throws -> String {
        try psql(sql, dsn: try dsn(database: database))
    }

    /// Runs pgbench against a test database.
    @discardableResult
    public static func pgbench(_ arguments: [String], database: String) throws -> Shell.Result {
        let result = try Shell.run(
            try binDirectory() + "/pgbench", arguments + [try dsn(database: database)])
        guard result.status == 0 else {
            throw Shell.Failure(command: "pgbench \(arguments)", result: result)
        }
        return result
    }

    /// Starts pgbench in the background; the caller waits for it.
    public static func startPgbench(_ arguments: [String], database: String) throws -> Process {
        try Shell.start(try binDirectory() + "/pgbench", arguments + [try dsn(database: database)])
    }
}

extension TestServer {
    /// Waits until no other client session is connected to the DSN's database.
    ///
    /// A session's table and database counters reach the statistics others read when it
    /// flushes them, at the latest when it ends (PostgreSQL 15+ flushes pending counters in
    /// the backend's exit, before it leaves pg_stat_activity). psql returns before its backend
    /// has finished exiting, so a test that resets the statistics or analyzes right after a
    /// load could otherwise see the load's counters land after the reset, or not yet: on a
    /// busy machine that decided the verdict. Polling until the sessions are gone makes the
    /// counters a test sees independent of how fast the machine is.
    public static func settleStatistics(dsn: String, timeoutSeconds: Double = 120) throws {
        let others = """
            SELECT count(*) FROM pg_catalog.pg_stat_activity
            WHERE datname OPERATOR(pg_catalog.=) pg_catalog.current_database()
                AND pid OPERATOR(pg_catalog.<>) pg_catalog.pg_backend_pid()
                AND backend_type OPERATOR(pg_catalog.=) 'client backend'
            """
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while try psql(others, dsn: dsn) != "0" {
            guard Date() < deadline else {
                throw Shell.Failure(
                    command: "settleStatistics: sessions still connected after \(Int(timeoutSeconds)) s",
                    result: Shell.Result(status: 1, stdout: "", stderr: ""))
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    /// Resets the database's statistics once every earlier session's counters have landed, so
    /// the counters after it are exactly what the test runs next.
    public static func resetStatistics(dsn: String) throws {
        try settleStatistics(dsn: dsn)
        try psql("SELECT pg_catalog.pg_stat_reset()", dsn: dsn)
    }
}
