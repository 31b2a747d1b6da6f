import DBAdviseTestSupport
import Foundation
import Testing

/// The "done when" on real workloads: pgbench load on the test server, analyzed live
/// by the real binary.
@Suite("analyze live workloads", .serialized, TestServer.enabled)
struct AnalyzeWorkloadTests {
    static let database = "analyze_workloads"

    struct ReportHead: Decodable {
        struct Recommendation: Decodable { let strategy: String; let rule: String }
        struct NotRecommended: Decodable { let strategy: String; let reason: String }
        let growth_shape: String
        let recommendations: [Recommendation]
        let not_recommended: [NotRecommended]
    }

    func analyze(while load: [String], config: String) throws -> ReportHead {
        let dsn = try TestServer.dsn(database: Self.database)
        let pgbench = try TestServer.startPgbench(load, database: Self.database)
        defer { pgbench.terminate() }
        Thread.sleep(forTimeInterval: 1)
        let result = try Shell.dbadvise(
            ["analyze", "--dsn", dsn, "--interval", "5s", "--config", try Shell.configFile(config), "--format", "json"])
        pgbench.waitUntilExit()
        #expect(result.status == 0, "\(result.stderr)")
        return try JSONDecoder().decode(ReportHead.self, from: Data(result.stdout.utf8))
    }

    @Test func idleDatabaseStaysOnOneBox() throws {
        let dsn = try TestServer.freshDatabase(Self.database)
        try TestServer.pgbench(["-i", "-s", "2", "-q"], database: Self.database)
        Thread.sleep(forTimeInterval: 1)
        let result = try Shell.dbadvise(["analyze", "--dsn", dsn, "--interval", "2s", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSONDecoder().decode(ReportHead.self, from: Data(result.stdout.utf8))
        #expect(report.growth_shape == "idle")
        let scaling = ["vertical", "read-replicas", "partitioning", "sharding", "cqrs", "cache"]
        #expect(!report.recommendations.contains { scaling.contains($0.strategy) })
        #expect(Set(report.not_recommended.map(\.strategy)).isSuperset(of: scaling))
        let text = try Shell.dbadvise(["analyze", "--dsn", dsn, "--interval", "1s"])
        #expect(text.stdout.contains("STAY ON ONE BOX"))
    }

    /// "Small" is one vCPU and a busy threshold low enough that four pgbench clients on this
    /// two-core test machine cross it whatever else the machine is doing.
    static let smallMachine = """
        hardware:
          vcpus: 1
          memory_gb: 1
        thresholds:
          active_sessions_per_vcpu: {warning: 0.2, critical: 0.5}
        """

    /// Reads that keep their sessions on CPU (aggregates over pgbench_accounts, all in shared
    /// buffers): the primary is busy, so the first step is vertical or replicas, never a cache.
    @Test func readHeavyLoadOnASmallMachineGetsVerticalOrReplicasFirst() throws {
        let scan = "SELECT bid, sum(abalance) FROM pgbench_accounts GROUP BY bid;"
        try TestServer.psql(scan, database: Self.database)
        let script = try Shell.temporaryFile(".sql")
        defer { try? FileManager.default.removeItem(at: script) }
        try Data((scan + "\n").utf8).write(to: script)
        let report = try analyze(
            while: ["-n", "-f", script.path, "-T", "9", "-c", "4", "-j", "2"], config: Self.smallMachine)
        #expect(report.growth_shape == "read-heavy")
        let first = try #require(report.recommendations.first)
        #expect(["vertical", "read-replicas"].contains(first.strategy), "first: \(first.rule)")
    }

    @Test func writeHeavyLoadNeverGetsReplicasFirst() throws {
        let report = try analyze(
            while: ["-n", "-N", "-T", "9", "-c", "4", "-j", "2"], config: Self.smallMachine)
        #expect(report.recommendations.first?.strategy != "read-replicas")
        if report.growth_shape == "write-heavy" {
            #expect(!report.recommendations.contains { $0.strategy == "read-replicas" })
        }
    }
}
