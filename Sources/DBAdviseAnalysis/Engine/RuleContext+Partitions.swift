import DBAdviseModel

extension RuleContext {
    /// "largest table public.t 42 GB < 100 GB table_size_gb warning", shared by the
    /// partitioning rules so their quiet reasons read alike.
    public var largestTableComparison: String {
        guard let largest = sizes.largestTable else {
            return "table sizes unknown (\(note(for: .largestTableBytes) ?? "not collected"))"
        }
        return "largest table \(largest.name) "
            + comparison(Double(largest.bytes), .tableSizeGB, metric: .sizeSpoken)
            .replacingOccurrences(of: "size ", with: "")
    }

    /// Unpartitioned tables at or over table_size_gb, largest first, with their severity.
    public var largeUnpartitionedTables: [(table: SizedRelation, severity: Severity)] {
        let levels = levels(.tableSizeGB)
        return sizes.unpartitionedTables.compactMap { table in
            levels.severity(of: Double(table.bytes)).map { (table, $0) }
        }
        .sorted { $0.table.bytes > $1.table.bytes }
    }

    /// Evidence of deletes and vacuum work on a table: old rows removed, dead tuples.
    public func churnEvidence(_ name: String) -> [Evidence] {
        guard let table = table(name) else { return [] }
        return [
            Evidence(metric: .nTupDel, value: table.nTupDel.map(Double.init), threshold: nil, unit: .rows),
            Evidence(metric: .nDeadTup, value: table.nDeadTup.map(Double.init), threshold: nil, unit: .rows),
            Evidence(
                metric: .autovacuumCount, value: table.autovacuumCount.map(Double.init), threshold: nil, unit: .runs),
        ]
    }

    /// Leaf partitions of a partitioned table, with their sizes and rows.
    public func leaves(of tree: PartitionTree) -> [Partition] {
        let trees = snapshot.partitionedTables ?? []
        return tree.partitions.flatMap { partition -> [Partition] in
            if partition.isPartitioned,
                let child = trees.first(where: { $0.schema == partition.schema && $0.name == partition.name })
            {
                return leaves(of: child)
            }
            return partition.isPartitioned ? [] : [partition]
        }
    }

    public var topLevelPartitionTrees: [PartitionTree] {
        (snapshot.partitionedTables ?? []).filter { $0.partitionOf == nil }
    }
}

public func median(_ values: [Double]) -> Double? {
    guard !values.isEmpty else { return nil }
    let sorted = values.sorted()
    let middle = sorted.count / 2
    return sorted.count % 2 == 0 ? (sorted[middle - 1] + sorted[middle]) / 2 : sorted[middle]
}

extension Manual {
    public static let pgPartman = "https://github.com/pgpartman/pg_partman/blob/master/doc/pg_partman.md"
    public static let citusDistribution = "https://docs.citusdata.com/en/stable/sharding/data_modeling.html"
    public static let partitioningMaintenance =
        "https://www.postgresql.org/docs/current/ddl-partitioning.html#DDL-PARTITIONING-DECLARATIVE-MAINTENANCE"
    public static let alterIndex = "https://www.postgresql.org/docs/current/sql-alterindex.html"
    public static let createIndexConcurrently =
        "https://www.postgresql.org/docs/current/sql-createindex.html#SQL-CREATEINDEX-CONCURRENTLY"
    public static let alterTableDetach =
        "https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-DETACH-PARTITION"
    public static let pgStatReset =
        "https://www.postgresql.org/docs/current/monitoring-stats.html#MONITORING-STATS-FUNCTIONS"
}
