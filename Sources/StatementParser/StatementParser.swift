import CPgQuery
import Foundation

/// Placeholder entry point; the parser is built in issue 7.
public enum StatementParser {
    /// The libpg_query version this build links against.
    public static var libraryVersion: String { "\(PG_VERSION_NUM)" }
}
