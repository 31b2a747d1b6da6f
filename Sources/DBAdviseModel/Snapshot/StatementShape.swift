/// What a statement does, as PostgreSQL's grammar sees it: the StatementParser module
/// (libpg_query) produces it from a text, `collect` stores it with each statement of the
/// snapshot (`statements.*.shape`), and the rules classify statements from it.
///
/// It holds names (tables, columns) and flags, never a literal, so a redacted snapshot keeps
/// it with its names hashed (``SnapshotRedactor``) while the text itself is dropped. No catalog
/// is consulted: names are as written in the statement.
public struct StatementShape: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, Equatable {
        case select, insert, update, delete, merge
        /// Everything PostgreSQL calls a utility command: BEGIN, COPY, VACUUM, DDL, SET, …
        case utility
        /// No statement at all (an empty or comment-only text).
        case other
    }

    /// A `$n` placeholder and the column it is compared with, when it is (`aid = $1`).
    public struct Parameter: Codable, Sendable, Equatable, Hashable {
        public var number: Int
        /// The column as written (`aid`, `o.id`), nil when the parameter is not compared with one.
        public var column: String?
        /// The operator (`=`, `<`, `IN`, `BETWEEN`), nil with no column.
        public var comparison: String?

        public init(number: Int, column: String? = nil, comparison: String? = nil) {
            self.number = number
            self.column = column
            self.comparison = comparison
        }

        /// `aid = $1`, or `$3` alone.
        public var shape: String {
            guard let column, let comparison else { return "$\(number)" }
            return "\(column) \(comparison) $\(number)"
        }
    }

    public var kind: Kind
    /// Tables and views read, `schema.name` when written so; CTE names excluded; sorted.
    public var tablesRead: [String]
    /// Tables written (INSERT/UPDATE/DELETE/MERGE targets, data-modifying CTEs, SELECT INTO,
    /// COPY FROM); sorted.
    public var tablesWritten: [String]
    /// Calls a known aggregate, or uses aggregate syntax (`count(*)`, DISTINCT, FILTER,
    /// WITHIN GROUP), or has HAVING. User-defined aggregates need the catalog and are missed.
    public var hasAggregates: Bool
    public var hasGroupBy: Bool
    public var hasWindowFunctions: Bool
    /// Explicit JOINs plus the implicit ones of comma-separated FROM lists, in all subqueries.
    public var joinCount: Int
    /// The outermost query has LIMIT or FETCH FIRST.
    public var hasLimit: Bool
    /// A SELECT with no FOR UPDATE/SHARE, no data-modifying CTE and no INTO. Volatile functions
    /// that write are beyond a parser's sight.
    public var isReadOnly: Bool
    /// The `$n` placeholders, by number, each with the column it is compared with when it is.
    public var parameters: [Parameter]

    private enum CodingKeys: String, CodingKey {
        case kind
        case tablesRead = "tables_read"
        case tablesWritten = "tables_written"
        case hasAggregates = "has_aggregates"
        case hasGroupBy = "has_group_by"
        case hasWindowFunctions = "has_window_functions"
        case joinCount = "join_count"
        case hasLimit = "has_limit"
        case isReadOnly = "is_read_only"
        case parameters
    }

    public init(
        kind: Kind, tablesRead: [String] = [], tablesWritten: [String] = [], hasAggregates: Bool = false,
        hasGroupBy: Bool = false, hasWindowFunctions: Bool = false, joinCount: Int = 0, hasLimit: Bool = false,
        isReadOnly: Bool = false, parameters: [Parameter] = []
    ) {
        self.kind = kind
        self.tablesRead = tablesRead
        self.tablesWritten = tablesWritten
        self.hasAggregates = hasAggregates
        self.hasGroupBy = hasGroupBy
        self.hasWindowFunctions = hasWindowFunctions
        self.joinCount = joinCount
        self.hasLimit = hasLimit
        self.isReadOnly = isReadOnly
        self.parameters = parameters
    }

    /// The cache key a result of this statement would be stored under: `aid = $1`, `$1, $2`.
    public var keyShape: String {
        parameters.isEmpty ? "(no parameters)" : parameters.map(\.shape).joined(separator: ", ")
    }

    /// The same shape with every table and column name (each dotted part) passed through `hide`.
    public func renamed(_ hide: (String) -> String) -> StatementShape {
        func dotted(_ name: String) -> String {
            name.split(separator: ".", omittingEmptySubsequences: false).map { hide(String($0)) }
                .joined(separator: ".")
        }
        var copy = self
        copy.tablesRead = tablesRead.map(dotted).sorted()
        copy.tablesWritten = tablesWritten.map(dotted).sorted()
        copy.parameters = parameters.map { parameter in
            var parameter = parameter
            parameter.column = parameter.column.map(dotted)
            return parameter
        }
        return copy
    }
}
