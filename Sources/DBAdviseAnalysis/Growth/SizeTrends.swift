import DBAdviseModel
import Foundation

/// The growth trends of a snapshot series: the database, every unpartitioned table and every
/// leaf partition of the latest snapshot, each matched by `schema.name` across the series.
/// The objects ``ThresholdKey/sizeKeys`` judge, and nothing else.
public struct SizeTrends: Sendable, Equatable {
    /// Nil when the database size is known in fewer than two snapshots.
    public let database: GrowthTrend?
    public let databaseName: String
    /// Unpartitioned tables (judged by `table_size_gb`), by `schema.name`.
    public let tables: [String: GrowthTrend]
    /// Leaf partitions (judged by `partition_size_gb`), by `schema.name`.
    public let partitions: [String: GrowthTrend]
    /// How many snapshots the series holds.
    public let snapshots: Int
    /// Days from the earliest to the latest snapshot.
    public let spanDays: Double

    /// Nil for fewer than two snapshots or when they all finished at the same time.
    /// Snapshots are ordered by `interval.finished_at`; tables that are gone from the latest
    /// snapshot are not followed.
    public init?(snapshots: [Snapshot]) {
        guard let latest = snapshots.max(by: { $0.interval.finishedAt < $1.interval.finishedAt }) else { return nil }
        self.init(history: SeriesHistory(snapshots: snapshots), latest: latest)
    }

    /// The size trends of a history whose latest point is `latest`'s.
    public init?(history: SeriesHistory, latest: Snapshot) {
        let ordered = history.points
        guard ordered.count >= 2, let first = ordered.first, let last = ordered.last else { return nil }
        let span = last.finishedAt.timeIntervalSince(first.finishedAt)
        guard span > 0 else { return nil }
        self.snapshots = ordered.count
        spanDays = span / GrowthTrend.secondsPerDay
        databaseName = latest.database?.name ?? latest.connection.database ?? "database"
        database = GrowthTrend(
            samples: ordered.compactMap { point in
                point.sizeBytes.map { SizeSample(at: point.finishedAt, bytes: Double($0)) }
            })
        let latestSizes = RelationSizes(snapshot: latest)
        func trends(_ relations: [SizedRelation], _ kind: RelationTrendKey.Kind) -> [String: GrowthTrend] {
            var trends: [String: GrowthTrend] = [:]
            for relation in relations {
                if let trend = history.relations[RelationTrendKey(kind, relation.name)]?.trend {
                    trends[relation.name] = trend
                }
            }
            return trends
        }
        tables = trends(latestSizes.unpartitionedTables, .tableBytes)
        partitions = trends(latestSizes.partitions, .partitionBytes)
    }

    /// Every growing object's days until its size key's critical (or `level`) level, soonest
    /// first; only trends over a series long enough to forecast from (``Forecasts/seriesTooShort(_:policy:)``).
    public func criticalForecasts(config: Config, level: Severity = .critical) -> [CriticalSizeForecast] {
        var forecasts: [CriticalSizeForecast] = []
        for key in ThresholdKey.sizeKeys {
            let objects: [(String, GrowthTrend)] =
                switch key {
                case .databaseSizeGB: database.map { [(databaseName, $0)] } ?? []
                case .tableSizeGB: tables.map { ($0.key, $0.value) }
                default: partitions.map { ($0.key, $0.value) }
                }
            let levels = config.levels(key)
            let critical = level == .critical ? levels.measuredCritical : levels.measuredWarning
            for (name, trend) in objects where Forecasts.seriesTooShort(trend, policy: config.measurement) == nil {
                guard let days = trend.daysUntil(bytes: critical) else { continue }
                forecasts.append(
                    CriticalSizeForecast(
                        sizeKey: key, target: name, days: days, criticalBytes: critical,
                        trend: trend))
            }
        }
        return forecasts.sorted {
            ($0.days, $0.sizeKey.rawValue, $0.target) < ($1.days, $1.sizeKey.rawValue, $1.target)
        }
    }
}

/// When a growing object will cross its size key's critical level.
public struct CriticalSizeForecast: Sendable, Equatable {
    /// `database_size_gb`, `table_size_gb` or `partition_size_gb`.
    public let sizeKey: ThresholdKey
    /// The database name, or `schema.name` of the table or partition.
    public let target: String
    /// Days from the latest snapshot; 0 when already crossed.
    public let days: Double
    public let criticalBytes: Double
    public let trend: GrowthTrend

    /// `public.events (table_size_gb)`: the target of a `days_to_critical` breach.
    public var breachTarget: String { "\(target) (\(sizeKey.rawValue))" }
}
