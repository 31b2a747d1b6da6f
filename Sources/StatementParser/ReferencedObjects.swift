import Foundation

/// Every name in a statement that PostgreSQL resolves through `search_path`: functions,
/// relations, operators and types, each as written (`pg_catalog.count`, or `count` when
/// unqualified). Constructs whose operator cannot be qualified at all (`IN (…)`, `LIKE`,
/// `BETWEEN`, `NULLIF`, `IS DISTINCT FROM`, `CASE x WHEN`) are listed as operators under
/// their SQL spelling, unqualified, so a check for qualification rejects them too.
public struct ReferencedObjects: Sendable, Equatable {
    public var functions: [String] = []
    /// Tables and views; a bare reference to a CTE of the same statement is not listed.
    public var relations: [String] = []
    public var operators: [String] = []
    public var types: [String] = []

    public init() {}
}

extension StatementParser {
    /// The objects `sql` names (see ``ReferencedObjects``), read from libpg_query's parse tree.
    public static func referencedObjects(_ sql: String) -> Result<ReferencedObjects, StatementParseError> {
        let tree: String
        do {
            tree = try parseTree(sql)
        } catch {
            return .failure(error)
        }
        guard let data = tree.data(using: .utf8), let root = try? JSONSerialization.jsonObject(with: data) else {
            return .failure(
                StatementParseError(message: "libpg_query returned a parse tree that is not JSON", cursorPosition: nil))
        }
        var collector = ReferenceCollector()
        collector.collectCTENames(root)
        collector.walk(root)
        return .success(collector.objects)
    }
}

/// Walks the JSON parse tree: nodes are `{"FuncCall": {fields}}`; a type cast holds its type
/// as unwrapped fields under `typeName`.
private struct ReferenceCollector {
    var objects = ReferencedObjects()
    var cteNames = Set<String>()

    mutating func collectCTENames(_ value: Any) {
        if let object = value as? [String: Any] {
            if let name = object["ctename"] as? String { cteNames.insert(name) }
            object.values.forEach { collectCTENames($0) }
        } else if let array = value as? [Any] {
            array.forEach { collectCTENames($0) }
        }
    }

    static func names(_ value: Any?) -> String? {
        guard let parts = value as? [Any] else { return nil }
        let strings = parts.compactMap { ((($0 as? [String: Any])?["String"]) as? [String: Any])?["sval"] as? String }
        return strings.isEmpty ? nil : strings.joined(separator: ".")
    }

    mutating func walk(_ value: Any) {
        if let array = value as? [Any] {
            array.forEach { walk($0) }
            return
        }
        guard let object = value as? [String: Any] else { return }
        for (key, child) in object {
            if let fields = child as? [String: Any] {
                visit(key, fields)
            }
            if key == "typeName", let fields = child as? [String: Any] {
                if let name = Self.names(fields["names"]) { objects.types.append(name) }
            }
            walk(child)
        }
    }

    /// Records what a node of type `type` names; its children are walked by the caller.
    mutating func visit(_ type: String, _ fields: [String: Any]) {
        switch type {
        case "FuncCall":
            if let name = Self.names(fields["funcname"]) { objects.functions.append(name) }
        case "RangeVar":
            guard let relation = fields["relname"] as? String else { return }
            if let schema = fields["schemaname"] as? String {
                objects.relations.append("\(schema).\(relation)")
            } else if !cteNames.contains(relation) {
                objects.relations.append(relation)
            }
        case "TypeName":
            if let name = Self.names(fields["names"]) { objects.types.append(name) }
        case "A_Expr":
            let name = Self.names(fields["name"]) ?? "?"
            switch fields["kind"] as? String {
            case "AEXPR_OP", "AEXPR_OP_ANY", "AEXPR_OP_ALL": objects.operators.append(name)
            case "AEXPR_IN": objects.operators.append("IN (\(name))")
            case "AEXPR_LIKE", "AEXPR_ILIKE", "AEXPR_SIMILAR": objects.operators.append("LIKE (\(name))")
            case "AEXPR_NULLIF": objects.operators.append("NULLIF (\(name))")
            case "AEXPR_DISTINCT", "AEXPR_NOT_DISTINCT": objects.operators.append("IS DISTINCT FROM (\(name))")
            default: objects.operators.append("BETWEEN (\(name))")
            }
        case "SubLink":
            // `x IN (SELECT …)` leaves operName empty and means `=`
            let comparing = ["ANY_SUBLINK", "ALL_SUBLINK", "ROWCOMPARE_SUBLINK"]
            if let name = Self.names(fields["operName"]) {
                objects.operators.append(name)
            } else if comparing.contains(fields["subLinkType"] as? String ?? "") {
                objects.operators.append("IN (SELECT …) (=)")
            }
        case "CaseExpr":
            if fields["arg"] != nil { objects.operators.append("CASE x WHEN (=)") }
        case "SortBy":
            if let name = Self.names(fields["useOp"]) { objects.operators.append("USING (\(name))") }
        case "CollateClause":
            if let name = Self.names(fields["collname"]) { objects.types.append("COLLATE \(name)") }
        default:
            break
        }
    }
}
