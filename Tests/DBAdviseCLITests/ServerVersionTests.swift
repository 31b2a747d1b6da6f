import DBAdviseTestSupport
import Foundation
import Testing

/// `make test` runs this suite on every tested server (PostgreSQL 15, 16 and 18:
/// scripts/pg-servers.sh): a snapshot collected from each validates against the schema and
/// analyzes to the same judgments for the same data, and a server without pg_stat_statements
/// (the PyPI build of 16 has no contrib) analyzes with a note that the query mix is unknown.
@Suite("a snapshot from each tested server", .serialized, TestServer.enabled)
struct ServerVersionTests {
    static let database = "server_version_snapshot"

    struct Report: Decodable {
        struct Source: Decodable { let server_version_num: Int }
        struct Recommendation: Decodable {
            let rule: String
            let target: String
        }
        struct Note: Decodable {
            let metric: String
            let reason: String
        }
        let source: Source
        let growth_shape: String
        let recommendations: [Recommendation]
        let notes: [Note]
        let query_mix: QueryMix?
        struct QueryMix: Decodable { let statements: Int }
    }

    /// What the snapshot says about its own collection: the views it read, what it could not.
    struct SnapshotHead: Decodable {
        struct Source: Decodable { let source: String }
        struct Unavailable: Decodable {
            let section: String
            let reason: String
        }
        let wal: Source?
        let checkpoints: Source?
        let unavailable: [Unavailable]
    }

    /// Sizes low enough that the table below is past its size warning (the partition plan
    /// suite's): data-heavy, and the partitioning rule fires for it on every version; nothing
    /// depends on rates.
    static let config = PartitionPlanDDLTests.config

    /// Collects with the binary (`--interval 0`), validates the snapshot, analyzes it offline.
    static func collectAndAnalyze() throws -> (snapshot: Data, report: Report, text: String) {
        let dsn = try TestServer.freshDatabase(Self.database)
        try TestServer.psql(
            """
            CREATE TABLE public.readings (
                id bigserial PRIMARY KEY,
                taken_at timestamptz NOT NULL,
                sensor integer NOT NULL,
                value double precision);
            INSERT INTO public.readings (taken_at, sensor, value)
                SELECT timestamptz '2026-01-01' + g * interval '1 minute', g % 40, g * 0.5
                FROM generate_series(1, 30000) AS g;
            ANALYZE public.readings;
            SELECT count(*) FROM public.readings WHERE sensor = 7;
            """, dsn: dsn)
        let directory = try Shell.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let snapshotPath = directory.appendingPathComponent("snapshot.json").path
        let configPath = directory.appendingPathComponent("dbadvise.yml")
        try Data(Self.config.utf8).write(to: configPath)
        let collect = try Shell.dbadvise(["collect", "--dsn", dsn, "--interval", "0", "--output", snapshotPath])
        try #require(collect.status == 0, "\(collect.stderr)")
        let snapshot = try Data(contentsOf: URL(fileURLWithPath: snapshotPath))
        let json = try Shell.dbadvise([
            "analyze", "--input", snapshotPath, "--config", configPath.path, "--format", "json",
        ])
        try #require(json.status == 0, "\(json.stderr)")
        try SchemaValidator.validate(Data(json.stdout.utf8), schema: "report.schema.json")
        let text = try Shell.dbadvise(["analyze", "--input", snapshotPath, "--config", configPath.path])
        try #require(text.status == 0, "\(text.stderr)")
        return (snapshot, try JSONDecoder().decode(Report.self, from: Data(json.stdout.utf8)), text.stdout)
    }

    @Test func snapshotValidatesAndAnalyzesAlikeOnEveryServer() throws {
        let (snapshot, report, _) = try Self.collectAndAnalyze()
        try SchemaValidator.validate(snapshot, schema: "snapshot.schema.json")
        // Every version-gated query ran: nothing is missing but what the build lacks.
        let head = try JSONDecoder().decode(SnapshotHead.self, from: snapshot)
        #expect(
            head.unavailable.map(\.section) == (TestServer.hasPgStatStatements ? [] : ["statements"]),
            "\(head.unavailable.map { "\($0.section): \($0.reason)" })")
        let version = try TestServer.serverVersionNum()
        #expect(head.wal?.source == "pg_stat_wal")
        // PostgreSQL 17 moved the checkpoint counters from pg_stat_bgwriter to pg_stat_checkpointer
        #expect(head.checkpoints?.source == (version >= 170_000 ? "pg_stat_checkpointer" : "pg_stat_bgwriter"))
        #expect(report.source.server_version_num == (try TestServer.serverVersionNum()))
        #expect(report.growth_shape == "data-heavy")
        let onReadings = report.recommendations.filter { $0.target == "public.readings" }.map(\.rule)
        #expect(onReadings == ["partition-large-time-series"], "\(report.recommendations.map(\.rule))")
    }

    /// pg_stat_statements present (15, 18): the query mix is measured. Absent (16 from PyPI):
    /// the report says why the mix is unknown, in JSON and in text, and nothing else changes.
    @Test func queryMixIsMeasuredOrNotedUnavailable() throws {
        let (_, report, text) = try Self.collectAndAnalyze()
        let note = report.notes.first { $0.metric == "query_mix" }
        if TestServer.hasPgStatStatements {
            #expect(note == nil, "\(note?.reason ?? "")")
            #expect(try #require(report.query_mix).statements > 0)
        } else {
            #expect(report.query_mix == nil)
            #expect(try #require(note).reason.hasPrefix("pg_stat_statements unavailable"))
            #expect(text.contains("Query mix: unknown (pg_stat_statements unavailable"), "\(text)")
        }
    }
}
