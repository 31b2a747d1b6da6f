import DBAdviseModel
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
    /// Live rows of the database (sum over its tables): rows/day.
    public var databaseRows: TrendSummary?
    /// The database's rows written and read per second: change per day of the rate.
    public var writesPerSecond: TrendSummary?
    public var readsPerSecond: TrendSummary?
    /// The fastest-growing tables and partitions (bytes/day), at most ``tableLimit``.
    public var tables: [TableGrowth]
    /// Statistics resets and restarts seen between snapshots (not read as negative growth).
    public var resets: [StatisticsReset]
    /// Why the series is too short for trends to mean anything (and so for forecasts), nil
    /// when it is long enough. For the text renderers; not part of the JSON.
    public var tooShortReason: String? = nil

    /// Tables listed in `growth.tables`: the fastest growers.
    public static let tableLimit = 20

    public init(
        snapshots: Int, spanDays: Double, database: GrowthTrendSummary?,
        daysToCritical: [DaysToCriticalEntry], databaseRows: TrendSummary? = nil,
        writesPerSecond: TrendSummary? = nil, readsPerSecond: TrendSummary? = nil,
        tables: [TableGrowth] = [], resets: [StatisticsReset] = []
    ) {
        self.snapshots = snapshots
        self.spanDays = spanDays
        self.database = database
        self.daysToCritical = daysToCritical
        self.databaseRows = databaseRows
        self.writesPerSecond = writesPerSecond
        self.readsPerSecond = readsPerSecond
        self.tables = tables
        self.resets = resets
    }

    public init(trends: SeriesTrends, config: Config) {
        let sizes = trends.sizes
        let tables = (sizes.tables.merging(sizes.partitions) { first, _ in first })
            .sorted { ($0.value.slopeBytesPerDay, $1.key) > ($1.value.slopeBytesPerDay, $0.key) }
            .prefix(Self.tableLimit)
            .map { name, trend in
                TableGrowth(
                    target: name, bytes: GrowthTrendSummary(trend: trend),
                    rows: trends.tableRows[name].map(TrendSummary.init),
                    writesPerSecond: trends.tableWritesPerSecond[name].map(TrendSummary.init))
            }
        self.init(
            snapshots: trends.snapshots, spanDays: Self.round(trends.spanDays, places: 6),
            database: sizes.database.map(GrowthTrendSummary.init(trend:)),
            daysToCritical: sizes.criticalForecasts(config: config).map(DaysToCriticalEntry.init),
            databaseRows: trends.databaseRows.map(TrendSummary.init),
            writesPerSecond: trends.writesPerSecond.map(TrendSummary.init),
            readsPerSecond: trends.readsPerSecond.map(TrendSummary.init), tables: Array(tables),
            resets: trends.resets)
        tooShortReason = Forecasts.seriesTooShort(
            points: trends.snapshots, spanDays: trends.spanDays, policy: config.measurement)
    }

    private enum CodingKeys: String, CodingKey {
        case snapshots
        case spanDays = "span_days"
        case database
        case daysToCritical = "days_to_critical"
        case databaseRows = "database_rows"
        case writesPerSecond = "writes_per_second"
        case readsPerSecond = "reads_per_second"
        case tables
        case resets
    }

    /// `database` is written as null when unknown, never left out.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(snapshots, forKey: .snapshots)
        try container.encode(spanDays, forKey: .spanDays)
        try container.encode(database, forKey: .database)
        try container.encode(daysToCritical, forKey: .daysToCritical)
        try container.encode(databaseRows, forKey: .databaseRows)
        try container.encode(writesPerSecond, forKey: .writesPerSecond)
        try container.encode(readsPerSecond, forKey: .readsPerSecond)
        try container.encode(tables, forKey: .tables)
        try container.encode(resets, forKey: .resets)
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

    private enum CodingKeys: String, CodingKey {
        case bytesPerDay = "bytes_per_day"
        case rSquared = "r_squared"
        case points
    }

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

    private enum CodingKeys: String, CodingKey {
        case threshold
        case target
        case days
        case criticalBytes = "critical_bytes"
        case bytesPerDay = "bytes_per_day"
        case rSquared = "r_squared"
        case points
    }

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

/// Any least-squares trend as the report shows it: the latest measured value, the fitted
/// change per day (rows/day for rows; (rows/s)/day for rates) and the fit's quality.
public struct TrendSummary: Codable, Sendable, Equatable {
    public var latest: Double
    public var perDay: Double
    public var rSquared: Double
    public var points: Int

    private enum CodingKeys: String, CodingKey {
        case latest
        case perDay = "per_day"
        case rSquared = "r_squared"
        case points
    }

    public init(latest: Double, perDay: Double, rSquared: Double, points: Int) {
        self.latest = latest
        self.perDay = perDay
        self.rSquared = rSquared
        self.points = points
    }

    public init(_ trend: GrowthTrend) {
        self.init(
            latest: ReportGrowth.round(trend.latestBytes, places: 2),
            perDay: ReportGrowth.round(trend.slopeBytesPerDay, places: 2),
            rSquared: ReportGrowth.round(trend.rSquared, places: 4), points: trend.points)
    }
}

/// One table's or partition's growth: bytes/day, rows/day, and its write rate's trend.
public struct TableGrowth: Codable, Sendable, Equatable {
    public var target: String
    public var bytes: GrowthTrendSummary
    public var rows: TrendSummary?
    public var writesPerSecond: TrendSummary?

    public init(target: String, bytes: GrowthTrendSummary, rows: TrendSummary?, writesPerSecond: TrendSummary?) {
        self.target = target
        self.bytes = bytes
        self.rows = rows
        self.writesPerSecond = writesPerSecond
    }

    private enum CodingKeys: String, CodingKey {
        case target
        case bytes
        case rows
        case writesPerSecond = "writes_per_second"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(target, forKey: .target)
        try container.encode(bytes, forKey: .bytes)
        try container.encode(rows, forKey: .rows)
        try container.encode(writesPerSecond, forKey: .writesPerSecond)
    }
}
