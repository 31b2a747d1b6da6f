import Foundation

/// Names the kind of load that dominates, from the report's metrics.
///
/// In order:
/// 1. `data-heavy`: the database crosses `database_size_gb` warning or the largest table
///    crosses `table_size_gb` warning: the volume of data is the first concern.
/// 2. `idle`: fewer than ``idleWritesPerSecond`` writes/s and ``idleReadsPerSecond`` reads/s
///    (rows, pg_stat_database).
/// 3. `write-heavy`: writes cross `writes_per_second` warning, or there are at most
///    ``writeHeavyMaxReadsPerWrite`` rows read per row written.
/// 4. `read-heavy`: at least ``readHeavyMinReadsPerWrite`` rows read per row written.
/// 5. `mixed`: in between, or when the rates are unknown (with the reason).
public enum GrowthShapeClassifier {
    public static let idleWritesPerSecond = 10.0
    public static let idleReadsPerSecond = 1_000.0
    public static let readHeavyMinReadsPerWrite = 10.0
    public static let writeHeavyMaxReadsPerWrite = 2.0

    public static func classify(_ metrics: ReportMetrics, config: Config) -> (GrowthShape, String) {
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
        if config.levels(.writesPerSecond).severity(of: writes) != nil {
            return (.writeHeavy, "\(rates): writes cross the writes_per_second warning")
        }
        let readsPerWrite = writes > 0 ? reads / writes : Double.infinity
        let ratio = writes > 0 ? "\(Formatting.number(readsPerWrite)) rows read per row written" : "no writes"
        if readsPerWrite <= writeHeavyMaxReadsPerWrite {
            return (
                .writeHeavy,
                "\(rates): \(ratio) (≤ \(Formatting.number(writeHeavyMaxReadsPerWrite)))"
            )
        }
        if readsPerWrite >= readHeavyMinReadsPerWrite {
            return (
                .readHeavy,
                "\(rates): \(ratio) (≥ \(Formatting.number(readHeavyMinReadsPerWrite)))"
            )
        }
        return (.mixed, "\(rates): \(ratio)")
    }
}
