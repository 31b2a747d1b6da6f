import DBAdviseAnalysis
import DBAdviseModel
import DBAdviseOutput
import Foundation
import Testing

let gibibyte = 1_073_741_824.0
let seriesStart = Date(timeIntervalSince1970: 1_795_000_000)

/// A snapshot of database `app` taken `day` days after ``seriesStart``, with the given sizes
/// (bytes). Tables are `public.<name>`; `partitions` are leaves of `public.events_by_day`.
func seriesSnapshot(
    day: Double, databaseBytes: Double?, tables: [String: Double] = [:],
    partitions: [String: Double] = [:]
) -> Snapshot {
    var snapshot = minimalSnapshot()
    let finished = seriesStart.addingTimeInterval(day * 86_400)
    snapshot.interval = SampleInterval(
        mode: .delta, requestedSeconds: 10, startedAt: finished.addingTimeInterval(-10),
        finishedAt: finished, rateSeconds: 10, activitySamples: 10)
    snapshot.database?.sizeBytes = databaseBytes.map { Int($0) }
    snapshot.unavailable = []
    snapshot.tables = tables.sorted { $0.key < $1.key }.map { name, bytes in
        var table = TableStats(schema: "public", name: name, relkind: "r", isPartition: false)
        table.totalBytes = Int(bytes)
        return table
    }
    if !partitions.isEmpty {
        snapshot.partitionedTables = [
            PartitionTree(
                schema: "public", name: "events_by_day", strategy: .range, key: "RANGE (day)",
                keyColumns: ["day"], partitionOf: nil,
                partitions: partitions.sorted { $0.key < $1.key }.map { name, bytes in
                    Partition(
                        schema: "public", name: name, bound: nil, isDefault: false,
                        isPartitioned: false, totalBytes: Int(bytes), rows: nil)
                },
                defaultPartition: nil)
        ]
    }
    return snapshot
}

func samples(_ points: [(day: Double, bytes: Double)]) -> [SizeSample] {
    points.map { SizeSample(at: seriesStart.addingTimeInterval($0.day * 86_400), bytes: $0.bytes) }
}

@Suite struct GrowthTrendTests {
    @Test func exactLinearGrowthGivesExactSlopeAndDays() throws {
        // 10 GB + 2 GB a day, listed out of order: the fit sorts by time.
        let points = [3.0, 0, 4, 1, 2].map { (day: $0, bytes: (10 + 2 * $0) * gibibyte) }
        let trend = try #require(GrowthTrend(samples: samples(points)))
        #expect(trend.slopeBytesPerDay == 2 * gibibyte)
        #expect(trend.interceptBytes == 10 * gibibyte)
        #expect(trend.rSquared == 1)
        #expect(trend.points == 5)
        #expect(trend.spanDays == 4)
        #expect(trend.fittedLatestBytes == 18 * gibibyte)
        #expect(trend.daysUntil(bytes: 20 * gibibyte) == 1)
        #expect(trend.daysUntil(bytes: 118 * gibibyte) == 50)
        #expect(trend.daysUntil(bytes: 15 * gibibyte) == 0, "already past: 0, never negative")
    }

    @Test func usesEveryPointNotJustTheEnds() throws {
        // The ends alone say 1 GB/day; with the middle points the least-squares slope is 0.9.
        let trend = try #require(
            GrowthTrend(samples: samples([(0, 0), (1, 4 * gibibyte), (2, 4 * gibibyte), (3, 3 * gibibyte)])))
        #expect(trend.slopeBytesPerDay == 0.9 * gibibyte)
        #expect(trend.rSquared < 1)
    }

    @Test func noisySeriesHasRSquaredBelowOne() throws {
        let noise = [0.3, -0.2, 0.4, -0.5, 0.1, -0.3, 0.2, 0.0]
        let points = noise.enumerated().map { index, wiggle in
            (day: Double(index), bytes: (100 + 5 * Double(index) + wiggle) * gibibyte)
        }
        let trend = try #require(GrowthTrend(samples: samples(points)))
        #expect(trend.rSquared < 1)
        #expect(trend.rSquared > 0.99)
        #expect(abs(trend.slopeBytesPerDay / gibibyte - 5) < 0.1)
    }

    @Test func tooFewPointsOrNoTimeSpanIsNil() {
        #expect(GrowthTrend(samples: []) == nil)
        #expect(GrowthTrend(samples: samples([(0, gibibyte)])) == nil)
        #expect(GrowthTrend(samples: samples([(2, gibibyte), (2, 2 * gibibyte)])) == nil)
    }

    @Test func shrinkingOrResetSeriesDoesNotForecast() throws {
        let shrinking = try #require(
            GrowthTrend(samples: samples([(0, 50 * gibibyte), (1, 40 * gibibyte), (2, 30 * gibibyte)])))
        #expect(shrinking.slopeBytesPerDay < 0)
        #expect(shrinking.daysUntil(bytes: 100 * gibibyte) == nil)
        // A VACUUM FULL or TRUNCATE half way: no crash, finite numbers, a sane fit.
        let reset = try #require(
            GrowthTrend(samples: samples([(0, 10 * gibibyte), (1, 12 * gibibyte), (2, 0), (3, 1 * gibibyte)])))
        #expect(reset.slopeBytesPerDay.isFinite && reset.rSquared.isFinite)
        #expect((0...1).contains(reset.rSquared))
        let flat = try #require(GrowthTrend(samples: samples([(0, gibibyte), (1, gibibyte)])))
        #expect(flat.slopeBytesPerDay == 0)
        #expect(flat.rSquared == 1)
        #expect(flat.daysUntil(bytes: 2 * gibibyte) == nil)
    }
}

@Suite struct SizeTrendsTests {
    @Test func followsDatabaseTablesAndPartitionsByName() throws {
        let series = [
            seriesSnapshot(
                day: 2, databaseBytes: 14 * gibibyte,
                tables: ["events": 7 * gibibyte, "users": gibibyte], partitions: ["events_d1": 3 * gibibyte]),
            seriesSnapshot(day: 0, databaseBytes: 10 * gibibyte, tables: ["events": 5 * gibibyte, "gone": gibibyte]),
            seriesSnapshot(
                day: 1, databaseBytes: 12 * gibibyte,
                tables: ["events": 6 * gibibyte, "users": gibibyte], partitions: ["events_d1": 2 * gibibyte]),
        ]
        let trends = try #require(SizeTrends(snapshots: series))
        #expect(trends.snapshots == 3)
        #expect(trends.spanDays == 2)
        #expect(trends.database?.slopeBytesPerDay == 2 * gibibyte)
        #expect(trends.tables["public.events"]?.slopeBytesPerDay == gibibyte)
        #expect(trends.tables["public.events"]?.points == 3)
        #expect(trends.tables["public.users"]?.slopeBytesPerDay == 0)
        #expect(trends.tables["public.gone"] == nil, "a table gone from the latest snapshot is not followed")
        #expect(trends.partitions["public.events_d1"]?.slopeBytesPerDay == gibibyte)
        #expect(trends.partitions["public.events_d1"]?.points == 2)

        let config = try Config.parse("thresholds: {table_size_gb: {warning: 8, critical: 17}}")
        let forecasts = trends.criticalForecasts(config: config)
        let events = try #require(forecasts.first)
        #expect(events.sizeKey == .tableSizeGB)
        #expect(events.target == "public.events")
        #expect(events.days == 10)
        #expect(events.breachTarget == "public.events (table_size_gb)")
        #expect(forecasts.map(\.days) == forecasts.map(\.days).sorted(), "soonest first")
        #expect(!forecasts.contains { $0.target == "public.users" }, "not growing: no forecast")
    }

    @Test func oneSnapshotOrOneInstantHasNoTrend() {
        #expect(SizeTrends(snapshots: [seriesSnapshot(day: 0, databaseBytes: gibibyte)]) == nil)
        #expect(
            SizeTrends(snapshots: [
                seriesSnapshot(day: 1, databaseBytes: gibibyte),
                seriesSnapshot(day: 1, databaseBytes: 2 * gibibyte),
            ]) == nil)
        let unknownSize = SizeTrends(snapshots: [
            seriesSnapshot(day: 0, databaseBytes: nil),
            seriesSnapshot(day: 1, databaseBytes: gibibyte),
        ])
        #expect(unknownSize != nil)
        #expect(unknownSize?.database == nil)
    }
}

@Suite struct GrowthGateTests {
    /// 100 GB growing 20 GB a day; public.events 500 GB growing 25 GB a day.
    static let series = (0..<5).map { day in
        seriesSnapshot(
            day: Double(day), databaseBytes: (100 + 20 * Double(day)) * gibibyte,
            tables: ["events": (500 + 25 * Double(day)) * gibibyte])
    }

    @Test func growthThresholdsBreachWithASeries() throws {
        let latest = try #require(Self.series.last)
        let context = RuleContext(latest: latest, earlier: Array(Self.series.dropLast()), config: Config())
        let gate = GateEvaluator.evaluate(context, failOn: .critical)
        let growth = try #require(gate.breaches.first { $0.threshold == .databaseGrowthGBPerDay })
        #expect(
            growth
                == GateBreach(
                    threshold: .databaseGrowthGBPerDay, target: "app", value: 20, limit: 10,
                    unit: "GB/day", severity: .warning))
        // (1000 − 600) GB / 25 GB a day = 16 days to table_size_gb critical: below 30.
        let days = try #require(gate.breaches.first { $0.threshold == .daysToCritical })
        #expect(
            days
                == GateBreach(
                    threshold: .daysToCritical, target: "public.events (table_size_gb)", value: 16,
                    limit: 30, unit: "days", severity: .critical))
        #expect(!gate.passed)
        // The database: (10,000 − 180) GB / 20 GB a day = 491 days: no breach.
        #expect(!gate.breaches.contains { $0.target == "app (database_size_gb)" })
    }

    @Test func daysAreRoundedToOneDecimal() throws {
        let series = [0.0, 1.5, 3].map { day in
            seriesSnapshot(day: day, databaseBytes: gibibyte, tables: ["events": (900 + 7 * day) * gibibyte])
        }
        let context = RuleContext(latest: series[2], earlier: Array(series.prefix(2)), config: Config())
        let breach = try #require(
            GateEvaluator.evaluate(context, failOn: .critical).breaches.first {
                $0.threshold == .daysToCritical
            })
        // (1000 − 921) / 7 = 11.2857…
        #expect(breach.value == 11.3)
    }

    /// The same growth over snapshots minutes apart is no trend: the gate does not break on it
    /// (the judgment forecasts read: measurement.sustained_snapshots over sustained_hours).
    @Test func aSeriesOfMinutesHasNoGrowthBreaches() throws {
        let minutes = (0..<5).map { step in
            seriesSnapshot(
                day: Double(step) / 1_440, databaseBytes: (100 + 20 * Double(step)) * gibibyte,
                tables: ["events": (500 + 25 * Double(step)) * gibibyte])
        }
        let context = RuleContext(latest: minutes[4], earlier: Array(minutes.prefix(4)), config: Config())
        let gate = GateEvaluator.evaluate(context, failOn: .critical)
        #expect(!gate.breaches.contains { $0.threshold.needsSeries }, "\(gate.breaches)")
        let judgment = try #require(context.judgment(.databaseGrowthGBPerDay))
        #expect(judgment.value != nil)
        #expect(judgment.unmeasuredReason?.contains("the series has 5 over 4 minutes") == true, "\(judgment)")
    }

    @Test func oneSnapshotHasNoGrowthBreachesAndNullGrowth() throws {
        let one = seriesSnapshot(day: 0, databaseBytes: 900 * gibibyte, tables: ["events": 990 * gibibyte])
        let config = try Config.parse("thresholds: {database_growth_gb_per_day: {warning: 0, critical: 0}}")
        let gate = GateEvaluator.evaluate(RuleContext(latest: one, config: config), failOn: .critical)
        #expect(!gate.breaches.contains { $0.threshold.needsSeries })
        let report = try Analyzer(rules: []).report(
            snapshots: [one], config: config, sourceType: .snapshot, generatedAt: seriesStart)
        #expect(report.growth == nil)
        #expect(JSONReportRenderer.render(report).contains("\"growth\" : null"))
    }

    @Test func reportCarriesTheGrowthSection() throws {
        let report = try Analyzer(rules: []).report(
            snapshots: Self.series.reversed(), config: Config(), sourceType: .snapshot, generatedAt: seriesStart)
        let growth = try #require(report.growth)
        #expect(growth.snapshots == 5)
        #expect(growth.spanDays == 4)
        #expect(growth.database == GrowthTrendSummary(bytesPerDay: 20 * gibibyte, rSquared: 1, points: 5))
        #expect(growth.daysToCritical.map(\.target) == ["public.events", "app"])
        #expect(growth.daysToCritical.first?.days == 16)
        #expect(growth.daysToCritical.first?.threshold == .tableSizeGB)
        #expect(growth.daysToCritical.last?.days == 491)
        let json = JSONReportRenderer.render(report)
        #expect(json.contains("\"days_to_critical\""))
        #expect(json.contains("\"r_squared\""))
        let decoded = try ReportCoding.decoder().decode(Report.self, from: Data(json.utf8))
        #expect(decoded.growth == growth)
    }

    @Test func daysToCriticalIsLowerIsWorseInTheConfig() throws {
        #expect(ThresholdKey.daysToCritical.direction == .lowerIsWorse)
        #expect(ThresholdKey.databaseGrowthGBPerDay.direction == .higherIsWorse)
        #expect(Config().levels(.daysToCritical).severity(of: 45) == .warning)
        #expect(Config().levels(.daysToCritical).severity(of: 30) == .critical)
        #expect(Config().levels(.daysToCritical).severity(of: 91) == nil)
        #expect(Config().levels(.databaseGrowthGBPerDay).measuredWarning == 10 * gibibyte)
        #expect(throws: ConfigError.self) {
            try Config.parse("thresholds: {days_to_critical: {warning: 10, critical: 30}}")
        }
    }
}
