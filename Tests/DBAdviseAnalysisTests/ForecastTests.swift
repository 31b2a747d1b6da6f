import DBAdviseAnalysis
import DBAdviseModel
import DBAdviseOutput
import Foundation
import Testing

/// A since-reset snapshot (`--interval 0`) with cumulative counters, as `collect` writes one.
private func counterSnapshot(
    day: Double, writes: Int, liveRows: Int, reltuples: Double, statsReset: Date?, analyzedAt: Date?
) -> Snapshot {
    var snapshot = seriesSnapshot(
        day: day, databaseBytes: (10 + day) * gibibyte, tables: ["events": (5 + day) * gibibyte])
    let finished = snapshot.interval.finishedAt
    let since = statsReset ?? seriesStart.addingTimeInterval(-86_400)
    snapshot.interval = SampleInterval(
        mode: .sinceReset, requestedSeconds: 0, startedAt: finished, finishedAt: finished,
        rateSeconds: finished.timeIntervalSince(since), activitySamples: 1)
    snapshot.server.statsReset = statsReset
    snapshot.database?.tupInserted = writes
    snapshot.database?.tupUpdated = 0
    snapshot.database?.tupDeleted = 0
    snapshot.database?.xactCommit = writes / 10
    snapshot.rates.writesPerSecond = Double(writes) / finished.timeIntervalSince(since)
    snapshot.tables?[0].nLiveTup = liveRows
    snapshot.tables?[0].reltuples = reltuples
    snapshot.tables?[0].nTupIns = writes
    snapshot.tables?[0].nTupUpd = 0
    snapshot.tables?[0].nTupDel = 0
    snapshot.tables?[0].lastAutoanalyze = analyzedAt
    return snapshot
}

@Suite struct ForecastTests {
    /// database_size_gb 30/50, table_size_gb 20/40, writes_per_second 300/600.
    let config = Config(thresholds: [
        .databaseSizeGB: ThresholdLevels(key: .databaseSizeGB, warning: 30, critical: 50),
        .tableSizeGB: ThresholdLevels(key: .tableSizeGB, warning: 20, critical: 40),
        .writesPerSecond: ThresholdLevels(key: .writesPerSecond, warning: 300, critical: 600),
    ])

    /// Ten days of exact growth: database 10 GB + 1 GB/day, events 5 GB + 1 GB/day, writes
    /// 100/s + 10/s a day.
    func linearSeries() -> [Snapshot] {
        (0...9).map { day in
            var snapshot = seriesSnapshot(
                day: Double(day), databaseBytes: (10 + Double(day)) * gibibyte,
                tables: ["events": (5 + Double(day)) * gibibyte])
            snapshot.rates.writesPerSecond = 100 + 10 * Double(day)
            return snapshot
        }
    }

    @Test func exactLinearGrowthGivesExactForecasts() throws {
        let report = try Analyzer(rules: []).report(
            snapshots: linearSeries(), config: config, sourceType: .snapshot)
        func forecast(_ key: ThresholdKey, _ level: Severity) -> Forecast? {
            report.forecasts.first { $0.threshold == key && $0.level == level }
        }
        // Latest (day 9): database 19 GB, events 14 GB, writes 190/s.
        let database = try #require(forecast(.databaseSizeGB, .warning))
        #expect(database.days == 11)
        #expect(database.daysMargin == 0)
        #expect(database.confidence == .high)
        #expect(database.target == "app")
        #expect(database.metric.rawValue == "database_bytes")
        #expect(database.changePerDay == gibibyte)
        #expect(forecast(.databaseSizeGB, .critical)?.days == 31)
        #expect(forecast(.tableSizeGB, .warning)?.days == 6)
        #expect(forecast(.tableSizeGB, .warning)?.target == "public.events")
        #expect(forecast(.tableSizeGB, .critical)?.days == 26)
        #expect(forecast(.writesPerSecond, .warning)?.days == 11)
        #expect(forecast(.writesPerSecond, .critical)?.days == 41)
        #expect(report.forecasts.map(\.days) == report.forecasts.map(\.days).sorted(), "soonest first")
        #expect(
            report.forecasts.first?.sentence
                == "public.events reaches table_size_gb warning (20 GB) in ~6 days, ±0 seconds "
                + "(high confidence, R² 1 over 10 points in 9 days)")
        #expect(report.forecasts.first?.spanDays == 9)

        let growth = try #require(report.growth)
        #expect(growth.writesPerSecond?.perDay == 10)
        #expect(growth.tables.first?.target == "public.events")
        #expect(growth.tables.first?.bytes.bytesPerDay == gibibyte)
    }

    /// A forecast needs measurement.sustained_snapshots points over sustained_hours (3 over a
    /// day by default): two points, or three minutes apart, give none and the text says why.
    @Test func aShortSeriesHasNoForecastAndSaysWhy() throws {
        let two = Array(linearSeries().prefix(2))
        let twoReport = try Analyzer(rules: []).report(snapshots: two, config: config, sourceType: .snapshot)
        #expect(twoReport.forecasts.isEmpty)
        #expect(twoReport.growth?.daysToCritical.isEmpty == true)
        let minutes = (0...4).map { step -> Snapshot in
            var snapshot = seriesSnapshot(
                day: Double(step) / 1_440, databaseBytes: (10 + Double(step)) * gibibyte,
                tables: ["events": (5 + Double(step)) * gibibyte])
            snapshot.rates.writesPerSecond = 100 - 50 * Double(step)
            return snapshot
        }
        let minutesReport = try Analyzer(rules: []).report(snapshots: minutes, config: config, sourceType: .snapshot)
        #expect(minutesReport.forecasts.isEmpty, "\(minutesReport.forecasts.map(\.sentence))")
        #expect(!minutesReport.gate.breaches.contains { $0.threshold.needsSeries }, "\(minutesReport.gate.breaches)")
        // Words joined across the renderer's line wraps.
        let text = TextReportRenderer.render(minutesReport, useColor: false)
            .split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(text.contains("No forecast: a trend needs 3 snapshots over 24 h"), "\(text)")
        #expect(text.contains("No trends:"), "\(text)")
        #expect(!text.contains("/s per day"), "no rate of a rate over minutes: \(text)")

        // Three points over two days: long enough, a margin, not high confidence.
        let three = Array(linearSeries().prefix(3))
        let threeReport = try Analyzer(rules: []).report(snapshots: three, config: config, sourceType: .snapshot)
        let database = try #require(threeReport.forecasts.first { $0.threshold == .databaseSizeGB })
        #expect(database.points == 3)
        #expect(database.spanDays == 2)
        #expect(database.daysMargin != nil)
    }

    /// Ratios are bounded: a falling hit ratio or a rising connection share is never a line
    /// to a level, however steady.
    @Test func boundedRatiosAreNeverForecast() throws {
        let series = (0...9).map { day -> Snapshot in
            var snapshot = linearSeries()[day]
            snapshot.rates.cacheHitRatio = 0.999 - 0.001 * Double(day)
            snapshot.activity?.maxConnections = 100
            snapshot.activity?.connections = 10 + 5 * day
            return snapshot
        }
        let report = try Analyzer(rules: []).report(snapshots: series, config: config, sourceType: .snapshot)
        #expect(!report.forecasts.isEmpty, "sizes still forecast")
        #expect(!report.forecasts.contains { $0.threshold.isBounded }, "\(report.forecasts.map(\.sentence))")
    }

    /// Growth reads as a person says it: shrinking data shrinks, falling rates fall.
    @Test func growthTextsReadAsSentences() throws {
        let series = (0...4).map { day -> Snapshot in
            var snapshot = seriesSnapshot(
                day: Double(day), databaseBytes: (20 - Double(day)) * gibibyte,
                tables: ["events": (5 + Double(day)) * gibibyte])
            snapshot.rates.writesPerSecond = 500 - 100 * Double(day)
            return snapshot
        }
        let report = try Analyzer(rules: []).report(snapshots: series, config: config, sourceType: .snapshot)
        let text = TextReportRenderer.render(report, useColor: false)
            .split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(text.contains("Database: shrinks 1 GB a day"), "\(text)")
        #expect(text.contains("writes 100/s, falling 100/s a day"), "\(text)")
        #expect(text.contains("public.events: grows 1 GB a day"), "\(text)")
        #expect(!text.contains("/s per day") && !text.contains("-1 GB"), "\(text)")
    }

    @Test func noisyGrowthHasAMarginAndShrinkingDataHasNoForecast() throws {
        let wiggles = [0.3, -0.2, 0.4, -0.5, 0.1, -0.3, 0.2, 0.0]
        let noisy = wiggles.enumerated().map { day, wiggle in
            seriesSnapshot(day: Double(day), databaseBytes: (10 + Double(day) + wiggle) * gibibyte)
        }
        let report = try Analyzer(rules: []).report(snapshots: noisy, config: config, sourceType: .snapshot)
        let database = try #require(report.forecasts.first { $0.threshold == .databaseSizeGB })
        let margin = try #require(database.daysMargin)
        #expect(margin > 0 && margin < database.days / 4)

        let shrinking = (0...4).map { day in
            seriesSnapshot(day: Double(day), databaseBytes: (20 - Double(day)) * gibibyte)
        }
        let shrunk = try Analyzer(rules: []).report(snapshots: shrinking, config: config, sourceType: .snapshot)
        #expect(shrunk.forecasts.isEmpty)
    }

    @Test func singleSnapshotHasNoForecasts() throws {
        let report = try Analyzer(rules: []).report(
            snapshots: [linearSeries()[0]], config: config, sourceType: .snapshot)
        #expect(report.forecasts.isEmpty)
        #expect(report.growth == nil)
    }

    @Test func aStatisticsResetIsNotNegativeGrowth() throws {
        // 1,000 writes and 1,000 rows a day; the statistics are reset at day 2.5, which zeroes
        // the counters and n_live_tup until the next ANALYZE (day 4).
        let reset = seriesStart.addingTimeInterval(2.5 * 86_400)
        let analyzed = seriesStart.addingTimeInterval(4 * 86_400)
        let series = (0...5).map { day -> Snapshot in
            let rows = 10_000 + 1_000 * day
            if Double(day) < 2.5 {
                return counterSnapshot(
                    day: Double(day), writes: 50_000 + 1_000 * day, liveRows: rows, reltuples: Double(rows),
                    statsReset: nil, analyzedAt: nil)
            }
            let sinceReset = Int((Double(day) - 2.5) * 1_000)
            return counterSnapshot(
                day: Double(day), writes: sinceReset, liveRows: day >= 4 ? rows : sinceReset,
                reltuples: Double(rows), statsReset: reset, analyzedAt: day >= 4 ? analyzed : nil)
        }
        let trends = try #require(SeriesTrends(snapshots: series))
        #expect(trends.resets.count == 1)
        #expect(trends.resets.first?.cause == "stats_reset")
        let rows = try #require(trends.tableRows["public.events"])
        #expect(rows.slopeBytesPerDay == 1_000, "reltuples stands in for n_live_tup after the reset")
        let databaseRows = try #require(trends.databaseRows)
        #expect(databaseRows.slopeBytesPerDay == 1_000)
        // Writes: 1,000 a day between snapshots (≈0.0116/s); the reset gap uses the since-reset average.
        let writes = try #require(trends.writesPerSecond)
        #expect(writes.latestBytes > 0)
        #expect(abs(writes.latestBytes - 1_000 / 86_400) < 1e-9)
        let report = try Analyzer(rules: []).report(snapshots: series, config: config, sourceType: .snapshot)
        #expect(report.growth?.resets.count == 1)
        #expect((report.growth?.databaseRows?.perDay ?? 0) > 0)
    }
}

@Suite struct WhatIfTests {
    @Test(arguments: [
        ("10x", WhatIfScenario(data: 10, writes: 10, reads: 10)),
        ("2.5", WhatIfScenario(data: 2.5, writes: 2.5, reads: 2.5)),
        ("data=10x,writes=3x,reads=5x", WhatIfScenario(data: 10, writes: 3, reads: 5)),
        ("writes=3x", WhatIfScenario(data: 1, writes: 3, reads: 1)),
        (" DATA=100X ", WhatIfScenario(data: 100, writes: 1, reads: 1)),
    ])
    func parses(_ text: String, _ expected: WhatIfScenario) throws {
        #expect(try WhatIfScenario.parse(text) == expected)
    }

    @Test(arguments: [
        ("", WhatIfError.empty), ("0x", .badFactor("0x", dimension: nil)), ("-2x", .badFactor("-2x", dimension: nil)),
        ("tenx", .badFactor("tenx", dimension: nil)), ("cpu=2x", .unknownDimension("cpu=2x")),
        ("data=2x,data=3x", .repeated("data")), ("data=", .badFactor("", dimension: "data")),
    ])
    func rejects(_ text: String, _ expected: WhatIfError) {
        #expect(throws: expected) { try WhatIfScenario.parse(text) }
    }

    @Test func scalesEachDimensionByItsOwnFactor() throws {
        var snapshot = seriesSnapshot(day: 0, databaseBytes: 10 * gibibyte, tables: ["events": 4 * gibibyte])
        snapshot.rates.writesPerSecond = 100
        snapshot.rates.readsPerSecond = 1_000
        snapshot.rates.walBytesPerSecond = 1_000_000
        snapshot.tables?[0].nLiveTup = 1_000
        snapshot.activity = ActivitySummary(
            samples: 1, avgActiveSessions: 2, peakActiveSessions: 3, connections: 10, maxConnections: 100,
            waitEventTypes: [:], idleInTransaction: 0, oldestQuerySeconds: nil, oldestTransactionSeconds: nil)
        let write = Statement(
            queryid: "1", query: "UPDATE t SET a = $1", calls: 10, totalExecTimeMs: 5, meanExecTimeMs: 0.5, rows: 10,
            sharedBlksHit: 1, sharedBlksRead: 0)
        let read = Statement(
            queryid: "2", query: "SELECT a FROM t", calls: 100, totalExecTimeMs: 50, meanExecTimeMs: 0.5, rows: 100,
            sharedBlksHit: 10, sharedBlksRead: 0)
        snapshot.statements = StatementStats(available: true, reason: nil)
        snapshot.statements.topByTotalTime = [read, write]
        snapshot.statements.totalExecTimeMs = 60
        let scenario = try WhatIfScenario.parse("data=10x,writes=3x,reads=5x")
        let scaled = SnapshotScaler.scaled(snapshot, by: scenario) { $0.queryid == "1" }
        #expect(scaled.database?.sizeBytes == Int(100 * gibibyte))
        #expect(scaled.tables?[0].totalBytes == Int(40 * gibibyte))
        #expect(scaled.tables?[0].nLiveTup == 10_000)
        #expect(scaled.rates.writesPerSecond == 300)
        #expect(scaled.rates.readsPerSecond == 5_000)
        #expect(scaled.rates.walBytesPerSecond == 3_000_000)
        #expect(scaled.activity?.avgActiveSessions == 10, "sessions follow the larger of reads and writes")
        #expect(scaled.activity?.connections == 10, "connections are kept: a pooler decides them")
        #expect(scaled.statements.topByTotalTime?.map(\.calls) == [500, 30])
        let total = try #require(scaled.statements.totalExecTimeMs)
        #expect(abs(total - (250 + 15 + 5 * 5)) < 1e-9, "unlisted time grows with the load")
    }
}
