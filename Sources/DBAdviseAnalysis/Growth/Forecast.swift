import DBAdviseModel
import Foundation

/// When a configured threshold will be crossed at the measured trend:
/// "public.events reaches table_size_gb warning (100 GB) in ~47 days, ±6".
///
/// - `days` counts from the latest snapshot, at the fitted slope.
/// - `days_margin` is half the spread of the days when the slope is one standard error faster
///   or slower; null with two points (no residual to judge the line by) or when the slower
///   slope never gets there.
/// - `confidence`: `high` with at least 5 points, R² ≥ 0.9 and a margin within a quarter of
///   the days; `medium` with at least 3 points and R² ≥ 0.6; otherwise `low`.
///
/// Only levels not crossed yet and approached by the trend are forecast, within
/// ``Forecasts/horizonDays``; tables and partitions keep their ``Forecasts/perKeyLimit``
/// soonest. A forecast needs a series as long as "sustained" load does
/// (`measurement.sustained_snapshots` points spanning `measurement.sustained_hours`, by
/// default 3 over 24 hours): a line through minutes of data extrapolated to months says
/// nothing. Bounded metrics (ratios in 0…1: `cache_hit_ratio`, `connections_used_ratio`,
/// `dead_tuple_ratio`) are never forecast: a straight line would carry them past their bound.
public struct Forecast: Codable, Sendable, Equatable {
    public enum Confidence: String, Codable, Sendable { case high, medium, low }

    /// `database_bytes`, `table_bytes`, `partition_bytes`, `writes_per_second`, or the metric
    /// of the report named like the key (`connections_used_ratio` …).
    public var metric: MetricKey
    public var target: String
    public var threshold: ThresholdKey
    public var level: Severity
    /// The level in the measured unit (bytes for sizes).
    public var thresholdValue: Double
    public var unit: EvidenceUnit
    /// The latest measured value.
    public var current: Double
    /// The fitted change per day, in `unit`.
    public var changePerDay: Double
    public var days: Double
    public var daysMargin: Double?
    public var confidence: Confidence
    public var rSquared: Double
    public var points: Int
    /// Days from the first to the latest point of the fitted series.
    public var spanDays: Double

    private enum CodingKeys: String, CodingKey {
        case metric
        case target
        case threshold
        case level
        case thresholdValue = "threshold_value"
        case unit
        case current
        case changePerDay = "change_per_day"
        case days
        case daysMargin = "days_margin"
        case confidence
        case rSquared = "r_squared"
        case points
        case spanDays = "span_days"
    }

    /// `days_margin` is written as null when unknown.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(metric, forKey: .metric)
        try container.encode(target, forKey: .target)
        try container.encode(threshold, forKey: .threshold)
        try container.encode(level, forKey: .level)
        try container.encode(thresholdValue, forKey: .thresholdValue)
        try container.encode(unit, forKey: .unit)
        try container.encode(current, forKey: .current)
        try container.encode(changePerDay, forKey: .changePerDay)
        try container.encode(days, forKey: .days)
        try container.encode(daysMargin, forKey: .daysMargin)
        try container.encode(confidence, forKey: .confidence)
        try container.encode(rSquared, forKey: .rSquared)
        try container.encode(points, forKey: .points)
        try container.encode(spanDays, forKey: .spanDays)
    }

    public init?(
        metric: MetricKey, target: String, threshold: ThresholdKey, level: Severity, trend: GrowthTrend,
        thresholdValue: Double, unit: EvidenceUnit
    ) {
        let direction = threshold.direction
        guard let days = trend.daysUntil(level: thresholdValue, direction: direction), days > 0 else { return nil }
        self.metric = metric
        self.target = target
        self.threshold = threshold
        self.level = level
        self.thresholdValue = thresholdValue
        self.unit = unit
        current = trend.latestBytes
        changePerDay = trend.slopeBytesPerDay
        // Two decimals for days; finer below a day, so short test series keep their forecast.
        let places = days < 1 ? 6 : 2
        guard ReportGrowth.round(days, places: places) > 0 else { return nil }
        self.days = ReportGrowth.round(days, places: places)
        let margin = trend.daysRange(level: thresholdValue, direction: direction).flatMap { range in
            range.latest.map { ($0 - range.soonest) / 2 }
        }
        daysMargin = margin.map { ReportGrowth.round($0, places: places) }
        rSquared = ReportGrowth.round(trend.rSquared, places: 4)
        points = trend.points
        spanDays = ReportGrowth.round(trend.spanDays, places: 2)
        confidence =
            if trend.points >= 5, trend.rSquared >= 0.9, let margin, margin <= days / 4 {
                .high
            } else if trend.points >= 3, trend.rSquared >= 0.6 {
                .medium
            } else {
                .low
            }
    }

    /// `public.events reaches table_size_gb warning (100 GB) in ~47 days, ±6 days (high
    /// confidence, R² 0.98 over 12 points in 11 days)`.
    public var sentence: String {
        let levelText = Formatting.measured(thresholdValue, unit: unit)
        let margin = daysMargin.map { ", ±\(Formatting.days($0))" } ?? ""
        return "\(target) reaches \(threshold.rawValue) \(level.rawValue) (\(levelText)) in ~"
            + "\(Formatting.days(days))\(margin) (\(confidence.rawValue) confidence, "
            + "R² \(Formatting.number(rSquared)) over \(points) points in \(Formatting.days(spanDays)))"
    }
}

/// Builds the report's `forecasts` from a series' trends and the config.
public enum Forecasts {
    /// Forecasts further out than ten years say nothing a team can plan with.
    public static let horizonDays = 3_650.0
    /// Tables and partitions: the soonest few per key and level.
    public static let perKeyLimit = 10

    /// Why a trend is too short to forecast from, or nil when it is long enough: the points
    /// and span "sustained" needs (`measurement.sustained_snapshots`, `sustained_hours`).
    public static func seriesTooShort(_ trend: GrowthTrend, policy: MeasurementPolicy) -> String? {
        seriesTooShort(points: trend.points, spanDays: trend.spanDays, policy: policy)
    }

    public static func seriesTooShort(points: Int, spanDays: Double, policy: MeasurementPolicy) -> String? {
        guard points < policy.sustainedSnapshots || spanDays * 24 < policy.sustainedHours else { return nil }
        return
            "a trend needs \(policy.sustainedSnapshots) snapshots over \(Formatting.number(policy.sustainedHours)) h "
            + "(measurement.sustained_snapshots, sustained_hours); the series has \(points) over "
            + Formatting.days(spanDays)
    }

    public static func build(
        trends: SeriesTrends, series: [SnapshotPoint], config: Config
    ) -> [Forecast] {
        var forecasts: [Forecast] = []
        func add(
            _ key: ThresholdKey, metric: MetricKey, targets: [(String, GrowthTrend)], limit: Int = .max
        ) {
            guard !key.isBounded else { return }
            let targets = targets.filter { seriesTooShort($0.1, policy: config.measurement) == nil }
            let levels = config.levels(key)
            for level in [Severity.warning, .critical] {
                let value = level == .critical ? levels.measuredCritical : levels.measuredWarning
                let found = targets.compactMap { target, trend in
                    Forecast(
                        metric: metric, target: target, threshold: key, level: level, trend: trend,
                        thresholdValue: value, unit: key.unit.measuredUnit)
                }
                .filter { $0.days <= horizonDays }
                .sorted { ($0.days, $0.target) < ($1.days, $1.target) }
                forecasts += found.prefix(limit)
            }
        }
        let sizes = trends.sizes
        add(.databaseSizeGB, metric: .databaseBytes, targets: sizes.database.map { [(sizes.databaseName, $0)] } ?? [])
        add(
            .tableSizeGB, metric: .tableBytes,
            targets: sizes.tables.sorted { $0.key < $1.key }.map { ($0.key, $0.value) },
            limit: perKeyLimit)
        add(
            .partitionSizeGB, metric: .partitionBytes,
            targets: sizes.partitions.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, limit: perKeyLimit)
        add(
            .writesPerSecond, metric: .writesPerSecond,
            targets: trends.writesPerSecond.map { [(sizes.databaseName, $0)] } ?? [])

        // The load and lag the report derives per snapshot (ratios are bounded: never a line).
        let vcpus = config.hardware.vcpus.map(Double.init)
        let perSnapshot: [(ThresholdKey, (SnapshotPoint) -> Double?)] = [
            (
                .activeSessionsPerVCPU,
                { point in point.avgActiveSessions.flatMap { sessions in vcpus.map { sessions / $0 } } }
            ),
            (.replicationLagSeconds, \.replicationLagSeconds),
        ]
        for (key, value) in perSnapshot {
            let samples = series.compactMap { point in value(point).map { SizeSample(at: point.finishedAt, bytes: $0) }
            }
            if let trend = GrowthTrend(samples: samples) {
                add(key, metric: MetricKey(threshold: key), targets: [(sizes.databaseName, trend)])
            }
        }
        return forecasts.sorted {
            ($0.days, $0.level == .critical ? 1 : 0, $0.threshold.rawValue, $0.target)
                < ($1.days, $1.level == .critical ? 1 : 0, $1.threshold.rawValue, $1.target)
        }
    }
}
