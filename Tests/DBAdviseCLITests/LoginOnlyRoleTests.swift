import DBAdviseAnalysis
import DBAdviseModel
import DBAdviseOutput
import DBAdviseTestSupport
import Foundation
import Testing

/// `analyze --dsn` as a role with LOGIN only, while another role's session is active: the
/// metrics such a role cannot see are unknown with the privilege named, never 0, and no rule
/// advises from them; the same moment analyzed by a superuser shows them.
@Suite("analyze as a LOGIN-only role", .serialized, TestServer.enabled)
struct LoginOnlyRoleTests {
    static let database = "login_only_analyze"

    struct Reports {
        var limited: [String: Any]
        var full: [String: Any]
    }

    /// One bash script: a session sleeps, is polled until active, both roles analyze it.
    func analyzeBothWays() throws -> Reports {
        let dsn = try TestServer.freshDatabase(Self.database)
        try TestServer.psql("DROP ROLE IF EXISTS login_only_cli", database: Self.database)
        try TestServer.psql("CREATE ROLE login_only_cli LOGIN", database: Self.database)
        let config = try Shell.temporaryFile(".yml")
        try Data("hardware:\n  vcpus: 2\n".utf8).write(to: config)
        let limitedFile = try Shell.temporaryFile(".json")
        let fullFile = try Shell.temporaryFile(".json")
        func quoted(_ word: String) -> String { "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        let psql = quoted(try TestServer.binDirectory() + "/psql")
        let analyze = [
            Shell.dbadviseBinary, "analyze", "--interval", "1s", "--format", "json", "--config", config.path,
        ]
        .map(quoted).joined(separator: " ")
        let limitedDSN = dsn.replacingOccurrences(of: "user=postgres", with: "user=login_only_cli")
        let script = """
            set -eu
            \(psql) -X -q -d \(quoted(dsn)) -c 'SELECT pg_sleep(30)' >/dev/null 2>&1 &
            sleeper=$!
            trap 'kill $sleeper 2>/dev/null || true' EXIT
            for _ in $(seq 1 400); do
                n=$(\(psql) -X -A -t -d \(quoted(dsn)) -c "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE 'SELECT pg_sleep(30)%'")
                [ "$n" != 0 ] && break
                sleep 0.05
            done
            \(analyze) --dsn \(quoted(limitedDSN)) > \(quoted(limitedFile.path))
            \(analyze) --dsn \(quoted(dsn)) > \(quoted(fullFile.path))
            """
        let result = try Shell.script(script)
        #expect(result.status == 0, "\(result.stderr)")
        try TestServer.psql("DROP ROLE IF EXISTS login_only_cli", database: Self.database)
        func json(_ file: URL) throws -> [String: Any] {
            try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any] ?? [:]
        }
        return Reports(limited: try json(limitedFile), full: try json(fullFile))
    }

    @Test func unseenActivityIsUnknownNotZeroAndDrivesNoAdvice() throws {
        let reports = try analyzeBothWays()
        let limited = try #require(reports.limited["metrics"] as? [String: Any])
        #expect(limited["connections_used_ratio"] is NSNull, "\(limited)")
        #expect(limited["active_sessions_per_vcpu"] is NSNull, "\(limited)")
        let notes = (reports.limited["notes"] as? [[String: Any]]) ?? []
        let activityNotes = notes.filter { ($0["metric"] as? String) == "active_sessions_per_vcpu" }
        #expect(activityNotes.contains { ($0["reason"] as? String)?.contains("pg_monitor") == true }, "\(notes)")
        let rules = ((reports.limited["recommendations"] as? [[String: Any]]) ?? []).compactMap {
            $0["rule"] as? String
        }
        #expect(!rules.contains { $0.contains("connection") || $0.contains("cpu") }, "\(rules)")

        // the same moment, seen by a superuser: measured, not unknown
        let full = try #require(reports.full["metrics"] as? [String: Any])
        #expect((full["connections_used_ratio"] as? Double ?? 0) > 0, "\(full)")
        #expect((full["active_sessions_per_vcpu"] as? Double ?? 0) > 0, "\(full)")
    }
}
