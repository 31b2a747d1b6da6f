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

    public static let secondsPerDay = 86_400.0

    /// Fits the samples (in any order). Nil with fewer than two points or when they were all
    /// taken at the same time: no rate can be told.
    public init?(samples: [SizeSample]) {
        let sorted = samples.filter { $0.bytes.isFinite }.sorted { $0.at < $1.at }
        guard sorted.count >= 2, let first = sorted.first, let last = sorted.last else { return nil }
        let days = sorted.map { $0.at.timeIntervalSince(first.at) / Self.secondsPerDay }
        let sizes = sorted.map(\.bytes)
        let count = Double(sorted.count)
        let meanDay = days.reduce(0, +) / count
        let meanSize = sizes.reduce(0, +) / count
        var sumXX = 0.0
        var sumXY = 0.0
        var sumYY = 0.0
        for (day, size) in zip(days, sizes) {
            sumXX += (day - meanDay) * (day - meanDay)
            sumXY += (day - meanDay) * (size - meanSize)
            sumYY += (size - meanSize) * (size - meanSize)
        }
        guard sumXX > 0 else { return nil }
        let slope = sumXY / sumXX
        let intercept = meanSize - slope * meanDay
        var residual = 0.0
        for (day, size) in zip(days, sizes) {
            let error = size - (intercept + slope * day)
            residual += error * error
        }
        slopeBytesPerDay = slope
        interceptBytes = intercept
        rSquared = sumYY > 0 ? min(1, max(0, 1 - residual / sumYY)) : 1
        points = sorted.count
        origin = first.at
        spanDays = days.last ?? 0
        latestBytes = last.bytes
    }

    /// The fitted size at the latest point.
    public var fittedLatestBytes: Double { interceptBytes + slopeBytesPerDay * spanDays }

    /// Days from the latest point until the size reaches `level` bytes at the fitted rate:
    /// (level − fitted latest) / slope. Nil when the series does not grow; 0 when the level is
    /// already reached (by the fitted or the measured latest size); never negative.
    public func daysUntil(bytes level: Double) -> Double? {
        guard slopeBytesPerDay > 0 else { return nil }
        if latestBytes >= level { return 0 }
        return max(0, (level - fittedLatestBytes) / slopeBytesPerDay)
    }
}
