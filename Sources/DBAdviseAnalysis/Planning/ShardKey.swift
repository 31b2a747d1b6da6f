import DBAdviseModel
import Foundation
import StatementParser

extension Manual {
    /// Citus DDL: which foreign keys distributed and reference tables keep.
    public static let citusForeignKeys = "https://docs.citusdata.com/en/stable/develop/reference_ddl.html"
    /// Citus configuration: `citus.shard_count`, the shards a distributed table is split into.
    public static let citusShardCount =
        "https://docs.citusdata.com/en/stable/develop/api_guc.html#citus-shard-count-integer"
}

/// A distribution-column candidate for Citus, found in the data: a key-like column the
/// largest tables share by name and are joined on through foreign keys, with enough distinct
/// values for the shards and no dominant one.
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
    /// The largest NULL fraction in any of its tables.
    public var nullShare: Double = 0
    /// More NULL than `shard_key_max_null_frac`, yet a key to a tenant-like table: a tenant
    /// key still being backfilled. The advice is to finish the backfill, then distribute.
    public var needsBackfill = false
    /// Tenant-like tables the column references through a foreign key (`schema.table`).
    public var tenantTables: [String] = []
    /// Unique per row in each of its tables and joined through no foreign key: distributing
    /// on it puts every row alone, so it co-locates nothing. Ranked below every other column.
    public var colocatesNothing = false
    /// What it is ranked by: covered bytes, plus joined bytes times `shard_key_fk_weight`,
    /// plus bytes joined to a tenant-like table times `shard_key_tenant_weight`.
    public var score: Double
    public var reasons: [String]
}

/// A column of the largest tables that is not offered as the distribution column, and why.
public struct ShardKeyRejection: Sendable, Equatable {
    public var column: String
    /// `schema.table` of the large tables that carry it, largest first.
    public var tables: [String]
    public var coveredBytes: Double
    /// The fewest distinct values in any of its tables; nil without statistics.
    public var distinctValues: Double?
    /// "text with no key or equality use", "jsonb: a document, not an identifier".
    public var reason: String
    /// It would have been chosen on its statistics alone (enough distinct values, none
    /// dominant), or it is key-like and failed only on its statistics: the rejections a
    /// reader wants to see. Others (a boolean with two values) are counted, not listed.
    public var notable: Bool
}

/// One of the largest tables whose column statistics pg_stats hid from the collecting role.
public struct HiddenColumnStats: Sendable, Equatable {
    public var table: String
    /// "column statistics hidden: …; grant SELECT on …".
    public var reason: String
}

/// Everything the ranking found in one snapshot.
public struct ShardKeyAnalysis: Sendable, Equatable {
    /// Best first.
    public var candidates: [ShardKeyCandidate]
    /// Notable rejections first, then by covered bytes.
    public var rejected: [ShardKeyRejection]
    /// Largest tables first.
    public var hidden: [HiddenColumnStats]
    /// The shard count the distinct-value floor follows, and where it comes from.
    public var shardCount: Double
    public var shardCountSource: String
    public var minimumDistinct: Double

    /// "column statistics hidden: …" of the first hidden table, naming how many more.
    public var hiddenSummary: String? {
        guard let first = hidden.first else { return nil }
        let more = hidden.dropFirst().map(\.table)
        return more.isEmpty
            ? first.reason
            : "\(first.reason); likewise for \(more.count) more of the largest tables: \(more.joined(separator: ", "))"
    }

    /// "128 distinct values (4 per shard × 32 shards, Citus's default citus.shard_count)".
    public var floorText: String {
        "\(Formatting.grouped(Int(saturating: minimumDistinct))) distinct values (\(Formatting.number(ShardKeyRanking.valuesPerShard.value)) per shard × \(Formatting.number(shardCount)) shards, \(shardCountSource))"
    }
}

/// Ranks distribution columns and picks reference tables from `column_stats`, `foreign_keys`,
/// `indexes`, the statements' parsed shapes and table sizes.
///
/// A column is a candidate when it is key-like (an integer, uuid or short identifier used as a
/// key: in a primary key, a foreign key or the equality predicates of the statements touching
/// its tables; never free text, JSON, floats, times or booleans), the largest tables share it
/// by name, and its statistics can spread rows (enough distinct values for the shard count, no
/// dominant value, few NULLs). Candidates rank by the bytes they co-locate; the bytes whose
/// tables are also joined on the column through a foreign key (its own, or a composite key that
/// includes it: Citus's `(tenant_id, id)` pattern) count `shard_key_fk_weight` more, and those
/// joined to a small tenant-like table `shard_key_tenant_weight` more again: the tenant column
/// is the classic distribution column. A column unique per row and joined by no foreign key
/// co-locates nothing and ranks last. A tenant key still mostly NULL is advised as "backfill,
/// then distribute". Tables whose statistics were hidden from the role make the choice
/// unknown, never "none".
/// Sources: Citus "Choosing Distribution Column" (multi-tenant apps: the tenant column every
/// table carries and joins on) and "Table Co-Location" (foreign keys between distributed
/// tables must include the distribution column; to reference tables they may not).
public enum ShardKeyRanking {
    public static let largestTables = RuleParameter(
        name: "shard_key_largest_tables", value: 10, unit: .tables,
        why: "The distribution column must co-locate the largest tables; the rest can be reference tables.")
    public static let shardCount = RuleParameter(
        name: "shard_key_shard_count", value: 32, unit: .shards,
        why: """
            The shards each distributed table is split into: Citus's default citus.shard_count (the \
            snapshot's own citus.shard_count setting when it records one).
            """)
    public static let valuesPerShard = RuleParameter(
        name: "shard_key_values_per_shard", value: 4, unit: .values,
        why: """
            A distribution column needs at least this many distinct values per shard (4 × 32 = 128) for \
            hashing to spread them over every shard: 200 tenants qualify, 20 do not.
            """)
    public static let maximumDominantShare = RuleParameter(
        name: "shard_key_max_common_freq", value: 0.1, unit: .ratio,
        why: "One value holding more than a tenth of the rows makes one shard a hot spot.")
    public static let maximumNullShare = RuleParameter(
        name: "shard_key_max_null_frac", value: 0.05, unit: .ratio,
        why: """
            Rows with a NULL distribution column all land in one shard. A key to a tenant-like table that \
            is more NULL than this is still being backfilled: the advice is to finish the backfill, then \
            distribute on it, not to fall back to another column.
            """)
    public static let foreignKeyWeight = RuleParameter(
        name: "shard_key_fk_weight", value: 1, unit: .ratio,
        why: """
            Bytes of the large tables joined through a foreign key on the column (or a composite key \
            that includes it) count this much again: joins and foreign keys stay on one node only \
            when they include the distribution column, so a column shared by name but never joined on \
            ranks below one that is, with similar statistics.
            """)
    public static let tenantWeight = RuleParameter(
        name: "shard_key_tenant_weight", value: 1, unit: .ratio,
        why: """
            Bytes of the large tables whose foreign key on the column references a tenant-like table \
            count this much again: a column naming the tenant (account, organization, space) is the \
            classic distribution column of a multi-tenant application, ahead of a self-reference such as \
            parent_id that would split each tree across shards.
            """)
    public static let tenantTableShare = RuleParameter(
        name: "shard_key_tenant_table_rows_share", value: 0.1, unit: .ratio,
        why: """
            A referenced table is tenant-like when it is another table with at most this share of the \
            referencing table's rows: few tenants, many rows each.
            """)
    public static let maximumPrimaryKeyShare = RuleParameter(
        name: "shard_key_max_primary_key_share", value: 0.5, unit: .ratio,
        why: """
            A column that alone is the primary key of more than half of the tables carrying it is each \
            table's own id, shared by name, not by meaning (`id` is also skipped by name, which a \
            redacted snapshot hides).
            """)
    public static let maximumTextWidth = RuleParameter(
        name: "shard_key_max_text_width", value: 40, unit: .bytes,
        why: """
            A text or varchar column is a short identifier when its values average at most this many \
            bytes (pg_stats.avg_width: a code, a slug, a uuid kept as text) and it is used as a key; \
            longer text is content.
            """)
    public static let uniqueShare = RuleParameter(
        name: "shard_key_unique_share", value: 0.9, unit: .ratio,
        why: """
            A column with distinct values on at least this share of the rows is unique per row: joined \
            through no foreign key, distributing on it co-locates nothing, so it ranks below every \
            column that groups rows.
            """)
    public static let referenceTableBytes = RuleParameter(
        name: "reference_table_max_bytes", value: 1_073_741_824, unit: .bytes,
        why: "Tables under 1 GB are cheap to copy to every node as reference tables, so joins stay local.")

    public static let parameters = [
        largestTables, shardCount, valuesPerShard, maximumDominantShare, maximumNullShare, foreignKeyWeight,
        tenantWeight, tenantTableShare, maximumPrimaryKeyShare, maximumTextWidth, uniqueShare, referenceTableBytes,
    ]

    /// What the ranking rests on, for the sharding rules' `sources`.
    public static let sources = [Manual.citusDistribution, Manual.citusForeignKeys, Manual.citusShardCount]

    /// The snapshot fields the ranking reads, for the sharding rules' `inputs`.
    public static let inputs = [
        "column_stats.n_distinct", "column_stats.most_common_freq", "column_stats.null_frac",
        "column_stats.avg_width", "column_stats.data_type", "foreign_keys", "indexes.columns",
        "statements.shape.parameters", "unavailable (column_stats.<table>)",
    ]

    /// How many foreign keys a reason names before it counts the rest.
    public static let namedKeys = 5
    /// How many rejected columns the evidence names.
    public static let namedRejections = 6

    /// Candidates, best first. Columns that are not key-like or fail the distinct, dominance
    /// or null cut-offs are left out (see ``analyze(_:)`` for why each was).
    public static func candidates(_ snapshot: Snapshot) -> [ShardKeyCandidate] {
        analyze(snapshot).candidates
    }

    /// The shard count: the snapshot's `citus.shard_count` when recorded, else Citus's default.
    public static func shardCountSetting(_ snapshot: Snapshot) -> (count: Double, source: String) {
        if let setting = snapshot.server.settings.first(where: { $0.name == "citus.shard_count" }),
            let count = Double(setting.setting), count >= 1
        {
            return (count, "the server's citus.shard_count")
        }
        return (shardCount.value, "Citus's default citus.shard_count")
    }

    /// Ranks every column the largest tables carry: candidates best first (the tier of those
    /// that co-locate something, then the score, complete before backfill, the most tables, the
    /// least dominant value), each rejected column with its reason, and the largest tables
    /// whose statistics were hidden.
    public static func analyze(_ snapshot: Snapshot) -> ShardKeyAnalysis {
        let tables = largest(snapshot)
        let sizeOf = Dictionary(tables.map { ($0.name, Double($0.bytes)) }, uniquingKeysWith: max)
        let rowsOf = Dictionary(
            (snapshot.tables ?? []).map { ($0.qualifiedName, $0.nLiveTup.map(Double.init) ?? $0.reltuples ?? 0) },
            uniquingKeysWith: max)
        let hiddenAll = snapshot.hiddenColumnStats
        let hidden = tables.compactMap { table in
            hiddenAll[table.name].map { HiddenColumnStats(table: table.name, reason: $0) }
        }
        var byColumn: [String: [ColumnStats]] = [:]
        for stats in snapshot.columnStats ?? [] {
            let name = stats.qualifiedTable
            // a hidden table's rows carry no statistics: they say nothing about the column
            guard sizeOf[name] != nil, hiddenAll[name] == nil else { continue }
            byColumn[stats.column, default: []].append(stats)
        }
        let (shards, shardSource) = shardCountSetting(snapshot)
        let floor = shards * valuesPerShard.value
        let ownIDs = ownIdentifiers(snapshot, columns: byColumn)
        let uses = KeyUse(snapshot)
        let total = tables.reduce(0) { $0 + Double($1.bytes) }
        var candidates: [ShardKeyCandidate] = []
        var rejected: [ShardKeyRejection] = []
        for (column, stats) in byColumn {
            let names = stats.map(\.qualifiedTable)
            let ordered = names.sorted { (sizeOf[$0] ?? 0, $1) > (sizeOf[$1] ?? 0, $0) }
            let covered = names.reduce(0) { $0 + (sizeOf[$1] ?? 0) }
            // a table of them not analyzed yet says nothing: judged on those that were
            let measured = stats.filter { $0.nDistinct != nil || $0.nullFrac != nil || $0.mostCommonFreq != nil }
            let analyzed = !measured.isEmpty
            let distinct =
                measured.map { stats in
                    let n = stats.nDistinct ?? 0
                    return n < 0 ? -n * (rowsOf[stats.qualifiedTable] ?? 0) : n
                }.min() ?? 0
            let dominant = measured.compactMap(\.mostCommonFreq).max() ?? 0
            let nulls = measured.compactMap(\.nullFrac).max() ?? 0
            let spreads = analyzed && distinct >= floor && dominant <= maximumDominantShare.value
            func reject(_ reason: String, keyLike: Bool) {
                rejected.append(
                    ShardKeyRejection(
                        column: column, tables: ordered, coveredBytes: covered,
                        distinctValues: analyzed ? distinct : nil, reason: reason, notable: spreads || keyLike))
            }
            // what kind of value it holds: the first table where it is not key-like decides
            let kinds = stats.map { KeyKind(dataType: $0.dataType, column: column) }
            if column == "id" || ownIDs.contains(column) {
                let keyed = uses.primaryKeyTables(of: column, in: names).count
                reject(
                    keyed > 0
                        ? "the primary key of \(keyed) of its \(names.count) tables: each table's own id, shared by name only"
                        : "each table's own id, shared by name only", keyLike: false)
                continue
            }
            if let refusal = kinds.lazy.compactMap(\.refusal).first {
                reject(refusal, keyLike: false)
                continue
            }
            let dataType = stats.first?.dataType ?? "column"
            let used = uses.describe(column, in: ordered)
            let isText = kinds.contains(.text)
            if used.isEmpty, isText || uses.missing.isEmpty {
                reject("\(dataType) with no key or equality use", keyLike: false)
                continue
            }
            if isText, let width = stats.compactMap(\.avgWidth).max(), Double(width) > maximumTextWidth.value {
                reject(
                    "\(dataType) averaging \(width) bytes (> \(Formatting.number(maximumTextWidth.value))): content, not a short identifier",
                    keyLike: false)
                continue
            }
            guard analyzed else {
                reject("no statistics in pg_stats: its tables were not analyzed", keyLike: true)
                continue
            }
            guard distinct >= floor else {
                reject(
                    "\(Formatting.grouped(Int(saturating: distinct))) distinct values < \(Formatting.grouped(Int(saturating: floor))) (\(Formatting.number(valuesPerShard.value)) per shard × \(Formatting.number(shards)) shards)",
                    keyLike: true)
                continue
            }
            guard dominant <= maximumDominantShare.value else {
                reject(
                    "its most common value holds \(Formatting.percent(dominant)) of rows (> \(Formatting.percent(maximumDominantShare.value))): that value's shard would be a hot spot",
                    keyLike: true)
                continue
            }
            let joined = snapshot.foreignKeys.map {
                Self.joins(on: column, tables: Set(names), keys: $0, sizeOf: sizeOf)
            }
            let tenants =
                snapshot.foreignKeys.map {
                    tenantReferences(of: column, tables: Set(names), keys: $0, rowsOf: rowsOf)
                } ?? [:]
            let needsBackfill = nulls > maximumNullShare.value
            if needsBackfill, tenants.isEmpty {
                reject(
                    "\(Formatting.percent(nulls)) NULL (> \(Formatting.percent(maximumNullShare.value))): rows with a NULL distribution column all land in one shard",
                    keyLike: true)
                continue
            }
            // unique in every table carrying it (one not analyzed may repeat it: not known)
            let unique =
                measured.count == stats.count
                && measured.allSatisfy { stats in
                    let n = stats.nDistinct ?? 0
                    let rows = rowsOf[stats.qualifiedTable] ?? 0
                    return n < 0 ? -n >= uniqueShare.value : (rows > 0 && n >= uniqueShare.value * rows)
                }
            let colocatesNothing = unique && joined?.keys.isEmpty == true
            let joinedBytes = joined.map { $0.tables.reduce(0) { $0 + (sizeOf[$1] ?? 0) } }
            let tenantBytes = tenants.keys.reduce(0) { $0 + (sizeOf[$1] ?? 0) }
            let share = total > 0 ? covered / total : 0
            var reasons = [
                "in \(names.count) of the \(tables.count) largest tables (\(Formatting.bytes(covered)), \(Formatting.number(share * 100))% of their data co-located)"
            ]
            if let joined { reasons.append(joinReason(joined.keys)) }
            let tenantTables = Set(tenants.values.flatMap { $0 }).sorted()
            if !tenantTables.isEmpty {
                reasons.append(
                    "references the tenant-like table\(tenantTables.count == 1 ? "" : "s") \(tenantTables.joined(separator: ", ")) (at most \(Formatting.percent(tenantTableShare.value)) of the referencing table's rows): the classic distribution column"
                )
            }
            if !used.isEmpty {
                reasons.append("a key: \(used.joined(separator: "; "))")
            } else {
                reasons.append(
                    "\(dataType): key use unknown (\(uses.missing.joined(separator: ", ")) not in the snapshot)")
            }
            reasons += [
                "≥ \(Formatting.grouped(Int(saturating: distinct))) distinct values (≥ \(Formatting.grouped(Int(saturating: floor))): \(Formatting.number(valuesPerShard.value)) per shard × \(Formatting.number(shards)) shards)",
                "most common value \(Formatting.number(dominant * 100))% of rows (≤ \(Formatting.number(maximumDominantShare.value * 100))%)",
            ]
            if needsBackfill {
                reasons.append(
                    "\(Formatting.percent(nulls)) NULL (> \(Formatting.percent(maximumNullShare.value))): still being backfilled"
                )
            }
            if colocatesNothing {
                reasons.append(
                    "unique per row and joined through no foreign key: distributing on it co-locates nothing (each value is one row), so it ranks below columns that group rows"
                )
            }
            candidates.append(
                ShardKeyCandidate(
                    column: column, tables: ordered, coveredBytes: covered, joinedBytes: joinedBytes,
                    foreignKeys: joined?.keys, distinctValues: distinct, dominantShare: dominant, nullShare: nulls,
                    needsBackfill: needsBackfill, tenantTables: tenantTables, colocatesNothing: colocatesNothing,
                    score: covered + foreignKeyWeight.value * (joinedBytes ?? 0) + tenantWeight.value * tenantBytes,
                    reasons: reasons))
        }
        candidates.sort {
            (
                $0.colocatesNothing ? 0 : 1, $0.score, $0.needsBackfill ? 0 : 1, $0.tables.count, -$0.dominantShare,
                $1.column
            )
                > (
                    $1.colocatesNothing ? 0 : 1, $1.score, $1.needsBackfill ? 0 : 1, $1.tables.count, -$1.dominantShare,
                    $0.column
                )
        }
        rejected.sort {
            ($0.notable ? 1 : 0, $0.coveredBytes, $1.column) > ($1.notable ? 1 : 0, $1.coveredBytes, $0.column)
        }
        return ShardKeyAnalysis(
            candidates: candidates, rejected: rejected, hidden: hidden, shardCount: shards,
            shardCountSource: shardSource, minimumDistinct: floor)
    }

    /// The foreign keys that join `tables` on `column`, and which of those tables they join: a
    /// key whose columns include it joins its own table on it; when the referenced column in
    /// the same position has the same name (`(tenant_id, order_id)` → `(tenant_id, id)`), the
    /// referenced table is joined on it too.
    public static func joins(on column: String, tables: Set<String>, keys: [ForeignKey], sizeOf: [String: Double])
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

    /// Tables of `tables` whose foreign key on `column` references a tenant-like table (another
    /// table with at most `shard_key_tenant_table_rows_share` of its rows), with those tables.
    public static func tenantReferences(
        of column: String, tables: Set<String>, keys: [ForeignKey], rowsOf: [String: Double]
    ) -> [String: [String]] {
        var found: [String: [String]] = [:]
        for key in keys where tables.contains(key.qualifiedTable) && key.columns.contains(column) {
            let referenced = key.qualifiedReferencedTable
            guard referenced != key.qualifiedTable, let rows = rowsOf[key.qualifiedTable], rows > 0,
                let tenants = rowsOf[referenced], tenants <= tenantTableShare.value * rows
            else { continue }
            found[key.qualifiedTable, default: []].append(referenced)
        }
        return found
    }

    public static func joinReason(_ keys: [ForeignKey]) -> String {
        guard !keys.isEmpty else { return "joined through no foreign key" }
        let named = keys.prefix(namedKeys).map(arrow).joined(separator: ", ")
        let more = keys.count > namedKeys ? ", … (\(keys.count - namedKeys) more)" : ""
        return "joined through \(keys.count) foreign key\(keys.count == 1 ? "" : "s"): \(named)\(more)"
    }

    /// `orders→accounts`
    public static func arrow(_ key: ForeignKey) -> String { "\(key.table)→\(key.referencedTable)" }

    /// Column names that alone are the primary key of more than `shard_key_max_primary_key_share`
    /// of the tables carrying them.
    public static func ownIdentifiers(_ snapshot: Snapshot, columns: [String: [ColumnStats]]) -> Set<String> {
        let primaryKeys = Set(
            (snapshot.indexes ?? []).compactMap { index -> String? in
                guard index.isPrimary, let columns = index.columns, columns.count == 1 else { return nil }
                return "\(index.qualifiedTable).\(columns[0])"
            })
        guard !primaryKeys.isEmpty else { return [] }
        return Set(
            columns.compactMap { column, stats in
                let keyed = stats.filter { primaryKeys.contains("\($0.qualifiedTable).\(column)") }.count
                return Double(keyed) > maximumPrimaryKeyShare.value * Double(stats.count) ? column : nil
            })
    }

    /// Small tables without the distribution column, copied to every node: those the
    /// distributed tables reference through foreign keys (directly or through one another)
    /// first, since Citus keeps a foreign key from a distributed table only to a reference
    /// table; then the rest, largest first in each group.
    public static func referenceTables(_ snapshot: Snapshot, key: ShardKeyCandidate) -> [String] {
        let withKey = Set(
            (snapshot.columnStats ?? []).filter { $0.column == key.column }.map(\.qualifiedTable))
        let small = RelationSizes(snapshot: snapshot).unpartitionedTables
            .filter { Double($0.bytes) < referenceTableBytes.value && !withKey.contains($0.name) }
            .sorted { ($0.bytes, $0.name) > ($1.bytes, $1.name) }
            .map(\.name)
        let required = referenced(snapshot, from: Set(key.tables), among: Set(small))
        return small.filter { required.contains($0) } + small.filter { !required.contains($0) }
    }

    /// Tables in `among` that `from` reference through foreign keys, directly or through
    /// tables already reached.
    public static func referenced(_ snapshot: Snapshot, from: Set<String>, among: Set<String>) -> Set<String> {
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
    public static func keysToExtend(_ snapshot: Snapshot, key: ShardKeyCandidate) -> [ForeignKey] {
        let distributed = Set(key.tables)
        return (snapshot.foreignKeys ?? []).filter { foreign in
            guard distributed.contains(foreign.qualifiedTable), distributed.contains(foreign.qualifiedReferencedTable)
            else { return false }
            return !zip(foreign.columns, foreign.referencedColumns).contains { $0 == key.column && $1 == key.column }
        }
    }

    /// The Citus calls: reference tables first (foreign keys from distributed tables need
    /// them), then the distributed tables co-located on the key. A tenant key still being
    /// backfilled comes with "backfill, then distribute"; hidden statistics make the column
    /// unknown, never "none".
    public static func citusActions(_ snapshot: Snapshot) -> [String] {
        let analysis = analyze(snapshot)
        guard let best = analysis.candidates.first else {
            if let hidden = analysis.hiddenSummary {
                return [
                    "Distribution column unknown (\(hidden)): collect again with that grant to rank the columns of the largest tables."
                ]
            }
            let named = analysis.rejected.filter(\.notable).prefix(3).map { "\($0.column): \($0.reason)" }
            let why = named.isEmpty ? "" : " (rejected: \(named.joined(separator: "; ")))"
            return [
                "No distribution column found: no key-like column (an integer, uuid or short identifier in a primary key, a foreign key or the statements' equality predicates) shared by the largest tables has ≥ \(analysis.floorText) and no dominant value\(why); add a tenant or account id to them before sharding."
            ]
        }
        var actions: [String] = []
        if best.needsBackfill {
            let nulls = Formatting.percent(best.nullShare)
            actions.append(
                "Backfill \(best.column) (\(nulls) NULL in \(best.tables.joined(separator: ", "))), then distribute on it: \(best.reasons.joined(separator: "; ")). Rows with a NULL distribution column would all land in one shard; another column would split what belongs to one tenant."
            )
        } else {
            actions.append("Distribute on \(best.column): \(best.reasons.joined(separator: "; ")).")
        }
        if let hidden = analysis.hiddenSummary {
            actions.append(
                "Ranked without the tables whose statistics are hidden (\(hidden)); grant it and collect again to rank those too."
            )
        }
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

    /// The top candidate, the notable rejected columns with their reasons, and hidden
    /// statistics, as evidence.
    public static func evidence(_ snapshot: Snapshot) -> [Evidence] {
        let analysis = analyze(snapshot)
        var evidence: [Evidence] = []
        if let summary = analysis.hiddenSummary {
            evidence.append(
                Evidence(
                    metric: .shardKeyColumnStatsHidden, value: Double(analysis.hidden.count), threshold: nil,
                    unit: .tables, note: "distribution column unknown for them (\(summary))"))
        }
        if let best = analysis.candidates.first {
            evidence += [
                Evidence(
                    metric: .shardKeyDistinct(column: best.column), value: best.distinctValues,
                    threshold: analysis.minimumDistinct, unit: .values,
                    note: "\(best.tables.joined(separator: ", ")); floor \(analysis.floorText)"),
                Evidence(
                    metric: .shardKeyMostCommonFreq(column: best.column), value: best.dominantShare,
                    threshold: maximumDominantShare.value, unit: .ratio),
                Evidence(
                    metric: .shardKeyForeignKeys(column: best.column), value: best.foreignKeys.map { Double($0.count) },
                    threshold: nil, unit: .foreignKeys,
                    note: best.foreignKeys.map(joinReason) ?? "foreign_keys not in the snapshot: ranked by shared names"
                ),
            ]
            if best.needsBackfill {
                evidence.append(
                    Evidence(
                        metric: .shardKeyNullFrac(column: best.column), value: best.nullShare,
                        threshold: maximumNullShare.value, unit: .ratio,
                        note: "backfill \(best.column) before distributing on it"))
            }
        }
        let notable = analysis.rejected.filter(\.notable)
        evidence += notable.prefix(namedRejections).map { rejection in
            Evidence(
                metric: .shardKeyRejected(column: rejection.column), value: rejection.distinctValues, threshold: nil,
                unit: .values, note: rejection.reason)
        }
        if notable.count > namedRejections {
            evidence.append(
                Evidence(
                    metric: .shardKeyRejectedMore, value: Double(notable.count - namedRejections), threshold: nil,
                    unit: .columns,
                    note: notable.dropFirst(namedRejections).map(\.column).joined(separator: ", ")))
        }
        return evidence
    }

    public static func largest(_ snapshot: Snapshot) -> [SizedRelation] {
        let sizes = RelationSizes(snapshot: snapshot)
        return (sizes.unpartitionedTables + sizes.partitionedTables)
            .sorted { ($0.bytes, $0.name) > ($1.bytes, $1.name) }
            .prefix(Int(largestTables.value))
            .map { $0 }
    }
}

/// What kind of value a column holds, for a distribution column: integers, uuids and text (a
/// short identifier when used as a key) may be one; everything else is refused with why.
public enum KeyKind: Equatable {
    case integer, uuid, text
    case refused(String)

    public init(dataType: String, column: String) {
        let type = dataType.lowercased()
        let integers = [
            "smallint", "integer", "bigint", "int", "int2", "int4", "int8", "smallserial", "serial", "bigserial",
        ]
        if integers.contains(type) {
            // a serial-like counter grows with insertion time: every new row on one shard's range
            self =
                TimeLikeColumn.isSerialCounter(dataType: type, name: column)
                ? .refused("\(dataType) counter: grows with insertion time, groups no rows") : .integer
        } else if type == "uuid" {
            self = .uuid
        } else if type == "text" || type == "citext" || type.hasPrefix("character varying") || type.hasPrefix("varchar")
            || type.hasPrefix("character(") || type == "character" || type == "bpchar"
        {
            self = .text
        } else if type.hasSuffix("[]") {
            self = .refused("\(dataType): an array, not an identifier")
        } else if type.hasPrefix("json") {
            self = .refused("\(dataType): a document, not an identifier")
        } else if TimeLikeColumn.isTimeOrInterval(dataType: type) {
            self = .refused("\(dataType): a time, which related rows do not share")
        } else if ["real", "double precision", "float4", "float8", "money"].contains(type) || type.hasPrefix("numeric")
            || type.hasPrefix("decimal")
        {
            self = .refused("\(dataType): a measured quantity, not an identifier")
        } else if type == "boolean" || type == "bool" {
            self = .refused("\(dataType): two values")
        } else {
            self = .refused("\(dataType): not an integer, uuid or short identifier")
        }
    }

    public var refusal: String? {
        if case let .refused(reason) = self { return reason }
        return nil
    }
}

/// Where columns are used as keys: primary keys, foreign keys (either side) and the equality
/// predicates (`=`, `IN`, `= ANY`) of the statements touching each table, with what the
/// snapshot lacks to tell.
public struct KeyUse {
    /// `schema.table` → columns of its primary key.
    public var primaryKeys: [String: Set<String>] = [:]
    /// `schema.table` → columns in a foreign key on it or referenced by one.
    public var foreignKeys: [String: Set<String>] = [:]
    /// Table as the statements write it (`orders`, `public.orders`) → column → statements.
    public var equality: [String: [String: Int]] = [:]
    /// Sources of key use the snapshot does not have ("foreign keys", "indexes", "statement shapes").
    public var missing: [String] = []

    public static let equalityComparisons: Set<String> = ["=", "IN", "= ANY"]

    public init(_ snapshot: Snapshot) {
        if let indexes = snapshot.indexes {
            for index in indexes where index.isPrimary {
                primaryKeys[index.qualifiedTable, default: []].formUnion(index.columns ?? [])
            }
        } else {
            missing.append("indexes")
        }
        if let keys = snapshot.foreignKeys {
            for key in keys {
                foreignKeys[key.qualifiedTable, default: []].formUnion(key.columns)
                foreignKeys[key.qualifiedReferencedTable, default: []].formUnion(key.referencedColumns)
            }
        } else {
            missing.append("foreign keys")
        }
        var parsedAny = false
        var seen: Set<String> = []
        let statements = (snapshot.statements.topByTotalTime ?? []) + (snapshot.statements.topByCalls ?? [])
        for statement in statements where seen.insert(statement.queryid).inserted {
            let shape: StatementShape
            if let known = statement.shape {
                shape = known
            } else if let query = statement.query, case let .success(parsed) = StatementParser.parse(query) {
                shape = parsed
            } else {
                continue
            }
            parsedAny = true
            let columns = Set(
                shape.parameters.compactMap { parameter -> String? in
                    guard let column = parameter.column, let comparison = parameter.comparison,
                        Self.equalityComparisons.contains(comparison)
                    else { return nil }
                    return column.split(separator: ".").last.map(String.init)
                })
            for table in Set(shape.tablesRead + shape.tablesWritten) {
                for column in columns { equality[table, default: [:]][column, default: 0] += 1 }
            }
        }
        if !snapshot.statements.available || !parsedAny { missing.append("statement shapes") }
    }

    public func primaryKeyTables(of column: String, in tables: [String]) -> [String] {
        tables.filter { primaryKeys[$0]?.contains(column) == true }
    }

    /// Statements comparing `column` for equality on `table` (written with or without schema).
    public func equalityStatements(of column: String, on table: String) -> Int {
        let bare = table.split(separator: ".", maxSplits: 1).last.map(String.init) ?? table
        return (equality[table]?[column] ?? 0) + (bare == table ? 0 : equality[bare]?[column] ?? 0)
    }

    /// "in the primary key of public.orders", "in foreign keys of 3 tables", "compared for
    /// equality in 4 statements on public.orders, public.events"; empty when unused.
    public func describe(_ column: String, in tables: [String]) -> [String] {
        var uses: [String] = []
        let keyed = primaryKeyTables(of: column, in: tables)
        if !keyed.isEmpty { uses.append("in the primary key of \(keyed.joined(separator: ", "))") }
        let foreign = tables.filter { foreignKeys[$0]?.contains(column) == true }
        if !foreign.isEmpty {
            uses.append("in foreign keys of \(foreign.count) table\(foreign.count == 1 ? "" : "s")")
        }
        let compared = tables.map { ($0, equalityStatements(of: column, on: $0)) }.filter { $0.1 > 0 }
        if !compared.isEmpty {
            let count = compared.reduce(0) { $0 + $1.1 }
            uses.append(
                "compared for equality in \(count) statement\(count == 1 ? "" : "s") on \(compared.map(\.0).joined(separator: ", "))"
            )
        }
        return uses
    }
}
