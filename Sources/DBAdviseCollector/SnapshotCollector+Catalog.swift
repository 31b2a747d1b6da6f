import DBAdviseModel
import Foundation
import PostgresClient

/// Tables, indexes, partition trees, column statistics and foreign keys, read once at the end.
struct Catalog {
    var tables: [TableStats]?
    var indexes: [IndexStats]?
    var partitions: [PartitionTree]?
    var columnStats: [ColumnStats]?
    var foreignKeys: [ForeignKey]?
}

/// A table row with the oids that link partitions to parents (not part of the snapshot).
private struct TableRow {
    var oid: Int
    var parentOid: Int?
    var bound: String?
    /// Free space map, visibility map and init fork of the heap: part of its total.
    var otherForks: Int?
    var stats: TableStats
}

/// An index row with its table's oid and the size of its forks other than main.
private struct IndexRow {
    var tableOid: Int?
    var otherForks: Int?
    var stats: IndexStats
}

extension SnapshotCollector {
    func readCatalog(start: CounterSample?, end: CounterSample, rateSeconds: Double?)
        throws(CollectorError) -> Catalog
    {
        var catalog = Catalog()
        let locked =
            try section("tables.locks") {
                try run(TableQueries.lockedRelations).compactMap { row throws(PostgresError) in
                    try row.int("relation")
                }
            } ?? []
        let lockedArray = Self.intArray(locked)

        var rows = try readTables(locked: lockedArray, withSizes: true)
        if rows == nil, refusals["tables"] == .lockNotAvailable {
            // a lock taken after we looked: read everything but the sizes
            rows = try readTables(locked: lockedArray, withSizes: false)
            recordUnavailable("tables.sizes", "a table was locked while sizes were read")
        }
        // indexes before the totals: each table's index bytes are its indexes' sizes
        let indexRows = try readIndexes(locked: lockedArray)
        catalog.indexes = indexRows?.map(\.stats)
        if var rows {
            Self.addSizes(of: indexRows, to: &rows)
            if indexRows == nil, rows.contains(where: { $0.stats.heapBytes != nil }) {
                recordUnavailable("tables.total_bytes", "index sizes could not be read (see indexes)")
            }
            for row in rows where locked.contains(row.oid) {
                recordUnavailable(
                    row.stats.qualifiedName,
                    "sizes not read: another session holds or awaits an ACCESS EXCLUSIVE lock on it"
                )
            }
            catalog.tables = Self.withPartitionTotals(
                rows.map { row in
                    var stats = row.stats
                    if start == nil, end.tables.isEmpty {
                        // since the reset: the cumulative counters this very row holds
                        stats.writesPerSecond = perSecond(Self.writes(of: stats), rateSeconds)
                        stats.readsPerSecond = perSecond(Self.reads(of: stats), rateSeconds)
                    } else if let endCounters = end.tables[row.oid] {
                        let startCounters = start?.tables[row.oid]
                        stats.writesPerSecond = perSecond(
                            start == nil ? endCounters.writes : counterDelta(endCounters.writes, startCounters?.writes),
                            rateSeconds)
                        stats.readsPerSecond = perSecond(
                            start == nil ? endCounters.reads : counterDelta(endCounters.reads, startCounters?.reads),
                            rateSeconds)
                    }
                    return (row.oid, row.parentOid, stats)
                })
            catalog.partitions = try readPartitionTrees(
                rows: rows, tables: catalog.tables ?? [], locked: lockedArray)
        }
        catalog.columnStats = try section("column_stats") {
            try run(TableQueries.columnStats, [String(options.columnStatsTables)]).map {
                row throws(PostgresError) in
                var column = ColumnStats(
                    schema: try row.string("schema") ?? "", table: try row.string("table_name") ?? "",
                    column: try row.string("column_name") ?? "",
                    dataType: try row.string("data_type") ?? "")
                column.correlation = try row.double("correlation")
                column.nDistinct = try row.double("n_distinct")
                column.nullFrac = try row.double("null_frac")
                column.mostCommonFreq = try row.double("most_common_freq")
                column.avgWidth = try row.int("avg_width")
                return column
            }
        }
        if let columnStats = catalog.columnStats {
            try recordHiddenColumnStats(columnStats, tables: catalog.tables)
        }
        catalog.foreignKeys = try section("foreign_keys") {
            try run(TableQueries.foreignKeys(serverVersion: serverVersion)).map { row throws(PostgresError) in
                ForeignKey(
                    schema: try row.string("schema") ?? "", table: try row.string("table_name") ?? "",
                    name: try row.string("name") ?? "", columns: try row.stringArray("columns") ?? [],
                    referencedSchema: try row.string("referenced_schema") ?? "",
                    referencedTable: try row.string("referenced_table") ?? "",
                    referencedColumns: try row.stringArray("referenced_columns") ?? [],
                    enforced: try row.bool("enforced") ?? true)
            }
        }
        return catalog
    }

    /// pg_stats shows a table's rows only to a role that may SELECT it: under `pg_monitor`
    /// alone, a table's column statistics are then missing, not absent. Each table of
    /// `columns` that holds rows, shows no statistics and is hidden from this role is recorded
    /// as unavailable (`column_stats.<schema.table>`) with the grant that shows it, so the
    /// partitioning and shard-key advice says "unknown" rather than "no such column".
    private func recordHiddenColumnStats(_ columns: [ColumnStats], tables: [TableStats]?) throws(CollectorError) {
        let hidden = try section("column_stats_visibility") {
            try run(TableQueries.hiddenColumnStats).map { row throws(PostgresError) in
                (
                    name: "\(try row.string("schema") ?? "").\(try row.string("table_name") ?? "")",
                    lacksSelect: try row.bool("lacks_select") ?? true
                )
            }
        }
        guard let hidden, !hidden.isEmpty else { return }
        let read = Set(columns.map(\.qualifiedTable))
        let shown = Set(
            columns.filter { $0.nDistinct != nil || $0.nullFrac != nil || $0.correlation != nil }
                .map(\.qualifiedTable))
        let rowsByTable = Dictionary(
            (tables ?? []).map { ($0.qualifiedName, max($0.nLiveTup ?? 0, Int($0.reltuples ?? 0))) },
            uniquingKeysWith: { first, _ in first })
        for table in hidden where read.contains(table.name) && !shown.contains(table.name) {
            // an empty table has no statistics to hide (unknown row counts: recorded)
            guard (rowsByTable[table.name] ?? 1) > 0 else { continue }
            let grant =
                serverVersion >= 140000
                ? "grant SELECT on \(table.name), or the role pg_read_all_data (PostgreSQL 14+)"
                : "grant SELECT on \(table.name)"
            recordUnavailable(
                Unavailable.hiddenColumnStatsPrefix + table.name,
                table.lacksSelect
                    ? "column statistics hidden: pg_stats shows only tables the role may SELECT; \(grant)"
                    : "column statistics hidden: row-level security applies to the role on \(table.name), and pg_stats hides such tables; collect as its owner or a role with BYPASSRLS"
            )
        }
    }

    private func readIndexes(locked: String) throws(CollectorError) -> [IndexRow]? {
        try section("indexes") {
            try run(TableQueries.indexes, [locked, "true"]).map { row throws(PostgresError) in
                var index = IndexStats(
                    schema: try row.string("schema") ?? "", table: try row.string("table_name") ?? "",
                    name: try row.string("name") ?? "", isUnique: try row.bool("is_unique") ?? false,
                    isPrimary: try row.bool("is_primary") ?? false,
                    isValid: try row.bool("is_valid") ?? true)
                index.bytes = try row.int("bytes")
                index.idxScan = try row.int("idx_scan")
                index.columns = try row.stringArray("columns")
                return IndexRow(
                    tableOid: try row.int("table_oid"), otherForks: try row.int("other_forks_bytes"), stats: index)
            }
        }
    }

    /// Index bytes (every fork of every index, as `pg_indexes_size`) and the total (heap
    /// forks + TOAST + indexes, as `pg_total_relation_size`) of each table with storage
    /// whose sizes were read; unknown when an index's size is, or the indexes were not read.
    private static func addSizes(of indexes: [IndexRow]?, to rows: inout [TableRow]) {
        var indexBytes: [Int: Int?] = [:]
        for index in indexes ?? [] {
            guard let table = index.tableOid else { continue }
            let bytes = sum(index.stats.bytes, index.otherForks)
            indexBytes[table] = sum(indexBytes[table] ?? 0, bytes)
        }
        for position in rows.indices where rows[position].stats.relkind != "p" {
            guard let heap = rows[position].stats.heapBytes else { continue }
            let index: Int? = indexes == nil ? nil : (indexBytes[rows[position].oid] ?? 0)
            rows[position].stats.indexBytes = index
            rows[position].stats.totalBytes = sum(
                heap, rows[position].otherForks, rows[position].stats.toastBytes, index)
        }
    }

    /// What ``TableQueries/counters`` counts as writes and reads, from the table's own row
    /// (nil when it has no statistics row, as a partitioned table has none).
    static func writes(of stats: TableStats) -> Int? {
        guard let inserted = stats.nTupIns, let updated = stats.nTupUpd, let deleted = stats.nTupDel else {
            return nil
        }
        return inserted + updated + deleted
    }

    static func reads(of stats: TableStats) -> Int? {
        guard stats.nTupIns != nil else { return nil }
        return (stats.seqTupRead ?? 0) + (stats.idxTupFetch ?? 0)
    }

    private func readTables(locked: String, withSizes: Bool) throws(CollectorError) -> [TableRow]? {
        try section("tables") {
            try run(TableQueries.tables, [locked, withSizes ? "true" : "false"]).map {
                row throws(PostgresError) in
                var stats = TableStats(
                    schema: try row.string("schema") ?? "", name: try row.string("name") ?? "",
                    relkind: try row.string("relkind") ?? "r",
                    isPartition: try row.bool("is_partition") ?? false)
                stats.heapBytes = try row.int("heap_bytes")
                stats.toastBytes = try row.int("toast_bytes")
                stats.reltuples = try row.double("reltuples")
                stats.relfrozenxidAge = try row.int("relfrozenxid_age")
                stats.nLiveTup = try row.int("n_live_tup")
                stats.nDeadTup = try row.int("n_dead_tup")
                stats.seqScan = try row.int("seq_scan")
                stats.seqTupRead = try row.int("seq_tup_read")
                stats.idxScan = try row.int("idx_scan")
                stats.idxTupFetch = try row.int("idx_tup_fetch")
                stats.nTupIns = try row.int("n_tup_ins")
                stats.nTupUpd = try row.int("n_tup_upd")
                stats.nTupDel = try row.int("n_tup_del")
                stats.nTupHotUpd = try row.int("n_tup_hot_upd")
                stats.lastVacuum = try row.date("last_vacuum")
                stats.lastAutovacuum = try row.date("last_autovacuum")
                stats.lastAnalyze = try row.date("last_analyze")
                stats.lastAutoanalyze = try row.date("last_autoanalyze")
                stats.vacuumCount = try row.int("vacuum_count")
                stats.autovacuumCount = try row.int("autovacuum_count")
                stats.analyzeCount = try row.int("analyze_count")
                stats.autoanalyzeCount = try row.int("autoanalyze_count")
                return TableRow(
                    oid: try row.int("oid") ?? 0, parentOid: try row.int("parent_oid"),
                    bound: try row.string("partition_bound"), otherForks: try row.int("other_forks_bytes"),
                    stats: stats)
            }
        }
    }

    /// Fills `partition_of` and gives each partitioned table the sum of its partitions
    /// (it has no storage of its own); unknown when any partition's size is unknown.
    static func withPartitionTotals(_ rows: [(oid: Int, parent: Int?, stats: TableStats)])
        -> [TableStats]
    {
        let byOid = Dictionary(rows.map { ($0.oid, $0) }, uniquingKeysWith: { first, _ in first })
        let children = Dictionary(grouping: rows.filter { $0.parent != nil }, by: { $0.parent ?? 0 })
        func total(_ oid: Int, depth: Int) -> (bytes: Int?, rows: Int?) {
            guard let row = byOid[oid] else { return (nil, nil) }
            guard row.stats.relkind == "p", depth < 64 else {
                return (row.stats.totalBytes, row.stats.nLiveTup)
            }
            var bytes: Int? = 0
            var liveRows: Int? = 0
            for child in children[oid] ?? [] {
                let sub = total(child.oid, depth: depth + 1)
                bytes = sum(bytes, sub.bytes)
                liveRows = sum(liveRows, sub.rows)
            }
            return (bytes, liveRows)
        }
        return rows.map { row in
            var stats = row.stats
            if let parent = row.parent, let parentRow = byOid[parent] {
                stats.partitionOf = parentRow.stats.qualifiedName
            }
            if stats.relkind == "p" {
                let sums = total(row.oid, depth: 0)
                stats.totalBytes = sums.bytes
                stats.nLiveTup = sums.rows
            }
            return stats
        }
    }

    /// `tables`: `rows` with their partition totals, in the same order.
    private func readPartitionTrees(rows: [TableRow], tables: [TableStats], locked: String)
        throws(CollectorError)
        -> [PartitionTree]?
    {
        let statsByOid = Dictionary(
            zip(rows.map(\.oid), tables), uniquingKeysWith: { first, _ in first })
        let children = Dictionary(grouping: rows.filter { $0.parentOid != nil }) {
            $0.parentOid ?? 0
        }
        let indexes = try readPartitionedIndexes()
        return try section("partitions") {
            try run(TableQueries.partitionedTables, [locked]).map { row throws(PostgresError) in
                let oid = try row.int("oid") ?? 0
                let defaultOid = try row.int("default_oid")
                let strategy: PartitionTree.Strategy =
                    switch try row.string("strategy") {
                    case "l": .list
                    case "h": .hash
                    default: .range
                    }
                let partitions = (children[oid] ?? []).map { child in
                    let stats = statsByOid[child.oid] ?? child.stats
                    return Partition(
                        schema: stats.schema, name: stats.name, bound: child.bound,
                        isDefault: child.oid == defaultOid, isPartitioned: stats.relkind == "p",
                        totalBytes: stats.totalBytes, rows: stats.nLiveTup)
                }
                let defaultName = (children[oid] ?? []).first { $0.oid == defaultOid }
                    .map { $0.stats.qualifiedName }
                return PartitionTree(
                    schema: try row.string("schema") ?? "", name: try row.string("name") ?? "",
                    strategy: strategy, key: try row.string("key"),
                    keyColumns: try row.stringArray("key_columns") ?? [],
                    partitionOf: statsByOid[oid]?.partitionOf, partitions: partitions,
                    defaultPartition: defaultName,
                    partitionedIndexes: indexes.map { $0[oid] ?? [] })
            }
        }
    }

    /// Each partitioned table's indexes by the table's oid; nil when they could not be read.
    private func readPartitionedIndexes() throws(CollectorError) -> [Int: [PartitionedIndex]]? {
        let rows = try section("partitions.indexes") {
            try run(TableQueries.partitionedIndexes).map { row throws(PostgresError) in
                (
                    table: try row.int("table_oid") ?? 0,
                    index: PartitionedIndex(
                        name: try row.string("name") ?? "", definition: try row.string("definition"),
                        isValid: try row.bool("is_valid") ?? true, isUnique: try row.bool("is_unique") ?? false,
                        isPrimary: try row.bool("is_primary") ?? false,
                        constraintName: try row.string("constraint_name"),
                        missingPartitions: try row.stringArray("missing_partitions") ?? [])
                )
            }
        }
        return rows.map { rows in Dictionary(grouping: rows, by: \.table).mapValues { $0.map(\.index) } }
    }
}
