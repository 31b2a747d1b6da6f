import DBAdviseModel
import Foundation

/// One size measured at one time: a point of a growth series.
public struct SizeSample: Sendable, Equatable {
    public var at: Date
    public var bytes: Double

    public init(at: Date, bytes: Double) {
        self.at = at
        self.bytes = bytes
    }
}

/// An ordinary least-squares line through a size series: bytes over time in days.
///
/// Every point counts, not just the first and last: one snapshot taken right after a bulk
/// load or a `VACUUM FULL` then moves the line a little instead of deciding it.
/// ``rSquared`` says how well a straight line describes the series (1 = exactly).
public struct GrowthTrend: Sendable, Equatable {
    /// Fitted growth in bytes per day; negative when the series shrinks.
    public let slopeBytesPerDay: Double
    /// Fitted size in bytes at ``origin`` (the earliest point).
    public let interceptBytes: Double
    /// Coefficient of determination in 0...1. A series with no variation is fitted exactly: 1.
    public let rSquared: Double
    public let points: Int
    /// The time of the earliest point: day 0 of the fit.
    public let origin: Date
    /// Days from the earliest to the latest point.
    public let spanDays: Double
    /// The latest measured size, in bytes.
    public let latestBytes: Double
    /// The standard error of the slope (per day), nil with two points (a line through two
    /// points has no residual to judge it by). 0 for an exactly linear series.
    public let slopeStandardError: Double?

    public static let secondsPerDay = 86_400.0

    /// Fits the samples (in any order). Nil with fewer than two points or when they were all
    /// taken at the same time: no rate can be told.
    public init?(samples: [SizeSample]) {
        var accumulator = TrendAccumulator()
        for sample in samples.sorted(by: { $0.at < $1.at }) { accumulator.add(at: sample.at, value: sample.bytes) }
        self.init(accumulator: accumulator)
    }

    /// The line through an accumulator's points; nil with fewer than two points or when they
    /// were all taken at the same time.
    public init?(accumulator: TrendAccumulator) {
        guard accumulator.points >= 2, accumulator.sumXX > 0 else { return nil }
        let slope = accumulator.sumXY / accumulator.sumXX
        // Σ residual² of the least-squares line; rounding can leave a hair below zero.
        let residual = max(0, accumulator.sumYY - slope * accumulator.sumXY)
        slopeBytesPerDay = slope
        interceptBytes = accumulator.meanValue - slope * accumulator.meanDays
        rSquared = accumulator.sumYY > 0 ? min(1, max(0, 1 - residual / accumulator.sumYY)) : 1
        slopeStandardError =
            accumulator.points > 2
            ? (residual / Double(accumulator.points - 2) / accumulator.sumXX).squareRoot() : nil
        points = accumulator.points
        origin = Date(timeIntervalSinceReferenceDate: accumulator.originSeconds)
        spanDays = accumulator.latestDays
        latestBytes = accumulator.latestValue
    }

    /// The fitted size at the latest point.
    public var fittedLatestBytes: Double { interceptBytes + slopeBytesPerDay * spanDays }

    /// Days from the latest point until the size reaches `level` bytes at the fitted rate:
    /// (level − fitted latest) / slope. Nil when the series does not grow; 0 when the level is
    /// already reached (by the fitted or the measured latest size); never negative.
    public func daysUntil(bytes level: Double) -> Double? {
        daysUntil(level: level, direction: .higherIsWorse)
    }

    /// Days from the latest point until the value reaches `level` moving the worse way
    /// (`direction`) at `slope` (default: the fitted one): nil when the trend moves the other
    /// way or not at all; 0 when the latest measured or fitted value is already there.
    public func daysUntil(level: Double, direction: ThresholdDirection, slope: Double? = nil) -> Double? {
        let slope = slope ?? slopeBytesPerDay
        switch direction {
        case .higherIsWorse:
            guard slope > 0 else { return nil }
            if latestBytes >= level { return 0 }
        case .lowerIsWorse:
            guard slope < 0 else { return nil }
            if latestBytes <= level { return 0 }
        }
        return max(0, (level - fittedLatestBytes) / slope)
    }

    /// The range of days to `level` when the slope is one standard error faster or slower:
    /// the forecast's ± margin. Nil when the error is unknown (two points); the upper end is
    /// nil (never) when the slower slope does not move towards the level.
    public func daysRange(level: Double, direction: ThresholdDirection) -> (
        soonest: Double, latest: Double?
    )? {
        guard let error = slopeStandardError else { return nil }
        let towards = direction == .higherIsWorse ? 1.0 : -1.0
        let faster = slopeBytesPerDay + towards * error
        let slower = slopeBytesPerDay - towards * error
        guard let soonest = daysUntil(level: level, direction: direction, slope: faster) else {
            return nil
        }
        return (soonest, daysUntil(level: level, direction: direction, slope: slower))
    }
}
