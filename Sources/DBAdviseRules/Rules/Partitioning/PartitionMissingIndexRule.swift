import DBAdviseAnalysis
import DBAdviseModel

/// Partitions without the parent's index: queries on them scan, and a unique key is not
/// enforced there.
///
/// Logic: every index of a partitioned table (`pg_class.relkind = 'I'`) should have one index
/// attached to it on each partition (`pg_inherits` between the indexes). `CREATE INDEX ... ON
/// ONLY parent` makes such an index without touching the partitions, and it stays invalid
/// until each partition's index is attached; a partition created or attached later gets one
/// automatically, so the gaps are the partitions that existed when the index was made ON ONLY
/// and never got theirs. The collector lists, per parent index, the partitions with nothing
/// attached (one catalog query). The fix is the manual's recipe for indexing a partitioned
/// table without blocking writes: on each such partition CREATE INDEX CONCURRENTLY (a primary
/// key or unique constraint then made from it with ADD CONSTRAINT ... USING INDEX), then ALTER
/// INDEX parent_index ATTACH PARTITION; the parent index turns valid with the last one.
public struct PartitionMissingIndexRule: Rule {
    public static let missingPartitions = RuleParameter(
        name: "partitions_missing_index", value: 1, unit: .partitions,
        why: "A single partition without the parent's index is scanned in full by queries that use the index elsewhere."
    )
    public static let listedPartitions = RuleParameter(
        name: "listed_partition_fixes", value: 10, unit: .partitions,
        why: "The SQL is spelled out for the first ten partitions; the rest follow the same two steps.")

    public static let description = RuleDescription(
        id: "partition-missing-indexes", strategy: .partitioning,
        title: "Give every partition the parent's indexes",
        rationale: """
            An index of a partitioned table is made of one index per partition, attached to \
            it. One created with CREATE INDEX ... ON ONLY parent stays invalid until every \
            partition has its own attached: until then the partitions without it are scanned \
            in full where the others use the index, and a primary key or unique constraint is \
            not enforced on them. Build each missing index with CREATE INDEX CONCURRENTLY on \
            the partition (writes continue) and attach it with ALTER INDEX ... ATTACH PARTITION.
            """,
        sources: [Manual.partitioningMaintenance, Manual.alterIndex, Manual.createIndexConcurrently],
        thresholds: [], parameters: [missingPartitions, listedPartitions],
        inputs: [
            "partitioned_tables.partitioned_indexes.missing_partitions",
            "partitioned_tables.partitioned_indexes.definition", "partitioned_tables.partitioned_indexes.is_valid",
            "partitioned_tables.partitions.total_bytes",
        ])

    public init() {}

    public func evaluate(_ context: RuleContext) -> RuleVerdict {
        let trees = context.snapshot.partitionedTables ?? []
        guard !trees.isEmpty else { return pass("no partitioned tables", []) }
        let unread = trees.filter { $0.partitionedIndexes == nil }.count
        var found: [Recommendation] = []
        var indexCount = 0
        for tree in trees {
            let indexes = tree.partitionedIndexes ?? []
            indexCount += indexes.count
            let gaps = indexes.filter { Double($0.missingPartitions.count) >= Self.missingPartitions.value }
            guard !gaps.isEmpty else { continue }
            found.append(recommend(tree, gaps))
        }
        guard found.isEmpty else { return .recommend(found) }
        let note = unread > 0 ? " (\(unread) partitioned table(s) without index information)" : ""
        return pass(
            "every partition has its parent's indexes (\(indexCount) partitioned index(es) checked)\(note)",
            [Self.missingPartitions.evidence(metric: .partitionsMissingIndex, value: unread > 0 ? nil : 0)])
    }

    private func recommend(_ tree: PartitionTree, _ gaps: [PartitionedIndex]) -> Recommendation {
        let bytesOf = Dictionary(
            tree.partitions.map { ($0.qualifiedName, $0.totalBytes) }, uniquingKeysWith: { first, _ in first })
        let partitioned = Set(tree.partitions.filter(\.isPartitioned).map(\.qualifiedName))
        let enforcing = gaps.filter { $0.isUnique || $0.constraintName != nil }
        let described = gaps.map { index in
            "\(index.name)\(index.isValid ? "" : " (invalid)") is missing on \(index.missingPartitions.joined(separator: ", "))"
        }
        var summary = "\(tree.qualifiedName): \(described.joined(separator: "; "))."
        if !enforcing.isEmpty {
            summary +=
                " \(enforcing.map(\.name).joined(separator: ", ")) back\(enforcing.count == 1 ? "s" : "") a unique key that those partitions do not enforce."
        }
        let evidence = gaps.map { index in
            let bytes = index.missingPartitions.compactMap { bytesOf[$0] ?? nil }
            return Self.missingPartitions.evidence(
                metric: .partitionsMissingIndex(index: index.name), value: Double(index.missingPartitions.count),
                note: bytes.count == index.missingPartitions.count
                    ? "\(Formatting.bytes(bytes.reduce(0, +))) to index" : nil)
        }
        var actions: [String] = []
        let pairs = gaps.flatMap { index in index.missingPartitions.map { (index, $0) } }
        for (index, partition) in pairs.prefix(Int(Self.listedPartitions.value)) {
            actions += fix(index, on: partition, in: tree, partitioned: partitioned.contains(partition))
        }
        if pairs.count > Int(Self.listedPartitions.value) {
            actions.append(
                "The other \(pairs.count - Int(Self.listedPartitions.value)) partitions the same way: build the index CONCURRENTLY on the partition, then ALTER INDEX … ATTACH PARTITION."
            )
        }
        actions.append(
            "The same recipe adds any new index to a partitioned table without blocking writes: CREATE INDEX … ON ONLY \(SQL.qualified(tree.schema, tree.name)) (instant, invalid), then on each partition CREATE INDEX CONCURRENTLY and ALTER INDEX … ATTACH PARTITION; the parent index turns valid when the last partition's index is attached."
        )
        return recommendation(
            severity: enforcing.isEmpty ? .warning : .critical, target: tree.qualifiedName, summary: summary,
            evidence: evidence, actions: actions)
    }

    /// The SQL for one partition: build (its own action: CONCURRENTLY cannot run in a
    /// transaction block), then attach.
    private func fix(_ index: PartitionedIndex, on partition: String, in tree: PartitionTree, partitioned: Bool)
        -> [String]
    {
        let parentIndex = SQL.qualified(tree.schema, index.name)
        let (partitionSchema, partitionName) = split(partition, in: tree)
        let target = SQL.qualified(partitionSchema, partitionName)
        let childName = SQL.truncatedName(partitionName + "_" + suffix(of: index.name, parentTable: tree.name))
        let child = SQL.identifier(childName)
        guard let method = index.definition.flatMap(methodAndColumns) else {
            return [
                "Create on \(partition) an index like \(index.name) (its definition is not in this snapshot), CONCURRENTLY, then ALTER INDEX \(parentIndex) ATTACH PARTITION it."
            ]
        }
        let unique = index.isUnique ? "UNIQUE " : ""
        if partitioned {
            // CREATE INDEX CONCURRENTLY does not work on a partitioned table: index it ON ONLY
            // and give its own partitions their indexes the same way.
            return [
                """
                -- \(partition) is itself partitioned: an invalid index ON ONLY it, attached; then index each of its partitions as here
                -- lock: SHARE on \(partition) itself only (no rows to read), SHARE UPDATE EXCLUSIVE on \(index.name)
                CREATE \(unique)INDEX \(child) ON ONLY \(target) USING \(method);
                ALTER INDEX \(parentIndex) ATTACH PARTITION \(SQL.qualified(partitionSchema, childName));
                """
            ]
        }
        var attach = ""
        if let constraint = index.constraintName {
            if index.isPrimary {
                attach = "ALTER TABLE \(target) ADD CONSTRAINT \(child) PRIMARY KEY USING INDEX \(child);\n"
            } else if index.isUnique {
                attach = "ALTER TABLE \(target) ADD CONSTRAINT \(child) UNIQUE USING INDEX \(child);\n"
            } else {
                return [
                    "\(index.name) backs the exclusion constraint \(constraint): add the same EXCLUDE constraint to \(partition) (ALTER TABLE … ADD CONSTRAINT … EXCLUDE, ACCESS EXCLUSIVE while it builds), then ALTER INDEX \(parentIndex) ATTACH PARTITION its index."
                ]
            }
        }
        let constraintLock =
            attach.isEmpty
            ? "" : "ACCESS EXCLUSIVE on \(partition) for the constraint (no scan: its columns are NOT NULL), "
        return [
            """
            -- Build \(index.name) on \(partition) (run alone: CONCURRENTLY cannot run in a transaction block)
            -- lock: SHARE UPDATE EXCLUSIVE on \(partition) while it builds; reads and writes continue
            CREATE \(unique)INDEX CONCURRENTLY \(child) ON \(target) USING \(method);
            """,
            """
            -- Attach it: \(index.name) turns valid once every partition has its index
            -- lock: \(constraintLock)SHARE UPDATE EXCLUSIVE on \(index.name), brief
            \(attach)ALTER INDEX \(parentIndex) ATTACH PARTITION \(SQL.qualified(partitionSchema, childName));
            """,
        ]
    }

    /// `btree (tenant_id)` from `CREATE INDEX x ON ONLY public.t USING btree (tenant_id)`.
    private func methodAndColumns(_ definition: String) -> String? {
        guard let using = definition.range(of: " USING ") else { return nil }
        let rest = definition[using.upperBound...]
        return rest.isEmpty ? nil : String(rest)
    }

    /// `tenant_idx` from `events_tenant_idx` on `events`: the parent's index name without the
    /// parent's table name in front.
    private func suffix(of indexName: String, parentTable: String) -> String {
        let prefix = parentTable + "_"
        guard indexName.hasPrefix(prefix), indexName.count > prefix.count else { return indexName }
        return String(indexName.dropFirst(prefix.count))
    }

    /// Schema and name of a partition listed as `schema.name`, looked up in the tree so names
    /// with dots split right.
    private func split(_ qualified: String, in tree: PartitionTree) -> (String, String) {
        if let partition = tree.partitions.first(where: { $0.qualifiedName == qualified }) {
            return (partition.schema, partition.name)
        }
        guard let dot = qualified.firstIndex(of: ".") else { return (tree.schema, qualified) }
        return (String(qualified[..<dot]), String(qualified[qualified.index(after: dot)...]))
    }
}
