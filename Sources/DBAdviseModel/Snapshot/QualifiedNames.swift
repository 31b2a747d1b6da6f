// `schema.name` for the snapshot rows that carry a schema, so the form a table is keyed by
// (`RuleContext.table(_:)`, `unavailable` entries, evidence targets) is built in one place.
// `TableStats.qualifiedName`, `PartitionTree.qualifiedName` and `ForeignKey.qualifiedTable`
// sit on their types in Snapshot.swift. The parts are joined as stored, never quoted: SQL
// text quotes them with `SQL.qualified`.

extension IndexStats {
    /// `schema.name` of the index itself.
    public var qualifiedName: String { "\(schema).\(name)" }
    /// `schema.table` of the table the index is on (an index lives in its table's schema).
    public var qualifiedTable: String { "\(schema).\(table)" }
}

extension Partition {
    /// `schema.name` of the partition: the key of its `TableStats` when it is a leaf.
    public var qualifiedName: String { "\(schema).\(name)" }
}

extension ColumnStats {
    /// `schema.table` of the table the column belongs to.
    public var qualifiedTable: String { "\(schema).\(table)" }
}
