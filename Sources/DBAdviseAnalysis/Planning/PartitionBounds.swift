import DBAdviseModel
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
            let match = bound.wholeMatch(of: Self.rangeBound)
        else { return nil }
        guard let lower = Self.value(String(match.1)), let upper = Self.value(String(match.2)) else { return nil }
        self.lower = lower.date
        self.upper = upper.date
        // Two open ends say nothing about time.
        if self.lower == nil && self.upper == nil { return nil }
    }

    // Built once: a regex is compiled when first used, and catalogs hold tens of thousands of
    // partitions.
    nonisolated(unsafe) private static let rangeBound = /FOR VALUES FROM \((.+)\) TO \((.+)\)/
    nonisolated(unsafe) private static let quoted = /'([^']*)'/

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
        guard let literal = text.wholeMatch(of: Self.quoted) else { return nil }
        return parse(String(literal.1)).map(Value.at)
    }

    /// `2026-01-01`, `2026-01-01 00:00:00`, `2026-01-01 00:00:00.5+00`, `… +05:30`: the one
    /// layout PostgreSQL writes with `DateStyle = ISO`, read by position (Swift's Regex took
    /// most of an analysis on a catalog of thousands of partitions).
    public static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        var index = 0
        func number(_ digits: Int) -> Int? {
            guard index + digits <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[index..<index + digits] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            index += digits
            return value
        }
        func skip(_ character: Character) -> Bool {
            guard index < bytes.count, bytes[index] == character.asciiValue else { return false }
            index += 1
            return true
        }
        guard let year = number(4), skip("-"), let month = number(2), skip("-"), let day = number(2) else {
            return nil
        }
        var parts = DateComponents(year: year, month: month, day: day, hour: 0, minute: 0, second: 0)
        var fraction = 0.0
        if skip(" ") {
            guard let hour = number(2), skip(":"), let minute = number(2), skip(":"), let second = number(2) else {
                return nil
            }
            (parts.hour, parts.minute, parts.second) = (hour, minute, second)
            if skip(".") {
                let digitsStart = index
                while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 { index += 1 }
                guard index > digitsStart else { return nil }
                fraction = Double("0." + String(decoding: bytes[digitsStart..<index], as: UTF8.self)) ?? 0
            }
        }
        var offset = 0.0
        if index < bytes.count, bytes[index] == 43 || bytes[index] == 45 {
            let sign = bytes[index] == 45 ? -1.0 : 1.0
            index += 1
            guard let hours = number(2) else { return nil }
            var minutes = 0
            if index < bytes.count {
                _ = skip(":")
                guard let parsed = number(2) else { return nil }
                minutes = parsed
            }
            offset = sign * Double(hours * 3_600 + minutes * 60)
        }
        guard index == bytes.count, let date = TimeBounds.calendar.date(from: parts) else { return nil }
        return date.addingTimeInterval(fraction - offset)
    }
}

/// A direct partition of a range-partitioned table with its time range and the counters of
/// its leaves (summed when it is itself partitioned).
public struct TimedPartition {
    public var partition: Partition
    public var range: PartitionTimeRange
    public var counters: PartitionCounters

    public var name: String { partition.qualifiedName }
}

/// pg_stat_user_tables counters of a partition; nil when unknown.
public struct PartitionCounters {
    public var inserted: Int?
    public var updated: Int?
    public var deleted: Int?
    public var writesPerSecond: Double?
    public var scans: Int?
    public var liveRows: Int?
    public var bytes: Int?

    /// Rows inserted, updated or deleted since the statistics reset; nil when unknown.
    public var writes: Int? {
        guard let inserted, let updated, let deleted else { return nil }
        return inserted + updated + deleted
    }

    /// No writes since the statistics reset and none over the interval.
    public var isIdle: Bool { writes == 0 && (writesPerSecond ?? 0) == 0 }

    public static func sum(_ all: [TableStats]) -> PartitionCounters {
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
    public func keyType(of tree: PartitionTree) -> String? {
        guard tree.keyColumns.count == 1, let key = tree.keyColumns.first else { return nil }
        return (snapshot.columnStats ?? []).first {
            $0.schema == tree.schema && $0.table == tree.name && $0.column == key
        }?.dataType
    }

    /// The direct partitions of a range partitioned table on one time column, oldest first;
    /// nil when the table is not partitioned by time (or its bounds are unknown).
    public func timedPartitions(of tree: PartitionTree) -> [TimedPartition]? {
        guard tree.strategy == .range, tree.keyColumns.count == 1 else { return nil }
        if let type = keyType(of: tree), !TimeLikeColumn.isTemporal(dataType: type) {
            return nil
        }
        let byName = tablesByName
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
            let stats = leaves.compactMap { byName[$0.qualifiedName] }
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
