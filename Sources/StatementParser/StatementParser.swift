import CPgQuery
import DBAdviseModel
import Foundation

/// Parses statement texts with PostgreSQL's own grammar (libpg_query) and says what they do.
///
/// Thread safety: libpg_query keeps its memory contexts in thread-local storage ("Make library
/// thread-safe through thread-local storage", 9.5-1.4.0) and initializes itself per thread
/// ("Automatically call pg_query_init as needed to ease threaded usage", 9.5-1.4.1; the header
/// marks `pg_query_init` deprecated for that reason). This module links 15-4.x, so calls run
/// concurrently without a lock; `StatementParserTests` parses from many tasks at once to keep
/// that promise checked.
public enum StatementParser {
    /// The PostgreSQL grammar version libpg_query was built from (`PG_VERSION_NUM`).
    public static var libraryVersion: String { "\(PG_VERSION_NUM)" }

    /// Parses one normalized statement text (`$1` placeholders parse as parameters).
    /// Syntax errors, truncated texts included, come back as ``StatementParseError``.
    public static func parse(_ sql: String) -> Result<ParsedStatement, StatementParseError> {
        if sql.utf8.contains(0) {
            return .failure(StatementParseError(message: "statement text contains a NUL byte", cursorPosition: nil))
        }
        let tree: String
        do {
            tree = try parseTree(sql)
        } catch {
            return .failure(error)
        }
        guard let data = tree.data(using: .utf8),
            let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let statements = root["stmts"] as? [Any]
        else {
            return .failure(
                StatementParseError(message: "libpg_query returned a parse tree that is not JSON", cursorPosition: nil))
        }
        return .success(TreeWalker.describe(statements.compactMap { ($0 as? [String: Any])?["stmt"] }))
    }

    /// The JSON parse tree, copied into Swift memory before libpg_query's result is freed.
    static func parseTree(_ sql: String) throws(StatementParseError) -> String {
        // "PgQueryParseResult pg_query_parse(const char* input)": the result owns parse_tree,
        // stderr_buffer and error; the input is only read during the call.
        let result = sql.withCString { pg_query_parse($0) }
        // "void pg_query_free_parse_result(PgQueryParseResult result)": frees all three, on
        // success and on error alike, so it runs on every path.
        defer { pg_query_free_parse_result(result) }
        if let error = result.error {
            // PgQueryError.message: "exception message"; cursorpos: "char in query at which
            // exception occurred" (1-based, 0 when the parser gave none).
            let message = error.pointee.message.map { String(cString: $0) } ?? "unknown parse error"
            let position = Int(error.pointee.cursorpos)
            throw StatementParseError(message: message, cursorPosition: position > 0 ? position : nil)
        }
        guard let tree = result.parse_tree else {
            throw StatementParseError(message: "libpg_query returned no parse tree", cursorPosition: nil)
        }
        return String(cString: tree)
    }
}

/// Why a statement text could not be parsed: the parser's own message and where it stopped.
public struct StatementParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    /// 1-based character position in the text where the parser stopped, when it said.
    public let cursorPosition: Int?

    public init(message: String, cursorPosition: Int?) {
        self.message = message
        self.cursorPosition = cursorPosition
    }

    public var description: String {
        cursorPosition.map { "\(message) at character \($0)" } ?? message
    }
}

/// What a statement does, as PostgreSQL's grammar sees it: the snapshot's ``StatementShape``.
public typealias ParsedStatement = StatementShape

/// Walks libpg_query's JSON parse tree. Nodes are `{"TypeName": {fields}}`; a few fields hold a
/// node's fields without the wrapper (`relation`, `withClause`, `over`, set operations' `larg`).
private struct TreeWalker {
    /// Aggregates built into PostgreSQL (functions-aggregate.html); the parser has no catalog.
    static let aggregates: Set<String> = [
        "array_agg", "avg", "bit_and", "bit_or", "bit_xor", "bool_and", "bool_or", "count", "every", "json_agg",
        "jsonb_agg", "json_object_agg", "jsonb_object_agg", "max", "min", "range_agg", "range_intersect_agg",
        "string_agg", "sum", "xmlagg", "corr", "covar_pop", "covar_samp", "regr_avgx", "regr_avgy", "regr_count",
        "regr_intercept", "regr_r2", "regr_slope", "regr_sxx", "regr_sxy", "regr_syy", "stddev", "stddev_pop",
        "stddev_samp", "variance", "var_pop", "var_samp", "mode", "percentile_cont", "percentile_disc", "rank",
        "dense_rank", "percent_rank", "cume_dist", "any_value",
    ]
    static let modifyingStatements: Set<String> = ["InsertStmt", "UpdateStmt", "DeleteStmt", "MergeStmt"]

    var read = Set<String>()
    var written = Set<String>()
    var cteNames = Set<String>()
    var hasAggregates = false
    var hasGroupBy = false
    var hasWindowFunctions = false
    var joinCount = 0
    var locks = false
    var selectInto = false
    var modifyingNodes = 0
    var parameters: [Int: ParsedStatement.Parameter] = [:]

    static func describe(_ statements: [Any]) -> ParsedStatement {
        var walker = TreeWalker()
        var kinds: [ParsedStatement.Kind] = []
        var hasLimit = false
        for case let node as [String: Any] in statements {
            guard
                let (type, fields) = node.first.flatMap({ key, value in
                    (value as? [String: Any]).map { (key, $0) }
                })
            else { continue }
            let kind = Self.kind(of: type)
            kinds.append(kind)
            if type == "SelectStmt" { hasLimit = hasLimit || fields["limitCount"] != nil || limited(fields) }
            walker.collectCTENames(node)
            walker.visit(type, fields)
        }
        let kind: ParsedStatement.Kind =
            if let first = kinds.first, kinds.allSatisfy({ $0 == first }) { first } else {
                kinds.isEmpty ? .other : .utility
            }
        let isReadOnly = kind == .select && !walker.locks && !walker.selectInto && walker.modifyingNodes == 0
        return ParsedStatement(
            kind: kind, tablesRead: walker.read.sorted(),
            tablesWritten: walker.written.sorted(), hasAggregates: walker.hasAggregates,
            hasGroupBy: walker.hasGroupBy, hasWindowFunctions: walker.hasWindowFunctions,
            joinCount: walker.joinCount, hasLimit: hasLimit, isReadOnly: isReadOnly,
            parameters: walker.parameters.keys.sorted().compactMap { walker.parameters[$0] })
    }

    static func kind(of type: String) -> ParsedStatement.Kind {
        switch type {
        case "SelectStmt": .select
        case "InsertStmt": .insert
        case "UpdateStmt": .update
        case "DeleteStmt": .delete
        case "MergeStmt": .merge
        default: .utility
        }
    }

    static func limited(_ select: [String: Any]) -> Bool {
        guard let option = select["limitOption"] as? String else { return false }
        return option != "LIMIT_OPTION_DEFAULT"
    }

    /// CTE names anywhere in the statement: a bare reference to one is not a table.
    mutating func collectCTENames(_ value: Any) {
        if let object = value as? [String: Any] {
            if let name = object["ctename"] as? String { cteNames.insert(name) }
            for child in object.values { collectCTENames(child) }
        } else if let array = value as? [Any] {
            for child in array { collectCTENames(child) }
        }
    }

    /// Visits a wrapped node's fields, knowing its type.
    mutating func visit(_ type: String, _ fields: [String: Any]) {
        switch type {
        case "SelectStmt":
            visitSelect(fields)
            return
        case "InsertStmt", "UpdateStmt", "DeleteStmt", "MergeStmt":
            modifyingNodes += 1
            if let relation = fields["relation"] as? [String: Any], let name = tableName(relation) {
                written.insert(name)
            }
            visitChildren(fields, skipping: ["relation"])
            return
        case "CopyStmt":
            if let relation = fields["relation"] as? [String: Any], let name = tableName(relation) {
                if fields["is_from"] as? Bool == true { written.insert(name) } else { read.insert(name) }
            }
            visitChildren(fields, skipping: ["relation"])
            return
        case "RangeVar":
            if let name = tableName(fields) { read.insert(name) }
            return
        case "JoinExpr":
            joinCount += 1
        case "FuncCall":
            visitFunction(fields)
        case "ParamRef":
            if let number = fields["number"] as? Int, parameters[number] == nil {
                parameters[number] = ParsedStatement.Parameter(number: number)
            }
        case "A_Expr":
            recordComparison(fields)
        default:
            break
        }
        visitChildren(fields, skipping: [])
    }

    mutating func visitSelect(_ fields: [String: Any]) {
        if let groups = fields["groupClause"] as? [Any], !groups.isEmpty { hasGroupBy = true }
        if fields["havingClause"] != nil { hasAggregates = true }
        if let locking = fields["lockingClause"] as? [Any], !locking.isEmpty { locks = true }
        if let into = fields["intoClause"] as? [String: Any] {
            selectInto = true
            if let relation = into["rel"] as? [String: Any], let name = tableName(relation) { written.insert(name) }
        }
        if let from = fields["fromClause"] as? [Any], from.count > 1 { joinCount += from.count - 1 }
        for side in ["larg", "rarg"] {
            if let arm = fields[side] as? [String: Any] { visitSelect(arm) }
        }
        visitChildren(fields, skipping: ["larg", "rarg", "intoClause"])
    }

    mutating func visitFunction(_ fields: [String: Any]) {
        let name = (fields["funcname"] as? [Any])?.last.flatMap(Self.stringValue)?.lowercased() ?? ""
        if fields["over"] != nil {
            hasWindowFunctions = true
            return
        }
        let aggregateSyntax =
            ["agg_star", "agg_distinct", "agg_within_group"].contains { fields[$0] as? Bool == true }
            || fields["agg_filter"] != nil || fields["agg_order"] != nil
        if aggregateSyntax || Self.aggregates.contains(name) { hasAggregates = true }
    }

    /// `column op $n` (either way round), `column IN ($1, $2)`, `column BETWEEN $1 AND $2`.
    mutating func recordComparison(_ fields: [String: Any]) {
        let kind = fields["kind"] as? String
        let op = (fields["name"] as? [Any])?.first.flatMap(Self.stringValue) ?? "?"
        func column(_ value: Any?) -> String? {
            guard let reference = (value as? [String: Any])?["ColumnRef"] as? [String: Any],
                let parts = reference["fields"] as? [Any]
            else { return nil }
            let names = parts.compactMap(Self.stringValue)
            return names.count == parts.count ? names.joined(separator: ".") : nil
        }
        func parameterNumbers(_ value: Any?) -> [Int] {
            if let parameter = (value as? [String: Any])?["ParamRef"] as? [String: Any],
                let number = parameter["number"] as? Int
            {
                return [number]
            }
            if let items = ((value as? [String: Any])?["List"] as? [String: Any])?["items"] as? [Any] {
                return items.flatMap { parameterNumbers($0) }
            }
            if let items = value as? [Any] { return items.flatMap { parameterNumbers($0) } }
            return []
        }
        let comparison: String
        switch kind {
        case "AEXPR_IN": comparison = op == "<>" ? "NOT IN" : "IN"
        case "AEXPR_BETWEEN", "AEXPR_NOT_BETWEEN": comparison = "BETWEEN"
        case "AEXPR_LIKE", "AEXPR_ILIKE": comparison = kind == "AEXPR_LIKE" ? "LIKE" : "ILIKE"
        case "AEXPR_OP_ANY": comparison = "\(op) ANY"
        case "AEXPR_OP" where ["=", "<>", "!=", "<", ">", "<=", ">="].contains(op): comparison = op
        default: return  // arithmetic (`abalance + $1`) is no key
        }
        if let name = column(fields["lexpr"]) {
            for number in parameterNumbers(fields["rexpr"]) where parameters[number]?.column == nil {
                parameters[number] = ParsedStatement.Parameter(number: number, column: name, comparison: comparison)
            }
        } else if let name = column(fields["rexpr"]) {
            // `$1 < d` reads as `d > $1`.
            let mirrored = ["<": ">", ">": "<", "<=": ">=", ">=": "<="][comparison] ?? comparison
            for number in parameterNumbers(fields["lexpr"]) where parameters[number]?.column == nil {
                parameters[number] = ParsedStatement.Parameter(number: number, column: name, comparison: mirrored)
            }
        }
    }

    mutating func visitChildren(_ fields: [String: Any], skipping: Set<String>) {
        for (key, value) in fields where !skipping.contains(key) {
            switch key {
            case "withClause":
                if let clause = value as? [String: Any] { visitChildren(clause, skipping: []) }
            default:
                visitAny(value)
            }
        }
    }

    /// A value that is a wrapped node, a list of them, or a scalar.
    mutating func visitAny(_ value: Any) {
        if let array = value as? [Any] {
            for item in array { visitAny(item) }
        } else if let object = value as? [String: Any] {
            if object.count == 1, let (key, inner) = object.first, let fields = inner as? [String: Any],
                key.first?.isUppercase == true
            {
                visit(key, fields)
            } else {
                // Unwrapped fields (`over`, `onConflictClause`, …): look inside.
                visitChildren(object, skipping: [])
            }
        }
    }

    /// `schema.name` or `name` as written; nil for a bare reference to a CTE.
    func tableName(_ relation: [String: Any]) -> String? {
        guard let name = relation["relname"] as? String else { return nil }
        if let schema = relation["schemaname"] as? String { return "\(schema).\(name)" }
        return cteNames.contains(name) ? nil : name
    }

    static func stringValue(_ node: Any) -> String? {
        ((node as? [String: Any])?["String"] as? [String: Any])?["sval"] as? String
    }
}

// MARK: texts that can carry secrets

extension StatementParser {
    /// Statements whose text can hold a password or a connection string: pg_stat_statements
    /// keeps a utility statement's text as written (constants are not replaced by `$n`), so
    /// `CREATE ROLE x PASSWORD 'secret'` would reach a snapshot verbatim.
    static let secretStatements: Set<String> = [
        "CreateRoleStmt", "AlterRoleStmt", "CreateUserMappingStmt", "AlterUserMappingStmt",
        "AlterSystemStmt", "CreateSubscriptionStmt", "AlterSubscriptionStmt",
    ]

    /// Whether a statement text may carry a secret, so collection drops it (even without
    /// `--redact`): a role, user mapping, subscription or `ALTER SYSTEM` statement, a
    /// `COPY … PROGRAM` (a shell command line), an option named like a password, or any text
    /// that says `password` (a comment, a DO block, a column name: the shape still says what
    /// the statement does). Texts the parser cannot read are judged by their keywords.
    public static func mayCarrySecret(_ sql: String) -> Bool {
        let lowered = sql.lowercased()
        if lowered.contains("password") || lowered.contains("passwd") { return true }
        guard !sql.utf8.contains(0), let tree = try? parseTree(sql),
            let root = try? JSONSerialization.jsonObject(with: Data(tree.utf8))
        else {
            return keywordsSuggestSecret(lowered)
        }
        return containsSecretNode(root)
    }

    static func containsSecretNode(_ node: Any) -> Bool {
        if let list = node as? [Any] { return list.contains(where: containsSecretNode) }
        guard let object = node as? [String: Any] else { return false }
        for (key, value) in object {
            if secretStatements.contains(key) { return true }
            if key == "CopyStmt", (value as? [String: Any])?["is_program"] as? Bool == true { return true }
            if key == "DefElem", let name = (value as? [String: Any])?["defname"] as? String,
                name.lowercased().contains("password")
            {
                return true
            }
            if containsSecretNode(value) { return true }
        }
        return false
    }

    /// For a text that does not parse (truncated at `track_activity_query_size`, or newer
    /// syntax): any word that starts one of the statements above.
    static func keywordsSuggestSecret(_ lowered: String) -> Bool {
        let words = lowered.split { !($0.isLetter || $0 == "_") }.map(String.init)
        let joined = " " + words.joined(separator: " ") + " "
        let phrases = [" role ", " user ", " user mapping ", " alter system ", " program ", " subscription "]
        return phrases.contains { joined.contains($0) }
    }
}
