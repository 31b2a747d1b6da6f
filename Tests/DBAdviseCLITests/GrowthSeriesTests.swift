import DBAdviseTestSupport
import Foundation
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Issue 8 on a real database: a table that grows between collections, a history directory
/// written by `collect --output DIR/`, a statistics reset in the middle, and the trends,
/// forecasts, what-if and plot that `analyze --input DIR/` makes of it.
@Suite("growth series on a real database", .serialized, TestServer.enabled)
struct GrowthSeriesTests {
    static let database = "growth_series"

    struct Report: Decodable {
        struct Growth: Decodable {
            struct Trend: Decodable { let latest: Double; let per_day: Double; let r_squared: Double; let points: Int }
            struct Table: Decodable {
                struct Bytes: Decodable { let bytes_per_day: Double; let r_squared: Double }
                let target: String
                let bytes: Bytes
                let rows: Trend?
            }
            struct Reset: Decodable { let cause: String }
            let snapshots: Int
            let database_rows: Trend?
            let writes_per_second: Trend?
            let tables: [Table]
            let resets: [Reset]
        }
        struct Forecast: Decodable {
            let metric: String
            let target: String
            let threshold: String
            let level: String
            let days: Double
            let confidence: String
        }
        struct WhatIf: Decodable { let new_steps: [String]; let summary: String }
        let growth_shape_reason: String
        let growth: Growth?
        let forecasts: [Forecast]
        let what_if: WhatIf?
    }

    /// Collects `count` snapshots of a table growing by 20,000 rows between them, resetting
    /// the statistics after the third; returns the history directory. `endingNow`: the
    /// series is retimed to end at the last collection instead of starting at the first;
    /// `retime: false` leaves the files as collect wrote them.
    static func collectGrowingSeries(
        count: Int = 5, database: String = database, endingNow: Bool = false, retime: Bool = true
    ) throws -> URL {
        let dsn = try TestServer.freshDatabase(database)
        try TestServer.psql(
            "CREATE TABLE events (id bigserial PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now(), "
                + "payload text)", database: database)
        let history = try Shell.temporaryDirectory().appendingPathComponent("history", isDirectory: true)
        for index in 1...count {
            // ANALYZE as autovacuum would between hourly collections: the planner's row count
            // must not depend on whether autovacuum got round to the table during the test.
            try TestServer.psql(
                "INSERT INTO events (payload) SELECT repeat('x', 200) FROM generate_series(1, 20000); ANALYZE events",
                database: database)
            if index == 4 { try TestServer.resetStatistics(dsn: dsn) }
            try TestServer.settleStatistics(dsn: dsn)
            let result = try Shell.dbadvise([
                "collect", "--dsn", dsn, "--interval", "0", "--output", history.path + "/",
            ])
            #expect(result.status == 0, "\(result.stderr)")
            Thread.sleep(forTimeInterval: 0.3)
        }
        if retime { try retimeEverySixHours(history, endingNow: endingNow) }
        return history
    }

    /// Moves the collected snapshots onto a six-hourly cron's clock (five collections span the
    /// day a forecast needs, `measurement.sustained_hours`): the n-th collection at 6n hours
    /// after the first, every other time in the files (the statistics reset, vacuum and
    /// analyze times) moved with the collection that follows it. The collections really ran
    /// seconds apart, as fast as the machine allowed; growth per day, its fit and the
    /// forecast must not depend on how regular that was.
    static func retimeEverySixHours(_ history: URL, endingNow: Bool = false) throws {
        let files = try FileManager.default.contentsOfDirectory(at: history, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "json" }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var documents: [(url: URL, json: [String: Any], finished: Date)] = []
        for file in files {
            let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
            let interval = try #require(json["interval"] as? [String: Any])
            let finished = try #require((interval["finished_at"] as? String).flatMap(formatter.date(from:)))
            documents.append((file, json, finished))
        }
        documents.sort { $0.finished < $1.finished }
        let real = documents.map(\.finished)
        let base = try #require(endingNow ? real.last : real.first)
        let first = endingNow ? real.count - 1 : 0
        let hourly = real.indices.map { base.addingTimeInterval(Double($0 - first) * 6 * 3_600) }
        // Each time moves with the first collection at or after it, so an interval, a reset
        // and the collection after them keep their real seconds apart.
        func move(_ date: Date) -> Date {
            let owner = real.firstIndex { $0 >= date } ?? real.count - 1
            return date.addingTimeInterval(hourly[owner].timeIntervalSince(real[owner]))
        }
        func retimed(_ value: Any) -> Any {
            switch value {
            case let text as String: return formatter.date(from: text).map { formatter.string(from: move($0)) } ?? text
            case let object as [String: Any]: return object.mapValues(retimed)
            case let array as [Any]: return array.map(retimed)
            default: return value
            }
        }
        for document in documents {
            let data = try JSONSerialization.data(
                withJSONObject: retimed(document.json), options: [.prettyPrinted, .sortedKeys])
            try data.write(to: document.url)
        }
    }

    @Test func historyTrendsForecastsWhatIfAndPlot() throws {
        let history = try Self.collectGrowingSeries()
        let files = try FileManager.default.contentsOfDirectory(atPath: history.path).filter { $0.hasSuffix(".json") }
        #expect(files.count == 5, "one new file per collection, none overwritten: \(files)")

        // Table sizes in the config: 0.05 GB warning so the forecast lands in days, not years.
        let config = try Shell.temporaryFile(".yml")
        try Data("thresholds:\n  table_size_gb: {warning: 0.05, critical: 0.5}\n".utf8).write(to: config)
        let result = try Shell.dbadvise([
            "analyze", "--input", history.path + "/", "--config", config.path, "--format", "json",
            "--what-if", "data=100x",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let data = Data(result.stdout.utf8)
        try SchemaValidator.validate(data, schema: "report.schema.json")
        let report = try JSONDecoder().decode(Report.self, from: data)
        let growth = try #require(report.growth)
        #expect(growth.snapshots == 5)
        #expect(growth.resets.contains { $0.cause == "stats_reset" })
        let events = try #require(growth.tables.first { $0.target == "public.events" })
        #expect(events.bytes.bytes_per_day > 0)
        #expect(events.bytes.r_squared > 0.9)
        let rows = try #require(events.rows, "rows/day of public.events")
        #expect(rows.per_day > 0, "the reset must not read as shrinking rows")
        // After the reset n_live_tup counts only rows since it; the planner's reltuples (as of
        // the last ANALYZE, at least 40,000 rows here) stands in, never the since-reset count.
        #expect(rows.latest >= 40_000)
        #expect((growth.database_rows?.per_day ?? 0) > 0)
        #expect((growth.writes_per_second?.latest ?? -1) >= 0)

        let forecast = try #require(
            report.forecasts.first { $0.threshold == "table_size_gb" && $0.target == "public.events" })
        #expect(forecast.level == "warning")
        #expect(forecast.metric == "table_bytes")
        #expect(forecast.days > 0)
        #expect(report.growth_shape_reason.contains("trend of 5 snapshots"))
        let whatIf = try #require(report.what_if)
        #expect(whatIf.summary.hasPrefix("Next step:") || whatIf.summary.hasPrefix("Stay on one box"))

        let text = try Shell.dbadvise(["analyze", "--input", history.path + "/", "--config", config.path])
        #expect(text.status == 0)
        #expect(text.stdout.contains("public.events reaches table_size_gb"))
        #expect(text.stdout.contains("statistics reset"))

        // The plot: written, replaced on a second run, never written over someone else's file.
        let plot = history.deletingLastPathComponent().appendingPathComponent("growth.svg")
        for _ in 1...2 {
            let plotted = try Shell.dbadvise(["analyze", "--input", history.path, "--plot", plot.path])
            #expect(plotted.status == 0, "\(plotted.stderr)")
        }
        let svg = try String(contentsOf: plot, encoding: .utf8)
        #expect(svg.hasPrefix("<!-- dbadvise plot -->"))
        #expect(svg.contains("public.events"))
        #expect(svg.contains("table_size_gb warning"))
        #expect(svg.contains("statistics reset"))
        _ = try XMLDocument(data: Data(svg.utf8))
        let notes = history.deletingLastPathComponent().appendingPathComponent("notes.svg")
        try Data("<svg>mine</svg>".utf8).write(to: notes)
        let refused = try Shell.dbadvise(["analyze", "--input", history.path, "--plot", notes.path])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("refusing to overwrite"))
        #expect(try String(contentsOf: notes, encoding: .utf8) == "<svg>mine</svg>")
    }

    @Test func aDirectoryMixingDatabasesIsRefused() throws {
        let history = try Self.collectGrowingSeries(count: 2)
        let other = "growth_series_other"
        let otherDSN = try TestServer.freshDatabase(other, statements: false)
        let collected = try Shell.dbadvise([
            "collect", "--dsn", otherDSN, "--interval", "0", "--output", history.path + "/",
        ])
        #expect(collected.status == 0, "\(collected.stderr)")
        let result = try Shell.dbadvise(["analyze", "--input", history.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("different databases"))
        let check = try Shell.dbadvise(["check", "--input", history.path])
        #expect(check.status == 2)
    }

    @Test func plotNeedsASeries() throws {
        let single = Shell.packageRoot.appendingPathComponent("samples/snapshots/pgbench.json").path
        let plot = try Shell.temporaryDirectory().appendingPathComponent("one.svg")
        let one = try Shell.dbadvise(["analyze", "--input", single, "--plot", plot.path])
        #expect(one.status == 2)
        #expect(one.stderr.contains("two or more snapshots"))
        #expect(!FileManager.default.fileExists(atPath: plot.path))
        let live = try Shell.dbadvise(["analyze", "--dsn", try TestServer.dsn(), "--plot", plot.path])
        #expect(live.status == 2)
        #expect(live.stderr.contains("--plot needs a series"))
        let badWhatIf = try Shell.dbadvise(["analyze", "--input", single, "--what-if", "data=ten"])
        #expect(badWhatIf.status == 2)
        #expect(badWhatIf.stderr.contains("not a positive factor"))
    }
}
