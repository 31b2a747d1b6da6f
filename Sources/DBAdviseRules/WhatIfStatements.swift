import DBAdviseCore
import StatementParser

/// Tells the what-if scaler which statements are writes (scaled with `writes=`) and which
/// are reads (`reads=`), by parsing their text with libpg_query.
public enum WhatIfStatements {
    /// True for a statement that writes, false for a read-only one, nil when the text is
    /// redacted or does not parse (then it grows with the larger factor).
    public static func isWrite(_ statement: Statement) -> Bool? {
        guard let text = statement.query, case let .success(parsed) = StatementParser.parse(text) else {
            return nil
        }
        return !parsed.isReadOnly
    }
}
