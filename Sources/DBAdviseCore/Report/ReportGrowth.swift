import Foundation

/// The report's `growth` section: size trends over a series of two or more snapshots
/// (null in the report for a single snapshot). See ``SizeTrends``.
public struct ReportGrowth: Codable, Sendable, Equatable {
    /// How many snapshots the series holds.
    public var snapshots: Int
    /// Days from the earliest to the latest snapshot.
    public var spanDays: Double
    /// The database size trend; null when the size is known in fewer than two snapshots.
    public var database: GrowthTrendSummary?
    /// Every growing database, table and partition with the days until its size key's
    /// critical level, soonest first.
    public var daysToCritical: [DaysToCriticalEntry]

    public init(
        snapshots: Int, spanDays: Double, database: GrowthTrendSummary?,
        daysToCritical: [DaysToCriticalEntry]
    ) {
        self.snapshots = snapshots
        self.spanDays = spanDays
        self.database = database
        self.daysToCritical = daysToCritical
    }

    public init(trends: SizeTrends, config: Config) {
        self.init(
            snapshots: trends.snapshots, spanDays: Self.round(trends.spanDays, places: 2),
            database: trends.database.map(GrowthTrendSummary.init(trend:)),
            daysToCritical: trends.criticalForecasts(config: config).map(DaysToCriticalEntry.init))
    }

    private enum CodingKeys: String, CodingKey { case snapshots, spanDays, database, daysToCritical }

    /// `database` is written as null when unknown, never left out.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(snapshots, forKey: .snapshots)
        try container.encode(spanDays, forKey: .spanDays)
        try container.encode(database, forKey: .database)
        try container.encode(daysToCritical, forKey: .daysToCritical)
    }

    static func round(_ value: Double, places: Int) -> Double {
        let scale = pow(10, Double(places))
        return (value * scale).rounded() / scale
    }
}

/// A least-squares trend as the report shows it.
public struct GrowthTrendSummary: Codable, Sendable, Equatable {
    public var bytesPerDay: Double
    public var rSquared: Double
    public var points: Int

    public init(bytesPerDay: Double, rSquared: Double, points: Int) {
        self.bytesPerDay = bytesPerDay
        self.rSquared = rSquared
        self.points = points
    }

    public init(trend: GrowthTrend) {
        self.init(
            bytesPerDay: trend.slopeBytesPerDay.rounded(),
            rSquared: ReportGrowth.round(trend.rSquared, places: 4), points: trend.points)
    }
}

/// One object's forecast: `public.events` reaches `table_size_gb` critical in 41.5 days.
public struct DaysToCriticalEntry: Codable, Sendable, Equatable {
    /// The size key: `database_size_gb`, `table_size_gb` or `partition_size_gb`.
    public var threshold: ThresholdKey
    public var target: String
    /// Days from the latest snapshot, one decimal; 0 when already crossed.
    public var days: Double
    public var criticalBytes: Double
    public var bytesPerDay: Double
    public var rSquared: Double
    public var points: Int

    public init(
        threshold: ThresholdKey, target: String, days: Double, criticalBytes: Double,
        bytesPerDay: Double, rSquared: Double, points: Int
    ) {
        self.threshold = threshold
        self.target = target
        self.days = days
        self.criticalBytes = criticalBytes
        self.bytesPerDay = bytesPerDay
        self.rSquared = rSquared
        self.points = points
    }

    public init(_ forecast: CriticalSizeForecast) {
        let trend = GrowthTrendSummary(trend: forecast.trend)
        self.init(
            threshold: forecast.sizeKey, target: forecast.target,
            days: ReportGrowth.round(forecast.days, places: 1),
            criticalBytes: forecast.criticalBytes.rounded(), bytesPerDay: trend.bytesPerDay,
            rSquared: trend.rSquared, points: trend.points)
    }
}
