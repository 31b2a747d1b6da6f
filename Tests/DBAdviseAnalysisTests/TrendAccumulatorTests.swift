import DBAdviseAnalysis
import DBAdviseModel
import Foundation
import Testing

/// The running least-squares sums the history store keeps per table: the same line as a fit
/// over every point at once, continued exactly from a saved state, and a span counted
/// exactly.
@Suite("trend accumulator")
struct TrendAccumulatorTests {
    /// The textbook two-pass fit: means first, then the centred sums.
    static func twoPassSlope(_ samples: [SizeSample]) -> (slope: Double, rSquared: Double) {
        let origin = samples[0].at
        let days = samples.map { $0.at.timeIntervalSince(origin) / 86_400 }
        let values = samples.map(\.bytes)
        let meanDay = days.reduce(0, +) / Double(days.count)
        let meanValue = values.reduce(0, +) / Double(values.count)
        var sxx = 0.0
        var sxy = 0.0
        var syy = 0.0
        for (day, value) in zip(days, values) {
            sxx += (day - meanDay) * (day - meanDay)
            sxy += (day - meanDay) * (value - meanValue)
            syy += (value - meanValue) * (value - meanValue)
        }
        let slope = sxy / sxx
        var residual = 0.0
        for (day, value) in zip(days, values) {
            let error = value - (meanValue - slope * meanDay + slope * day)
            residual += error * error
        }
        return (slope, 1 - residual / syy)
    }

    /// 90 days of hourly sizes of a 2 TB table growing 5 GB a day with a few GB of noise.
    static func hourlySeries(count: Int = 2_160) -> [SizeSample] {
        var generator = SplitMix(seed: 19)
        let start = Date(timeIntervalSince1970: 1_790_000_000)
        return (0..<count).map { hour in
            let noise = Double(generator.next() % 4_000_000_000)
            return SizeSample(
                at: start.addingTimeInterval(Double(hour) * 3_600),
                bytes: 2e12 + 5e9 * Double(hour) / 24 + noise)
        }
    }

    @Test func theRunningSumsGiveTheTwoPassLine() throws {
        let samples = Self.hourlySeries()
        let trend = try #require(GrowthTrend(samples: samples))
        let reference = Self.twoPassSlope(samples)
        #expect(abs(trend.slopeBytesPerDay - reference.slope) <= 1e-9 * abs(reference.slope))
        #expect(abs(trend.rSquared - reference.rSquared) <= 1e-9)
        #expect(trend.points == 2_160)
        #expect(trend.spanDays == 2_159.0 / 24)
        #expect(trend.latestBytes == samples[2_159].bytes)
    }

    @Test func aSavedStateContinuesExactly() throws {
        let samples = Self.hourlySeries(count: 500)
        var once = TrendAccumulator()
        for sample in samples { once.add(at: sample.at, value: sample.bytes) }
        var first = TrendAccumulator()
        for sample in samples.prefix(300) { first.add(at: sample.at, value: sample.bytes) }
        // As a store keeps it: the nine numbers, read back.
        var resumed = TrendAccumulator(
            points: first.points, originSeconds: first.originSeconds, meanDays: first.meanDays,
            meanValue: first.meanValue, sumXX: first.sumXX, sumXY: first.sumXY, sumYY: first.sumYY,
            latestDays: first.latestDays, latestValue: first.latestValue)
        for sample in samples.dropFirst(300) { resumed.add(at: sample.at, value: sample.bytes) }
        #expect(resumed == once)
        #expect(resumed.trend == once.trend)
    }

    /// Snapshot times read from files are whole milliseconds; a day between two of them is
    /// one day, so "sustained over 24 hours" holds at exactly 24 hours.
    @Test func aDayOfSnapshotsSpansExactlyOneDay() throws {
        let start = try #require(SnapshotCoding.parseTimestamp("2026-12-02T20:13:48.152Z"))
        var accumulator = TrendAccumulator()
        for hours in [0.0, 6, 12, 18, 24] {
            accumulator.add(at: start.addingTimeInterval(hours * 3_600), value: 1e9 + hours * 1e6)
        }
        let trend = try #require(accumulator.trend)
        #expect(trend.spanDays == 1)
        #expect(Forecasts.seriesTooShort(trend, policy: MeasurementPolicy()) == nil)
        #expect(trend.slopeStandardError.map { $0 < 1e-3 } == true)
        #expect(trend.rSquared > 0.999_999)
    }

    @Test func fewerThanTwoTimesIsNoTrend() {
        var accumulator = TrendAccumulator()
        #expect(accumulator.trend == nil)
        accumulator.add(at: Date(timeIntervalSince1970: 0), value: 1)
        accumulator.add(at: Date(timeIntervalSince1970: 0), value: 2)
        #expect(accumulator.trend == nil, "two points at one time tell no rate")
        accumulator.add(at: Date(timeIntervalSince1970: 60), value: .nan)
        #expect(accumulator.points == 2, "a value that is not finite is skipped")
    }

    /// A series folded in two parts (the store's state, then the next collections) is the
    /// series folded at once, number for number.
    @Test func aFoldedSeriesResumesExactly() throws {
        let days = (0..<8).map { Double($0) }
        let snapshots = days.map { day in
            seriesSnapshot(
                day: day, databaseBytes: 1e9 + day * 1e8, tables: ["a": 5e8 + day * 1e7, "b": 1e6],
                partitions: ["p_1": 1e7 + day * 1e5])
        }
        var first = SeriesAccumulator()
        for snapshot in snapshots.prefix(5) { first.add(SnapshotPoints(snapshot: snapshot)) }
        var resumed = SeriesAccumulator(
            resuming: first.history, last: SnapshotPoints(snapshot: snapshots[4]))
        for snapshot in snapshots.dropFirst(5) { resumed.add(SnapshotPoints(snapshot: snapshot)) }
        #expect(resumed.history == SeriesHistory(snapshots: snapshots))
        let latest = try #require(snapshots.last)
        let trends = try #require(SeriesTrends(history: resumed.history, latest: latest))
        #expect(trends.sizes.tables["public.a"]?.slopeBytesPerDay.rounded() == 1e7)
        #expect(trends.sizes.partitions["public.p_1"]?.points == 8)
    }

    /// A timestamp read from a file is written back as itself, never a millisecond early.
    @Test func timestampsRoundTrip() throws {
        for text in ["2026-12-02T20:13:48.152Z", "2026-12-01T20:13:29.977Z", "2026-12-02T14:13:48.049Z"] {
            let date = try #require(SnapshotCoding.parseTimestamp(text))
            #expect(SnapshotCoding.formatTimestamp(date) == text)
        }
    }
}

/// A small deterministic generator: test data that is the same on every run.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
