/// Every statement dbadvise sends, in every version-gated variant: the one list the
/// schema-qualification test parses. A query made anywhere in this module but missing
/// here fails that test, so a new query cannot skip the check.
public enum CollectorQueries {
    /// One server version per gate step (``ServerFeature``), oldest supported first.
    static let serverVersions = [120000, 130000, 140000, 150000, 160000, 170000, 180000]
    /// pg_stat_statements versions on both sides of each column change.
    static let statementExtensionVersions = ["1.7", "1.8", "1.9", "1.10", "1.11"]
    /// A schema for pg_stat_statements that needs quoting, as a database owner may choose.
    static let extensionSchemaExample = "stats \"ext\""

    public static var all: [Query] {
        var queries = [
            SafeSession.verification,
            ServerQueries.identity, ServerQueries.statsVisibility, ServerQueries.databases,
            ServerQueries.systemIdentifier,
            ServerQueries.settings, ServerQueries.extensions,
            DatabaseQueries.flushOwnStatistics, DatabaseQueries.counters,
            ActivityQueries.sample,
            TableQueries.lockedRelations, TableQueries.counters, TableQueries.tables,
            TableQueries.indexes, TableQueries.partitionedTables, TableQueries.partitionedIndexes,
            TableQueries.columnStats, TableQueries.hiddenColumnStats,
            StatementQueries.installedVersion,
            ReplicationQueries.standbys, ReplicationQueries.lagSample,
            ReplicationQueries.standbyHealth, ReplicationQueries.standbyStatus,
        ]
        for version in serverVersions {
            for inRecovery in [false, true] {
                queries.append(WalQueries.counters(serverVersion: version, inRecovery: inRecovery))
                queries.append(ReplicationQueries.slots(serverVersion: version, inRecovery: inRecovery))
            }
            queries.append(CheckpointQueries.counters(serverVersion: version))
            queries.append(ReplicationQueries.walReceiver(serverVersion: version))
            queries.append(TableQueries.foreignKeys(serverVersion: version))
        }
        for version in statementExtensionVersions {
            queries.append(StatementQueries.counters(extensionVersion: version, schema: extensionSchemaExample))
            if let reset = StatementQueries.statsReset(extensionVersion: version, schema: extensionSchemaExample) {
                queries.append(reset)
            }
        }
        return queries
    }
}
