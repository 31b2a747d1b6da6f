import DBAdviseTestSupport
import Foundation
import Testing

/// SOURCE_DATE_EPOCH dates what the reports say about their own making; unset, the clock does.
@Suite("SOURCE_DATE_EPOCH")
struct ReportClockTests {
    static let snapshot = Shell.packageRoot.appendingPathComponent("samples/snapshots/pgbench.json").path
    static let low = "thresholds:\n  writes_per_second: {warning: 1, critical: 2}\n"

    func generatedAt(_ environment: [String: String?]) throws -> String? {
        let result = try Shell.dbadvise(
            ["analyze", "--input", Self.snapshot, "--format", "json"], environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        return report?["generated_at"] as? String
    }

    @Test func setDatesTheReportJUnitAndBaseline() throws {
        let pinned: [String: String?] = ["SOURCE_DATE_EPOCH": "1795000000"]
        #expect(try generatedAt(pinned) == "2026-11-18T11:06:40.000Z")

        let config = try Shell.configFile(Self.low)
        let junit = try Shell.dbadvise(
            ["check", "--input", Self.snapshot, "--config", config, "--format", "junit"], environment: pinned)
        #expect(junit.status == 1, "\(junit.stderr)")
        #expect(junit.stdout.contains("timestamp=\"2026-11-18T11:06:40\""))

        let baseline = try Shell.temporaryFile(".json")
        try FileManager.default.removeItem(at: baseline)
        defer { try? FileManager.default.removeItem(at: baseline) }
        let written = try Shell.dbadvise(
            ["check", "--input", Self.snapshot, "--config", config, "--write-baseline", baseline.path],
            environment: pinned)
        #expect(written.status == 0, "\(written.stderr)")
        let saved = try JSONSerialization.jsonObject(with: Data(contentsOf: baseline)) as? [String: Any]
        #expect(saved?["created_at"] as? String == "2026-11-18T11:06:40.000Z")
    }

    /// Unset or empty: the report is dated now (between the moments before and after the run).
    @Test(arguments: [nil, ""] as [String?])
    func unsetDatesTheReportNow(_ value: String?) throws {
        let before = Date().addingTimeInterval(-1)
        let stamp = try #require(try generatedAt(["SOURCE_DATE_EPOCH": value]))
        let after = Date().addingTimeInterval(1)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let date = try #require(formatter.date(from: stamp), "\(stamp)")
        #expect(date >= before && date <= after, "generated_at \(stamp) is not the time of the run")
    }

    @Test(arguments: ["yesterday", "-5", "1.5", "1795000000 ", "99999999999999999999"])
    func malformedIsRefused(_ value: String) throws {
        let result = try Shell.dbadvise(
            ["analyze", "--input", Self.snapshot], environment: ["SOURCE_DATE_EPOCH": value])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.hasPrefix("dbadvise: SOURCE_DATE_EPOCH is \"\(value)\""), "\(result.stderr)")
    }
}
