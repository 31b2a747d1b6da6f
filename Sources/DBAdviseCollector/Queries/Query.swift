/// One named SQL statement the collector sends. Every text carries the `/* dbadvise */`
/// marker right after its first keyword, so pg_stat_statements can tell our own statements
/// apart from the application's (a leading comment would be cut off by the normalizer).
public struct Query: Sendable, Equatable {
    public static let marker = "/* dbadvise */"
    public let name: String
    public let sql: String

    public init(_ name: String, _ sql: String) {
        self.name = name
        let trimmed = sql.drop { $0.isWhitespace || $0.isNewline }
        if let firstSpace = trimmed.firstIndex(where: { $0 == " " || $0 == "\n" }) {
            self.sql =
                String(trimmed[..<firstSpace]) + " " + Query.marker
                + String(trimmed[firstSpace...])
        } else {
            self.sql = String(trimmed)
        }
    }
}

/// Which server version has which view or column. Every version gate in the collector goes
/// through here, so the choice of SQL per version is one table and is unit tested by number.
public enum ServerFeature: CaseIterable, Sendable {
    /// pg_stat_wal (PostgreSQL 14).
    case statWal
    /// pg_stat_checkpointer; checkpoint columns leave pg_stat_bgwriter (PostgreSQL 17).
    case statCheckpointer
    /// pg_replication_slots.wal_status (PostgreSQL 13).
    case slotWalStatus
    /// pg_stat_wal_receiver.written_lsn and flushed_lsn, replacing received_lsn (PostgreSQL 13).
    case walReceiverWrittenLSN
    /// pg_stat_io (PostgreSQL 16).
    case statIO
    /// pg_stat_force_next_flush(): shared-memory statistics (PostgreSQL 15).
    case forceStatsFlush
    /// pg_constraint.conenforced: foreign keys declared NOT ENFORCED (PostgreSQL 18).
    case constraintEnforced

    public var minimumServerVersion: Int {
        switch self {
        case .statWal: 140000
        case .statCheckpointer: 170000
        case .slotWalStatus, .walReceiverWrittenLSN: 130000
        case .statIO: 160000
        case .forceStatsFlush: 150000
        case .constraintEnforced: 180000
        }
    }

    public func isAvailable(onServerVersion version: Int) -> Bool {
        version >= minimumServerVersion
    }
}

/// An SQL identifier in double quotes, inner quotes doubled: safe for any name a database
/// owner can choose.
func quotedIdentifier(_ name: String) -> String {
    "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}

/// The oldest server the queries are written for.
public let minimumSupportedServerVersion = 120000

/// Schemas that belong to PostgreSQL itself, left out of every table listing. `starts_with`
/// rather than `LIKE`: LIKE's operator (`~~`) cannot be schema-qualified.
let userSchemaFilter = """
    n.nspname OPERATOR(pg_catalog.<>) ALL ('{pg_catalog,information_schema}')
        AND NOT pg_catalog.starts_with(n.nspname, 'pg_toast')
        AND NOT pg_catalog.starts_with(n.nspname, 'pg_temp_')
    """
