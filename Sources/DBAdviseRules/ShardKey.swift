import DBAdviseCore
import Foundation

extension Manual {
    /// Citus DDL: which foreign keys distributed and reference tables keep.
    static let citusForeignKeys = "https://docs.citusdata.com/en/stable/develop/reference_ddl.html"
}

/// A distribution-column candidate for Citus, found in the data: a column the largest tables
/// share by name and are joined on through foreign keys, with many distinct values and no
/// dominant one.
public struct ShardKeyCandidate: Sendable, Equatable {
    public var column: String
    /// `schema.table` of the large tables that carry the column, largest first.
    public var tables: [String]
    /// Bytes of those tables: the share of the data that co-locates on this key.
    public var coveredBytes: Double
    /// Bytes of those tables joined through a foreign key on the column; nil when the snapshot
    /// has no foreign keys (an older snapshot, or they could not be read).
    public var joinedBytes: Double?
    /// The foreign keys that join them on it, largest referencing table first; nil when unknown.
    public var foreignKeys: [ForeignKey]?
    /// The fewest distinct values the column has in any of its tables (estimated from pg_stats).
    public var distinctValues: Double
    /// The largest most-common-value frequency in any of its tables.
    public var dominantShare: Double
    /// What it is ranked by: covered bytes plus joined bytes times `shard_key_fk_weight`.
    public var score: Double
    public var reasons: [String]
}

/// Ranks distribution columns and picks reference tables from `column_stats`, `foreign_keys`
/// and table sizes.
///
/// A column is a candidate when the largest tables share it by name and its statistics can
/// spread rows (the distinct, dominance and null cut-offs). Candidates rank by the bytes they
/// co-locate, and the bytes whose tables are also joined on the column through a foreign key
/// (its own, or a composite key that includes it: Citus's `(tenant_id, id)` pattern) count
/// `shard_key_fk_weight` more: a column the tables only share by name buys no co-located join.
/// Without foreign keys in the snapshot the ranking is by shared bytes alone.
/// Sources: Citus "Choosing Distribution Column" (multi-tenant apps: the tenant column every
/// table carries and joins on) and "Table Co-Location" (foreign keys between distributed
/// tables must include the distribution column; to reference tables they may not).
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
    public static let foreignKeyWeight = RuleParameter(
        name: "shard_key_fk_weight", value: 1, unit: "ratio",
        why: """
            Bytes of the large tables joined through a foreign key on the column (or a composite key \
            that includes it) count this much again: joins and foreign keys stay on one node only \
            when they include the distribution column, so a column shared by name but never joined on \
            ranks below one that is, with similar statistics.
            """)
    public static let maximumPrimaryKeyShare = RuleParameter(
        name: "shard_key_max_primary_key_share", value: 0.5, unit: "ratio",
        why: """
            A column that alone is the primary key of more than half of the tables carrying it is each \
            table's own id, shared by name, not by meaning (`id` is also skipped by name, which a \
            redacted snapshot hides).
            """)
    public static let referenceTableBytes = RuleParameter(
        name: "reference_table_max_bytes", value: 1_073_741_824, unit: "bytes",
        why: "Tables under 1 GB are cheap to copy to every node as reference tables, so joins stay local.")

    public static let parameters = [
        largestTables, minimumDistinct, maximumDominantShare, maximumNullShare, foreignKeyWeight,
        maximumPrimaryKeyShare, referenceTableBytes,
    ]

    /// How many foreign keys a reason names before it counts the rest.
    static let namedKeys = 5

    /// Candidates, best first: the highest score (co-located bytes, joined bytes weighted),
    /// then the most tables, then the least dominant value. Columns that fail the distinct,
    /// dominance or null cut-offs are left out.
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
        let ownIDs = ownIdentifiers(snapshot, columns: byColumn)
        let total = tables.reduce(0) { $0 + Double($1.bytes) }
        let ranked = byColumn.compactMap { column, stats -> ShardKeyCandidate? in
            guard !ownIDs.contains(column) else { return nil }
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
            let share = total > 0 ? covered / total : 0
            let ordered = names.sorted { (sizeOf[$0] ?? 0) > (sizeOf[$1] ?? 0) }
            let joined = snapshot.foreignKeys.map {
                Self.joins(on: column, tables: Set(names), keys: $0, sizeOf: sizeOf)
            }
            let joinedBytes = joined.map { $0.tables.reduce(0) { $0 + (sizeOf[$1] ?? 0) } }
            var reasons = [
                "in \(names.count) of the \(tables.count) largest tables (\(Formatting.bytes(covered)), \(Formatting.number(share * 100))% of their data co-located)"
            ]
            if let joined {
                reasons.append(joinReason(joined.keys))
            }
            reasons += [
                "≥ \(Formatting.grouped(Int(saturating: distinct))) distinct values (≥ \(Formatting.grouped(Int(minimumDistinct.value))))",
                "most common value \(Formatting.number(dominant * 100))% of rows (≤ \(Formatting.number(maximumDominantShare.value * 100))%)",
            ]
            return ShardKeyCandidate(
                column: column, tables: ordered, coveredBytes: covered, joinedBytes: joinedBytes,
                foreignKeys: joined?.keys, distinctValues: distinct, dominantShare: dominant,
                score: covered + foreignKeyWeight.value * (joinedBytes ?? 0), reasons: reasons)
        }
        return ranked.sorted {
            ($0.score, $0.tables.count, -$0.dominantShare, $1.column)
                > ($1.score, $1.tables.count, -$1.dominantShare, $0.column)
        }
    }

    /// The foreign keys that join `tables` on `column`, and which of those tables they join: a
    /// key whose columns include it joins its own table on it; when the referenced column in
    /// the same position has the same name (`(tenant_id, order_id)` → `(tenant_id, id)`), the
    /// referenced table is joined on it too.
    static func joins(on column: String, tables: Set<String>, keys: [ForeignKey], sizeOf: [String: Double])
        -> (keys: [ForeignKey], tables: Set<String>)
    {
        var joined: Set<String> = []
        var through: [ForeignKey] = []
        for key in keys {
            guard let position = key.columns.firstIndex(of: column) else { continue }
            let colocated =
                key.referencedColumns.indices.contains(position) && key.referencedColumns[position] == column
            var joins = false
            if tables.contains(key.qualifiedTable) {
                joined.insert(key.qualifiedTable)
                joins = true
            }
            if colocated, tables.contains(key.qualifiedReferencedTable) {
                joined.insert(key.qualifiedReferencedTable)
                joins = true
            }
            if joins { through.append(key) }
        }
        let ordered = through.sorted {
            (sizeOf[$0.qualifiedTable] ?? 0, $1.table, $1.referencedTable, $1.name)
                > (sizeOf[$1.qualifiedTable] ?? 0, $0.table, $0.referencedTable, $0.name)
        }
        return (ordered, joined)
    }

    static func joinReason(_ keys: [ForeignKey]) -> String {
        guard !keys.isEmpty else { return "joined through no foreign key" }
        let named = keys.prefix(namedKeys).map(arrow).joined(separator: ", ")
        let more = keys.count > namedKeys ? ", … (\(keys.count - namedKeys) more)" : ""
        return "joined through \(keys.count) foreign key\(keys.count == 1 ? "" : "s"): \(named)\(more)"
    }

    /// `orders→accounts`
    static func arrow(_ key: ForeignKey) -> String { "\(key.table)→\(key.referencedTable)" }

    /// Column names that alone are the primary key of more than `shard_key_max_primary_key_share`
    /// of the tables carrying them.
    static func ownIdentifiers(_ snapshot: Snapshot, columns: [String: [ColumnStats]]) -> Set<String> {
        let primaryKeys = Set(
            (snapshot.indexes ?? []).compactMap { index -> String? in
                guard index.isPrimary, let columns = index.columns, columns.count == 1 else { return nil }
                return "\(index.schema).\(index.table).\(columns[0])"
            })
        guard !primaryKeys.isEmpty else { return [] }
        return Set(
            columns.compactMap { column, stats in
                let keyed = stats.filter { primaryKeys.contains("\($0.schema).\($0.table).\(column)") }.count
                return Double(keyed) > maximumPrimaryKeyShare.value * Double(stats.count) ? column : nil
            })
    }

    /// Small tables without the distribution column, copied to every node: those the
    /// distributed tables reference through foreign keys (directly or through one another)
    /// first, since Citus keeps a foreign key from a distributed table only to a reference
    /// table; then the rest, largest first in each group.
    public static func referenceTables(_ snapshot: Snapshot, key: ShardKeyCandidate) -> [String] {
        let withKey = Set(
            (snapshot.columnStats ?? []).filter { $0.column == key.column }.map { "\($0.schema).\($0.table)" })
        let small = RelationSizes(snapshot: snapshot).unpartitionedTables
            .filter { Double($0.bytes) < referenceTableBytes.value && !withKey.contains($0.name) }
            .sorted { ($0.bytes, $0.name) > ($1.bytes, $1.name) }
            .map(\.name)
        let required = referenced(snapshot, from: Set(key.tables), among: Set(small))
        return small.filter { required.contains($0) } + small.filter { !required.contains($0) }
    }

    /// Tables in `among` that `from` reference through foreign keys, directly or through
    /// tables already reached.
    static func referenced(_ snapshot: Snapshot, from: Set<String>, among: Set<String>) -> Set<String> {
        let keys = snapshot.foreignKeys ?? []
        var reached: Set<String> = []
        var frontier = from
        while !frontier.isEmpty {
            let next = Set(keys.filter { frontier.contains($0.qualifiedTable) }.map(\.qualifiedReferencedTable))
                .intersection(among).subtracting(reached)
            reached.formUnion(next)
            frontier = next
        }
        return reached
    }

    /// Foreign keys between two of the distributed tables that do not pair the distribution
    /// column with itself: Citus refuses them.
    static func keysToExtend(_ snapshot: Snapshot, key: ShardKeyCandidate) -> [ForeignKey] {
        let distributed = Set(key.tables)
        return (snapshot.foreignKeys ?? []).filter { foreign in
            guard distributed.contains(foreign.qualifiedTable), distributed.contains(foreign.qualifiedReferencedTable)
            else { return false }
            return !zip(foreign.columns, foreign.referencedColumns).contains { $0 == key.column && $1 == key.column }
        }
    }

    /// The Citus calls: reference tables first (foreign keys from distributed tables need
    /// them), then the distributed tables co-located on the key.
    public static func citusActions(_ snapshot: Snapshot) -> [String] {
        guard let best = candidates(snapshot).first else {
            return [
                "No distribution column found in pg_stats: no column shared by the largest tables has ≥ \(Formatting.grouped(Int(minimumDistinct.value))) distinct values and no dominant value; add a tenant or account id to them before sharding."
            ]
        }
        var actions = ["Distribute on \(best.column): \(best.reasons.joined(separator: "; "))."]
        let extend = keysToExtend(snapshot, key: best)
        if !extend.isEmpty {
            let named = extend.prefix(namedKeys).map { "\(arrow($0)) (\($0.columns.joined(separator: ", ")))" }
            let more = extend.count > namedKeys ? ", … (\(extend.count - namedKeys) more)" : ""
            actions.append(
                "Add \(best.column) to the foreign keys between distributed tables, on both sides (Citus keeps only those that include the distribution column): \(named.joined(separator: ", "))\(more)."
            )
        }
        let reference = Array(referenceTables(snapshot, key: best).prefix(20))
        let required = referenced(snapshot, from: Set(best.tables), among: Set(reference))
        if !required.isEmpty {
            let named = reference.filter { required.contains($0) }
            actions.append(
                "Reference tables: the distributed tables' foreign keys reach \(named.joined(separator: ", ")), so these must be reference tables (a foreign key from a distributed table may point at a reference table, not at a local one)."
            )
        }
        return actions + reference.map { "SELECT create_reference_table(\(SQL.literal($0)));" }
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
            Evidence(
                metric: "shard_key_foreign_keys(\(best.column))", value: best.foreignKeys.map { Double($0.count) },
                threshold: nil, unit: "foreign keys",
                note: best.foreignKeys.map(joinReason) ?? "foreign_keys not in the snapshot: ranked by shared names"),
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
