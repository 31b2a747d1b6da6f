import DBAdviseModel
import Foundation

/// Names the kind of load that dominates, from the report's metrics.
///
/// In order:
/// 1. `data-heavy`: the database crosses `database_size_gb` warning or the largest table
///    crosses `table_size_gb` warning: the volume of data is the first concern.
/// 2. `idle`: fewer than ``idleWritesPerSecond`` writes/s and ``idleReadsPerSecond`` reads/s
///    (rows, pg_stat_database).
/// 3. Reads and writes measured as work, when pg_stat_statements has it: `read-heavy` when
///    read-only statements take at least ``readHeavyMinReadTimeShare`` of statement time,
///    `write-heavy` when writing statements take at least ``writeHeavyMinWriteTimeShare``,
///    `mixed` in between. Rows are a poor proxy: pgbench's TPC-B spends 72 % of its time
///    writing yet reads 15 rows per row written, most of them seq scans of a 50-row table.
/// 4. Otherwise rows, the fallback (the reason says so): `write-heavy` when writes cross
///    `writes_per_second` warning or there are at most ``writeHeavyMaxReadsPerWrite`` rows
///    read per row written; `read-heavy` at least ``readHeavyMinReadsPerWrite``.
/// 5. `mixed`: in between, or when the rates are unknown (with the reason).
///
/// Over a series of snapshots the trend decides: the database or a table that reaches its
/// size warning within ``dataHorizonDays`` at the fitted growth is already `data-heavy`, and
/// the read and write rates are the fitted values of their trends at the latest snapshot
/// (one snapshot taken in a lull or a burst then moves the line instead of deciding it).
public enum GrowthShapeClassifier {
    /// A quarter: growth that reaches a size warning within it shapes today's plan.
    public static let dataHorizonDays = 90.0

    public static let idleWritesPerSecond = 10.0
    public static let idleReadsPerSecond = 1_000.0
    public static let readHeavyMinReadsPerWrite = 10.0
    public static let writeHeavyMaxReadsPerWrite = 2.0
    public static let readHeavyMinReadTimeShare = 0.7
    public static let writeHeavyMinWriteTimeShare = 0.6

    public static func classify(
        _ measured: ReportMetrics, config: Config, trends: SeriesTrends? = nil
    ) -> (GrowthShape, String) {
        var metrics = measured
        var rateSource = ""
        if let trends {
            if let writes = trends.writesPerSecond, let reads = trends.readsPerSecond {
                metrics.writesPerSecond = max(0, writes.fittedLatestBytes)
                metrics.readsPerSecond = max(0, reads.fittedLatestBytes)
                rateSource = " (trend of \(trends.snapshots) snapshots)"
            }
            if let soonest = trends.sizes.criticalForecasts(config: config, level: .warning).first(where: {
                $0.sizeKey != .partitionSizeGB && $0.days > 0 && $0.days <= dataHorizonDays
            }) {
                return (
                    .dataHeavy,
                    "\(soonest.target) grows \(Formatting.bytes(soonest.trend.slopeBytesPerDay))/day and reaches "
                        + "\(soonest.sizeKey.rawValue) warning (\(Formatting.bytes(soonest.criticalBytes))) in "
                        + "~\(Formatting.days(soonest.days)) (trend of \(trends.snapshots) snapshots)"
                )
            }
        }
        let (shape, reason) = classifyMeasured(metrics, config: config)
        return (shape, shape == .dataHeavy ? reason : reason + rateSource)
    }

    private static func classifyMeasured(_ metrics: ReportMetrics, config: Config) -> (GrowthShape, String) {
        let database = config.levels(.databaseSizeGB)
        let table = config.levels(.tableSizeGB)
        if let bytes = metrics.databaseBytes, database.severity(of: Double(bytes)) != nil {
            return (
                .dataHeavy,
                "database \(Formatting.bytes(bytes)) ≥ \(Formatting.bytes(database.measuredWarning)) "
                    + "database_size_gb warning"
            )
        }
        if let bytes = metrics.largestTableBytes, table.severity(of: Double(bytes)) != nil {
            return (
                .dataHeavy,
                "largest table \(metrics.largestTable ?? "") \(Formatting.bytes(bytes)) ≥ "
                    + "\(Formatting.bytes(table.measuredWarning)) table_size_gb warning"
            )
        }
        guard let writes = metrics.writesPerSecond, let reads = metrics.readsPerSecond else {
            return (.mixed, "read and write rates are unknown; the shape cannot be told")
        }
        let rates = "\(Formatting.rate(writes)) writes/s, \(Formatting.rate(reads)) reads/s"
        if writes < idleWritesPerSecond, reads < idleReadsPerSecond {
            return (
                .idle,
                "\(rates): below \(Formatting.rate(idleWritesPerSecond)) writes/s and "
                    + "\(Formatting.rate(idleReadsPerSecond)) reads/s"
            )
        }
        if let readShare = metrics.readStatementTimeShare {
            let split =
                "\(rates); statement time \(Formatting.percent(readShare)) read-only, "
                + "\(Formatting.percent(1 - readShare)) writing (pg_stat_statements)"
            if readShare >= readHeavyMinReadTimeShare {
                return (.readHeavy, "\(split) (read-only ≥ \(Formatting.percent(readHeavyMinReadTimeShare)))")
            }
            if 1 - readShare >= writeHeavyMinWriteTimeShare {
                return (.writeHeavy, "\(split) (writing ≥ \(Formatting.percent(writeHeavyMinWriteTimeShare)))")
            }
            return (.mixed, split)
        }
        let fallback = "; rows, not statement time: pg_stat_statements has no split"
        if config.levels(.writesPerSecond).severity(of: writes) != nil {
            return (.writeHeavy, "\(rates): writes cross the writes_per_second warning\(fallback)")
        }
        let readsPerWrite = writes > 0 ? reads / writes : Double.infinity
        let ratio = writes > 0 ? "\(Formatting.number(readsPerWrite)) rows read per row written" : "no writes"
        if readsPerWrite <= writeHeavyMaxReadsPerWrite {
            return (
                .writeHeavy,
                "\(rates): \(ratio) (≤ \(Formatting.number(writeHeavyMaxReadsPerWrite)))\(fallback)"
            )
        }
        if readsPerWrite >= readHeavyMinReadsPerWrite {
            return (
                .readHeavy,
                "\(rates): \(ratio) (≥ \(Formatting.number(readHeavyMinReadsPerWrite)))\(fallback)"
            )
        }
        return (.mixed, "\(rates): \(ratio)\(fallback)")
    }
}
