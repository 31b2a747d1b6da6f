import Foundation

/// The running sums of a least-squares line, fed one point at a time, oldest first: what a
/// ``GrowthTrend`` is made from.
///
/// A series of 2,160 hourly snapshots of 10,000 tables is 21 million points; none of them is
/// kept. Each point updates the means and the centred sums of squares and products
/// (Welford's updates, stable for long series of large values such as byte counts), so the
/// history store keeps one accumulator per table and continues it with each new snapshot.
/// x is days since the first point (the fit's origin). Times are counted as `Date` counts
/// them, in seconds since 2001-01-01 UTC: a difference of two snapshot times is then exact,
/// so a 24-hour series spans exactly one day (`measurement.sustained_hours`), which Unix
/// seconds, rounded on the way, cannot promise.
public struct TrendAccumulator: Sendable, Equatable {
    public private(set) var points = 0
    /// The first point (day 0), in seconds since 2001-01-01 UTC.
    public private(set) var originSeconds = 0.0
    public private(set) var meanDays = 0.0
    public private(set) var meanValue = 0.0
    /// Σ(x − x̄)², Σ(x − x̄)(y − ȳ), Σ(y − ȳ)².
    public private(set) var sumXX = 0.0
    public private(set) var sumXY = 0.0
    public private(set) var sumYY = 0.0
    /// Days of the latest point since the origin, and its value.
    public private(set) var latestDays = 0.0
    public private(set) var latestValue = 0.0

    public init() {}

    /// An accumulator as a store saved it.
    public init(
        points: Int, originSeconds: Double, meanDays: Double, meanValue: Double, sumXX: Double, sumXY: Double,
        sumYY: Double, latestDays: Double, latestValue: Double
    ) {
        self.points = points
        self.originSeconds = originSeconds
        self.meanDays = meanDays
        self.meanValue = meanValue
        self.sumXX = sumXX
        self.sumXY = sumXY
        self.sumYY = sumYY
        self.latestDays = latestDays
        self.latestValue = latestValue
    }

    /// Adds a point no earlier than the last one; a value that is not finite is skipped.
    public mutating func add(at date: Date, value: Double) {
        guard value.isFinite else { return }
        let seconds = date.timeIntervalSinceReferenceDate
        if points == 0 { originSeconds = seconds }
        let days = (seconds - originSeconds) / GrowthTrend.secondsPerDay
        points += 1
        let count = Double(points)
        let dx = days - meanDays
        let dy = value - meanValue
        meanDays += dx / count
        meanValue += dy / count
        sumXX += dx * (days - meanDays)
        sumXY += dx * (value - meanValue)
        sumYY += dy * (value - meanValue)
        latestDays = days
        latestValue = value
    }

    /// The fitted line; nil with fewer than two points or when they all share one time.
    public var trend: GrowthTrend? { GrowthTrend(accumulator: self) }
}
