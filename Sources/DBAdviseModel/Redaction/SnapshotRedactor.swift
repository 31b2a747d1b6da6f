import Foundation

/// `collect --redact`: replaces schema, table, index, column and slot names with keyed
/// pseudonyms, and drops query texts, host names, client addresses and partition bounds, so
/// a snapshot can be shared with outsiders. Each statement's parsed shape stays, with its
/// names replaced by the same pseudonyms, so the query-mix advice still works.
///
/// A pseudonym is HMAC-SHA256 of the name under the user's ``RedactionKey``: the same in
/// every snapshot collected with that key, so a redacted series still lines up table by
/// table, and not checkable against a guessed name without the key. Numbers (row counts,
/// sizes, rates) and the shapes of statements stay: they are what the advice is made of.
public enum SnapshotRedactor {
    public static func redact(_ snapshot: Snapshot, key: RedactionKey) -> Snapshot {
        // names repeat (schemas, columns, tables named by indexes and keys): each is hashed once
        var memo: [String: String] = [:]
        func pseudonym(_ name: String) -> String {
            if let known = memo[name] { return known }
            let hidden = key.pseudonym(name)
            memo[name] = hidden
            return hidden
        }
        /// `schema.table` → `r_….r_…`
        func qualified(_ name: String) -> String {
            guard let dot = name.firstIndex(of: ".") else { return pseudonym(name) }
            return pseudonym(String(name[..<dot])) + "." + pseudonym(String(name[name.index(after: dot)...]))
        }
        var copy = snapshot
        var names: Set<String> = []
        func hide(_ name: String) -> String {
            names.insert(name)
            return pseudonym(name)
        }
        func hideQualified(_ name: String?) -> String? {
            guard let name else { return nil }
            names.insert(name)
            return qualified(name)
        }
        copy.redacted = true
        copy.redaction = Redaction(keyId: key.id, publicSchema: pseudonym("public"))
        copy.connection = ConnectionInfo(
            host: nil, port: nil, database: copy.connection.database.map(hide), user: nil)
        copy.database?.name = hide(snapshot.database?.name ?? "")
        copy.tables = snapshot.tables?.map { table in
            var table = table
            names.insert(table.qualifiedName)
            table.schema = hide(table.schema)
            table.name = hide(table.name)
            table.partitionOf = hideQualified(table.partitionOf)
            return table
        }
        copy.indexes = snapshot.indexes?.map { index in
            var index = index
            index.schema = hide(index.schema)
            index.table = hide(index.table)
            index.name = hide(index.name)
            index.columns = index.columns?.map(hide)
            return index
        }
        copy.partitionedTables = snapshot.partitionedTables?.map { tree in
            var tree = tree
            tree.schema = hide(tree.schema)
            tree.name = hide(tree.name)
            tree.keyColumns = tree.keyColumns.map(hide)
            // the key may be an expression over names and literals: rebuilt from the columns
            tree.key = "\(tree.strategy.rawValue.uppercased()) (\(tree.keyColumns.joined(separator: ", ")))"
            tree.partitionOf = hideQualified(tree.partitionOf)
            tree.defaultPartition = hideQualified(tree.defaultPartition)
            tree.partitions = tree.partitions.map { partition in
                var partition = partition
                partition.schema = hide(partition.schema)
                partition.name = hide(partition.name)
                partition.bound = partition.isDefault ? "DEFAULT" : nil
                return partition
            }
            tree.partitionedIndexes = tree.partitionedIndexes?.map { index in
                var index = index
                index.name = hide(index.name)
                index.definition = nil
                index.constraintName = index.constraintName.map(hide)
                index.missingPartitions = index.missingPartitions.map { hideQualified($0) ?? $0 }
                return index
            }
            return tree
        }
        copy.foreignKeys = snapshot.foreignKeys?.map { key in
            var key = key
            key.schema = hide(key.schema)
            key.table = hide(key.table)
            key.name = hide(key.name)
            key.columns = key.columns.map(hide)
            key.referencedSchema = hide(key.referencedSchema)
            key.referencedTable = hide(key.referencedTable)
            key.referencedColumns = key.referencedColumns.map(hide)
            return key
        }
        copy.columnStats = snapshot.columnStats?.map { column in
            var column = column
            column.schema = hide(column.schema)
            column.table = hide(column.table)
            column.column = hide(column.column)
            return column
        }
        // texts go (a utility statement's constants are not normalized, comments are kept);
        // the parsed shape stays, its table and column names hashed like the tables'
        func withoutText(_ statement: Statement) -> Statement {
            var statement = statement
            statement.query = nil
            statement.shape = statement.shape?.renamed(pseudonym)
            // the parser's message may quote the text ("syntax error at or near …")
            statement.parseError = statement.parseError.map { _ in redactedParseError }
            return statement
        }
        copy.statements.topByTotalTime = snapshot.statements.topByTotalTime?.map(withoutText)
        copy.statements.topByCalls = snapshot.statements.topByCalls?.map(withoutText)
        if var replication = snapshot.replication {
            replication.standbys = replication.standbys?.map { standby in
                var standby = standby
                standby.applicationName = standby.applicationName.map(hide)
                standby.clientAddr = nil
                return standby
            }
            replication.slots = replication.slots?.map { slot in
                var slot = slot
                slot.slotName = hide(slot.slotName)
                return slot
            }
            replication.replicas = replication.replicas?.map { replica in
                var replica = replica
                replica.connection = nil
                replica.error = replica.error.map { _ in "unreachable (details redacted)" }
                return replica
            }
            copy.replication = replication
        }
        // reasons quote server messages, which may name tables: longest names first, so
        // "public.events" is replaced before "events"
        let ordered = names.filter { $0.count >= 3 }.sorted { $0.count > $1.count }
        copy.unavailable = snapshot.unavailable.map { item in
            var reason = item.reason
            // `column_stats.<schema.table>`: the prefix is ours, only the table is a name
            let prefix = item.hiddenColumnStatsTable == nil ? "" : Unavailable.hiddenColumnStatsPrefix
            var section = String(item.section.dropFirst(prefix.count))
            for name in ordered {
                let replacement = name.contains(".") ? qualified(name) : pseudonym(name)
                reason = reason.replacingOccurrences(of: name, with: replacement)
                section = section.replacingOccurrences(of: name, with: replacement)
            }
            return Unavailable(section: prefix + section, reason: reason)
        }
        return copy
    }

    /// A redacted snapshot's `parse_error`: the text did not parse; the message is withheld.
    public static let redactedParseError =
        "the text did not parse (the parser's message is redacted: it quotes the text)"
}
