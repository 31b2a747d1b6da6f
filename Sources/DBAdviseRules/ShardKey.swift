import DBAdviseCore
import Foundation

/// A distribution-column candidate for Citus, found in the data: a column the largest tables
/// share by name, with many distinct values and no dominant one.
public struct ShardKeyCandidate: Sendable, Equatable {
    public var column: String
    /// `schema.table` of the large tables that carry the column, largest first.
    public var tables: [String]
    /// Bytes of those tables: the share of the data that co-locates on this key.
    public var coveredBytes: Double
    /// The fewest distinct values the column has in any of its tables (estimated from pg_stats).
    public var distinctValues: Double
    /// The largest most-common-value frequency in any of its tables.
    public var dominantShare: Double
    public var reasons: [String]
}

/// Ranks distribution columns and picks reference tables from `column_stats` and table sizes.
public enum ShardKeyRanking {
    public static let largestTables = RuleParameter(
        name: "shard_key_largest_tables", value: 10, unit: "tables",
        why: "The distribution column must co-locate the largest tables; the rest can be reference tables.")
    public static let minimumDistinct = RuleParameter(
        name: "shard_key_min_distinct", value: 1_000, unit: "values",
        why: "Fewer distinct values than this cannot spread rows evenly over many shards (Citus defaults to 32).")
    public static let maximumDominantShare = RuleParameter(
        name: "shard_key_max_common_freq", value: 0.1, unit: "ratio",
        why: "One value holding more than a tenth of the rows makes one shard a hot spot.")
    public static let maximumNullShare = RuleParameter(
        name: "shard_key_max_null_frac", value: 0.05, unit: "ratio",
        why: "Rows with a NULL distribution column all land in one shard.")
    public static let referenceTableBytes = RuleParameter(
        name: "reference_table_max_bytes", value: 1_073_741_824, unit: "bytes",
        why: "Tables under 1 GB are cheap to copy to every node as reference tables, so joins stay local.")

    public static let parameters = [
        largestTables, minimumDistinct, maximumDominantShare, maximumNullShare, referenceTableBytes,
    ]

    /// Candidates, best first: the most data co-located, then the most tables, then the least
    /// dominant value. Columns that fail the distinct, dominance or null cut-offs are left out.
    public static func candidates(_ snapshot: Snapshot) -> [ShardKeyCandidate] {
        let tables = largest(snapshot)
        let sizeOf = Dictionary(tables.map { ($0.name, Double($0.bytes)) }, uniquingKeysWith: max)
        let rowsOf = Dictionary(
            (snapshot.tables ?? []).map { ($0.qualifiedName, $0.nLiveTup.map(Double.init) ?? $0.reltuples ?? 0) },
            uniquingKeysWith: max)
        var byColumn: [String: [ColumnStats]] = [:]
        for stats in snapshot.columnStats ?? [] where sizeOf["\(stats.schema).\(stats.table)"] != nil {
            // A per-table `id` or a timestamp is shared by name, not by meaning.
            guard stats.column != "id",
                !StatementHeuristics.isTimeLike(dataType: stats.dataType, name: stats.column),
                !stats.dataType.lowercased().contains("timestamp")
            else { continue }
            byColumn[stats.column, default: []].append(stats)
        }
        let ranked = byColumn.compactMap { column, stats -> ShardKeyCandidate? in
            let names = stats.map { "\($0.schema).\($0.table)" }
            let distinct =
                stats.map { stats in
                    let n = stats.nDistinct ?? 0
                    return n < 0 ? -n * (rowsOf["\(stats.schema).\(stats.table)"] ?? 0) : n
                }.min() ?? 0
            let dominant = stats.compactMap(\.mostCommonFreq).max() ?? 0
            let nulls = stats.compactMap(\.nullFrac).max() ?? 0
            guard distinct >= minimumDistinct.value, dominant <= maximumDominantShare.value,
                nulls <= maximumNullShare.value
            else { return nil }
            let covered = names.reduce(0) { $0 + (sizeOf[$1] ?? 0) }
            let total = tables.reduce(0) { $0 + Double($1.bytes) }
            let share = total > 0 ? covered / total : 0
            let ordered = names.sorted { (sizeOf[$0] ?? 0) > (sizeOf[$1] ?? 0) }
            return ShardKeyCandidate(
                column: column, tables: ordered, coveredBytes: covered, distinctValues: distinct,
                dominantShare: dominant,
                reasons: [
                    "in \(names.count) of the \(tables.count) largest tables (\(Formatting.bytes(covered)), \(Formatting.number(share * 100))% of their data co-located)",
                    "≥ \(Formatting.grouped(Int(distinct))) distinct values (≥ \(Formatting.grouped(Int(minimumDistinct.value))))",
                    "most common value \(Formatting.number(dominant * 100))% of rows (≤ \(Formatting.number(maximumDominantShare.value * 100))%)",
                ])
        }
        return ranked.sorted {
            ($0.coveredBytes, $0.tables.count, -$0.dominantShare, $1.column)
                > ($1.coveredBytes, $1.tables.count, -$1.dominantShare, $0.column)
        }
    }

    /// Small tables without the distribution column: copied to every node.
    public static func referenceTables(_ snapshot: Snapshot, key: ShardKeyCandidate) -> [String] {
        let withKey = Set(
            (snapshot.columnStats ?? []).filter { $0.column == key.column }.map { "\($0.schema).\($0.table)" })
        return RelationSizes(snapshot: snapshot).unpartitionedTables
            .filter { Double($0.bytes) < referenceTableBytes.value && !withKey.contains($0.name) }
            .sorted { ($0.bytes, $0.name) > ($1.bytes, $1.name) }
            .map(\.name)
    }

    /// The Citus calls: reference tables first (foreign keys from distributed tables need
    /// them), then the distributed tables co-located on the key.
    public static func citusActions(_ snapshot: Snapshot) -> [String] {
        guard let best = candidates(snapshot).first else {
            return [
                "No distribution column found in pg_stats: no column shared by the largest tables has ≥ \(Formatting.grouped(Int(minimumDistinct.value))) distinct values and no dominant value; add a tenant or account id to them before sharding."
            ]
        }
        let reference = referenceTables(snapshot, key: best).prefix(20)
        return [
            "Distribute on \(best.column): \(best.reasons.joined(separator: "; "))."
        ] + reference.map { "SELECT create_reference_table(\(SQL.literal($0)));" }
            + best.tables.map { "SELECT create_distributed_table(\(SQL.literal($0)), \(SQL.literal(best.column)));" }
    }

    /// The top candidate as evidence.
    public static func evidence(_ snapshot: Snapshot) -> [Evidence] {
        guard let best = candidates(snapshot).first else { return [] }
        return [
            Evidence(
                metric: "shard_key_distinct(\(best.column))", value: best.distinctValues,
                threshold: minimumDistinct.value, unit: "values", note: best.tables.joined(separator: ", ")),
            Evidence(
                metric: "shard_key_most_common_freq(\(best.column))", value: best.dominantShare,
                threshold: maximumDominantShare.value, unit: "ratio"),
        ]
    }

    static func largest(_ snapshot: Snapshot) -> [SizedRelation] {
        let sizes = RelationSizes(snapshot: snapshot)
        return (sizes.unpartitionedTables + sizes.partitionedTables)
            .sorted { ($0.bytes, $0.name) > ($1.bytes, $1.name) }
            .prefix(Int(largestTables.value))
            .map { $0 }
    }
}
