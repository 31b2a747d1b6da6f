import DBAdviseModel
import Foundation

/// What a rule sees: the latest snapshot in full, the series' points (oldest first), the
/// config, and the derived metrics.
public struct RuleContext: Sendable {
    /// Every snapshot's database-wide point, oldest first, the latest's last; never empty.
    public let series: [SnapshotPoint]
    public let config: Config
    public let metrics: ReportMetrics
    public let notes: [MetricNote]
    public let growthShape: GrowthShape
    public let growthShapeReason: String
    public let sizes: RelationSizes
    /// Trends over the series (sizes, rows, rates); nil for a single snapshot.
    public let trends: SeriesTrends?
    /// Size trends over the series; nil for a single snapshot.
    public var sizeTrends: SizeTrends? { trends?.sizes }

    /// The latest snapshot.
    public let snapshot: Snapshot
    /// The latest snapshot's tables by `schema.name` (the first of a name wins): lookups in
    /// rules stay constant-time on catalogs of tens of thousands of tables.
    public let tablesByName: [String: TableStats]

    /// The hardware judged against, each figure with its source.
    public let resolvedHardware: ResolvedHardware
    /// What the rates were measured over, and whether they count as demand.
    public let window: MeasurementWindow
    /// Demand against capacity per resource.
    public let capacity: CapacityModel

    /// `scenario`: a what-if load, stated rather than measured: it is taken as sustained
    /// (the question is what the plan would be if it were).
    public init(latest: Snapshot, earlier: [Snapshot] = [], config: Config, scenario: Bool = false) {
        self.init(
            latest: latest, history: SeriesHistory(snapshots: earlier + [latest]), config: config, scenario: scenario)
    }

    /// `history` ends with `latest`'s point (``SeriesHistory``).
    public init(latest: Snapshot, history: SeriesHistory, config: Config, scenario: Bool = false) {
        snapshot = latest
        tablesByName = Dictionary(
            (latest.tables ?? []).map { ($0.qualifiedName, $0) }, uniquingKeysWith: { first, _ in first })
        series = history.points
        self.config = config
        resolvedHardware = ResolvedHardware(configured: config.hardware, host: latest.host)
        var window = MeasurementWindow(
            series: history.points, policy: config.measurement, latestBulkLoads: MeasurementWindow.bulkLoads(of: latest)
        )
        if scenario { window.sustained = window.settled }
        self.window = window
        capacity = CapacityModel(
            snapshot: latest, hardware: resolvedHardware.hardware, window: window,
            target: config.levels(.activeSessionsPerVCPU).warning)
        let (metrics, notes) = ReportMetrics.derive(from: latest, hardware: resolvedHardware.hardware)
        self.metrics = metrics
        self.notes = notes
        let trends = SeriesTrends(history: history, latest: latest)
        self.trends = trends
        (growthShape, growthShapeReason) = GrowthShapeClassifier.classify(
            metrics, config: config, trends: trends)
        sizes = RelationSizes(snapshot: latest)
    }

    /// The resolved hardware: configured, from the instance class, inferred, or the assumed
    /// ceiling (see ``resolvedHardware`` for which).
    public var hardware: Hardware { resolvedHardware.hardware }

    /// A measured rate that may drive a rule: the value when the window is settled, else nil.
    public func settled(_ rate: Double?) -> Double? { window.settled ? rate : nil }

    public func levels(_ key: ThresholdKey) -> ThresholdLevels { config.levels(key) }

    /// The database name: the target of database-wide findings.
    public var databaseName: String {
        snapshot.database?.name ?? snapshot.connection.database ?? "database"
    }

    /// Why a metric is null, when it is.
    public func note(for metric: MetricKey) -> String? {
        notes.first { $0.metric == metric }?.reason
    }

    public func table(_ qualifiedName: String) -> TableStats? {
        tablesByName[qualifiedName]
    }

    /// The top statements by time and by calls, each once, by total time (largest first).
    public var statements: [Statement] {
        var seen = Set<String>()
        let all = (snapshot.statements.topByTotalTime ?? []) + (snapshot.statements.topByCalls ?? [])
        return all.filter { seen.insert($0.queryid).inserted }
            .sorted { $0.totalExecTimeMs > $1.totalExecTimeMs }
    }

    /// Total execution time of all tracked statements over the interval, when known.
    public var totalStatementTimeMs: Double? {
        guard snapshot.statements.available else { return nil }
        if let total = snapshot.statements.totalExecTimeMs { return total }
        let listed = statements.reduce(0) { $0 + $1.totalExecTimeMs }
        return listed > 0 ? listed : nil
    }

    /// Why statements cannot be used, or nil when they can.
    public var statementsUnavailableReason: String? {
        if !snapshot.statements.available {
            return "pg_stat_statements unavailable: \(snapshot.statements.reason ?? "no reason recorded")"
        }
        if statements.isEmpty { return "pg_stat_statements recorded no statements" }
        if statements.allSatisfy({ $0.query == nil && $0.shape == nil && $0.parseError == nil }) {
            return "statement texts are redacted and the snapshot holds no parsed shapes: it predates them"
        }
        return nil
    }

    /// Seconds the rates are over (the interval), when known.
    public var intervalSeconds: Double? {
        guard let seconds = snapshot.interval.rateSeconds, seconds > 0 else { return nil }
        return seconds
    }

    /// Time-ordered candidates of a table: timestamp, date or serial-like columns whose
    /// physical order follows the value (|correlation| ≥ `minimumCorrelation`).
    public func timeOrderedColumns(of qualifiedName: String, minimumCorrelation: Double)
        -> [ColumnStats]
    {
        (snapshot.columnStats ?? []).filter { column in
            column.qualifiedTable == qualifiedName
                && column.isTimeLike
                && abs(column.correlation ?? 0) >= minimumCorrelation
        }
        .sorted { abs($0.correlation ?? 0) > abs($1.correlation ?? 0) }
    }
}
