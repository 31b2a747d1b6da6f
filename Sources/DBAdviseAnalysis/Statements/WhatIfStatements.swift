import DBAdviseModel
import StatementParser

/// Tells the what-if scaler which statements are writes (scaled with `writes=`) and which
/// are reads (`reads=`), by parsing their text with libpg_query.
public enum WhatIfStatements {
    /// True for a statement that writes, false for a read-only one: from the shape parsed at
    /// collection (kept in redacted snapshots), else from the text; nil when neither is known
    /// (then it grows with the larger factor).
    public static func isWrite(_ statement: Statement) -> Bool? {
        if let shape = statement.shape { return !shape.isReadOnly }
        guard let text = statement.query, case let .success(parsed) = StatementParser.parse(text) else {
            return nil
        }
        return !parsed.isReadOnly
    }
}
