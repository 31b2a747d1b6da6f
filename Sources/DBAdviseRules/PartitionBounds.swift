import DBAdviseCore
import Foundation

/// The time range of one range partition, read from its bound
/// (`pg_get_expr(relpartbound)`: `FOR VALUES FROM ('2026-01-01 00:00:00+00') TO ('2026-02-01 00:00:00+00')`).
///
/// The collector reads bounds with `DateStyle = ISO` and `TimeZone = UTC`, so a timestamp
/// bound is an ISO literal in UTC. Only single-column time keys are read: `MINVALUE` and
/// `MAXVALUE` are open ends (nil); anything else (integers, several key columns, another
/// DateStyle in an older snapshot) is not a time range and gives nil.
public struct PartitionTimeRange: Sendable, Equatable {
    /// nil for `MINVALUE` (or `-infinity`).
    public var lower: Date?
    /// nil for `MAXVALUE` (or `infinity`).
    public var upper: Date?

    public init(lower: Date?, upper: Date?) {
        self.lower = lower
        self.upper = upper
    }

    /// Parses a bound; nil when it is not a single-column time range.
    public init?(bound: String?) {
        guard let bound,
            let match = bound.wholeMatch(of: /FOR VALUES FROM \((.+)\) TO \((.+)\)/)
        else { return nil }
        guard let lower = Self.value(String(match.1)), let upper = Self.value(String(match.2)) else { return nil }
        self.lower = lower.date
        self.upper = upper.date
        // Two open ends say nothing about time.
        if self.lower == nil && self.upper == nil { return nil }
    }

    private enum Value {
        case open
        case at(Date)

        var date: Date? {
            if case let .at(date) = self { return date }
            return nil
        }
    }

    /// One bound value: an open end, or a quoted ISO date or timestamp.
    private static func value(_ text: String) -> Value? {
        switch text {
        case "MINVALUE", "MAXVALUE", "'-infinity'", "'infinity'": return .open
        default: break
        }
        guard let literal = text.wholeMatch(of: /'([^']*)'/) else { return nil }
        return parse(String(literal.1)).map(Value.at)
    }

    /// `2026-01-01`, `2026-01-01 00:00:00`, `2026-01-01 00:00:00.5+00`, `… +05:30`.
    static func parse(_ text: String) -> Date? {
        let pattern = /(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?)?(?:([+-])(\d{2})(?::?(\d{2}))?)?/
        guard let match = text.wholeMatch(of: pattern),
            let year = Int(match.1), let month = Int(match.2), let day = Int(match.3)
        else { return nil }
        var parts = DateComponents(year: year, month: month, day: day)
        parts.hour = match.4.flatMap { Int($0) } ?? 0
        parts.minute = match.5.flatMap { Int($0) } ?? 0
        parts.second = match.6.flatMap { Int($0) } ?? 0
        guard let date = TimeBounds.calendar.date(from: parts) else { return nil }
        let fraction = match.7.flatMap { Double("0.\($0)") } ?? 0
        var offset = 0.0
        if let sign = match.8, let hours = match.9.flatMap({ Double($0) }) {
            let minutes = match.10.flatMap { Double($0) } ?? 0
            offset = (sign == "-" ? -1 : 1) * (hours * 3_600 + minutes * 60)
        }
        return date.addingTimeInterval(fraction - offset)
    }
}

/// A direct partition of a range-partitioned table with its time range and the counters of
/// its leaves (summed when it is itself partitioned).
struct TimedPartition {
    var partition: Partition
    var range: PartitionTimeRange
    var counters: PartitionCounters

    var name: String { "\(partition.schema).\(partition.name)" }
}

/// pg_stat_user_tables counters of a partition; nil when unknown.
struct PartitionCounters {
    var inserted: Int?
    var updated: Int?
    var deleted: Int?
    var writesPerSecond: Double?
    var scans: Int?
    var liveRows: Int?
    var bytes: Int?

    /// Rows inserted, updated or deleted since the statistics reset; nil when unknown.
    var writes: Int? {
        guard let inserted, let updated, let deleted else { return nil }
        return inserted + updated + deleted
    }

    /// No writes since the statistics reset and none over the interval.
    var isIdle: Bool { writes == 0 && (writesPerSecond ?? 0) == 0 }

    static func sum(_ all: [TableStats]) -> PartitionCounters {
        func total(_ values: [Int?]) -> Int? {
            values.contains { $0 == nil } ? nil : values.compactMap { $0 }.reduce(0, +)
        }
        return PartitionCounters(
            inserted: total(all.map(\.nTupIns)), updated: total(all.map(\.nTupUpd)),
            deleted: total(all.map(\.nTupDel)),
            writesPerSecond: all.contains { $0.writesPerSecond == nil }
                ? nil : all.compactMap(\.writesPerSecond).reduce(0, +),
            scans: total(all.map { table in zip2(table.seqScan, table.idxScan).map { $0 + $1 } ?? table.seqScan }),
            liveRows: total(all.map(\.nLiveTup)), bytes: total(all.map(\.totalBytes)))
    }
}

extension RuleContext {
    /// The key column's type when column_stats has it.
    func keyType(of tree: PartitionTree) -> String? {
        guard tree.keyColumns.count == 1, let key = tree.keyColumns.first else { return nil }
        return (snapshot.columnStats ?? []).first {
            $0.schema == tree.schema && $0.table == tree.name && $0.column == key
        }?.dataType
    }

    /// The direct partitions of a range partitioned table on one time column, oldest first;
    /// nil when the table is not partitioned by time (or its bounds are unknown).
    func timedPartitions(of tree: PartitionTree) -> [TimedPartition]? {
        guard tree.strategy == .range, tree.keyColumns.count == 1 else { return nil }
        if let type = keyType(of: tree)?.lowercased(), !(type.contains("timestamp") || type == "date") {
            return nil
        }
        let tables = snapshot.tables ?? []
        let byName = Dictionary(tables.map { ($0.qualifiedName, $0) }, uniquingKeysWith: { first, _ in first })
        let trees = snapshot.partitionedTables ?? []
        let timed = tree.partitions.filter { !$0.isDefault }.compactMap { partition -> TimedPartition? in
            guard let range = PartitionTimeRange(bound: partition.bound) else { return nil }
            let leaves: [Partition]
            if partition.isPartitioned,
                let child = trees.first(where: { $0.schema == partition.schema && $0.name == partition.name })
            {
                leaves = self.leaves(of: child)
            } else {
                leaves = [partition]
            }
            let stats = leaves.compactMap { byName["\($0.schema).\($0.name)"] }
            var counters = PartitionCounters.sum(stats)
            if stats.count != leaves.count { counters = PartitionCounters() }
            counters.bytes = partition.totalBytes
            counters.liveRows = partition.rows ?? counters.liveRows
            return TimedPartition(partition: partition, range: range, counters: counters)
        }
        guard !timed.isEmpty else { return nil }
        return timed.sorted {
            ($0.range.upper ?? .distantFuture, $0.name) < ($1.range.upper ?? .distantFuture, $1.name)
        }
    }
}
