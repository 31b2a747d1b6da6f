import DBAdviseModel
import Foundation

/// The snapshot a what-if scenario imagines: today's measurements with the data, writes and
/// reads multiplied, so the same rules can say what would be needed then.
///
/// What is scaled, and by what:
/// - `data`: database, table, index, TOAST and partition sizes; row counts (live, dead,
///   `reltuples`); the retained WAL of slots is left as measured.
/// - `writes`: rows inserted/updated/deleted per second (database and tables), WAL bytes per
///   second, temp bytes per second, checkpoints requested; write statements' calls and time.
/// - `reads`: rows read per second, shared blocks hit and read per second; read statements'
///   calls and time.
/// - transactions per second and the active sessions follow the larger of reads and writes
///   (``WhatIfScenario/load``): a conservative guess at CPU.
/// - Kept as measured, since more load does not say how they change: connections (a pooler
///   decides), the cache hit ratio, replication lag, column statistics (their shape, not their
///   scale, is what the rules read).
public enum SnapshotScaler {
    /// `isWrite` tells write statements from reads (nil: unknown, scaled by the load factor).
    public static func scaled(
        _ snapshot: Snapshot, by scenario: WhatIfScenario,
        isWrite: (Statement) -> Bool? = { _ in nil }
    ) -> Snapshot {
        var scaled = snapshot
        let data = scenario.data
        let writes = scenario.writes
        let reads = scenario.reads
        let load = scenario.load

        scaled.database?.sizeBytes = scale(snapshot.database?.sizeBytes, data)
        scaled.rates.writesPerSecond = snapshot.rates.writesPerSecond.map { $0 * writes }
        scaled.rates.readsPerSecond = snapshot.rates.readsPerSecond.map { $0 * reads }
        scaled.rates.blksHitPerSecond = snapshot.rates.blksHitPerSecond.map { $0 * reads }
        scaled.rates.blksReadPerSecond = snapshot.rates.blksReadPerSecond.map { $0 * reads }
        scaled.rates.walBytesPerSecond = snapshot.rates.walBytesPerSecond.map { $0 * writes }
        scaled.rates.tempBytesPerSecond = snapshot.rates.tempBytesPerSecond.map { $0 * writes }
        scaled.rates.transactionsPerSecond = snapshot.rates.transactionsPerSecond.map { $0 * load }

        scaled.tables = snapshot.tables?.map { table in
            var table = table
            table.totalBytes = scale(table.totalBytes, data)
            table.heapBytes = scale(table.heapBytes, data)
            table.indexBytes = scale(table.indexBytes, data)
            table.toastBytes = scale(table.toastBytes, data)
            table.reltuples = table.reltuples.map { $0 >= 0 ? $0 * data : $0 }
            table.nLiveTup = scale(table.nLiveTup, data)
            table.nDeadTup = scale(table.nDeadTup, data)
            table.writesPerSecond = table.writesPerSecond.map { $0 * writes }
            table.readsPerSecond = table.readsPerSecond.map { $0 * reads }
            return table
        }
        scaled.indexes = snapshot.indexes?.map { index in
            var index = index
            index.bytes = scale(index.bytes, data)
            return index
        }
        scaled.partitionedTables = snapshot.partitionedTables?.map { tree in
            var tree = tree
            tree.partitions = tree.partitions.map { partition in
                var partition = partition
                partition.totalBytes = scale(partition.totalBytes, data)
                partition.rows = scale(partition.rows, data)
                return partition
            }
            return tree
        }
        if var activity = snapshot.activity {
            activity.avgActiveSessions *= load
            activity.peakActiveSessions = scale(activity.peakActiveSessions, load, rounding: .up)
            scaled.activity = activity
        }
        func scaleStatement(_ statement: Statement) -> Statement {
            let factor =
                switch isWrite(statement) {
                case true?: writes
                case false?: reads
                case nil: load
                }
            var statement = statement
            statement.calls = scale(statement.calls, factor)
            statement.totalExecTimeMs *= factor
            statement.rows = scale(statement.rows, factor)
            statement.sharedBlksHit = scale(statement.sharedBlksHit, factor)
            statement.sharedBlksRead = scale(statement.sharedBlksRead, factor)
            return statement
        }
        let topByTime = snapshot.statements.topByTotalTime?.map(scaleStatement)
        let topByCalls = snapshot.statements.topByCalls?.map(scaleStatement)
        if let total = snapshot.statements.totalExecTimeMs {
            let listed = (snapshot.statements.topByTotalTime ?? []).reduce(0) { $0 + $1.totalExecTimeMs }
            let scaledListed = (topByTime ?? []).reduce(0) { $0 + $1.totalExecTimeMs }
            // Statements beyond the top lists grow with the load.
            scaled.statements.totalExecTimeMs = scaledListed + max(0, total - listed) * load
        }
        scaled.statements.topByTotalTime = topByTime
        scaled.statements.topByCalls = topByCalls
        return scaled
    }

    private static func scale(_ value: Int?, _ factor: Double) -> Int? {
        value.map { scale($0, factor) }
    }

    /// Saturates at ``NumberRange/largestCount``, the largest count or size a snapshot may
    /// hold, so sums of scaled values stay far from Int's limit.
    private static func scale(
        _ value: Int, _ factor: Double, rounding: FloatingPointRoundingRule = .toNearestOrAwayFromZero
    ) -> Int {
        Int(saturating: min(NumberRange.largestCount, (Double(value) * factor).rounded(rounding)))
    }
}
