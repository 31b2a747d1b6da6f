import DBAdviseModel
import StatementParser

/// What a statement is for the ladder: a point read, a range read, an analytic read, a write,
/// or a utility command (BEGIN, SET, VACUUM: neither reads to move nor writes to weigh). The
/// report's `query_mix` names the same classes.
public typealias StatementKind = QueryMix.StatementClass

/// One pg_stat_statements entry with its parse and its numbers over the interval.
public struct ClassifiedStatement: Sendable {
    public let statement: Statement
    public let parsed: ParsedStatement
    public let kind: StatementKind
    public let rowsPerCall: Double
    public let meanMs: Double
    /// Calls per second over the interval, when its length is known.
    public let callsPerSecond: Double?
    /// Share of all tracked statement time, when that total is known.
    public let timeShare: Double?

    public var isRead: Bool { kind == .pointRead || kind == .rangeRead || kind == .analytic }
    public var blocks: Int { statement.sharedBlksHit + statement.sharedBlksRead }

    /// The text cut to `limit` characters or, when it was redacted, what its shape says.
    public func text(limit: Int) -> String {
        if let query = statement.query { return String(query.prefix(limit)) }
        let reads = parsed.tablesRead.isEmpty ? "" : " reading \(parsed.tablesRead.joined(separator: ", "))"
        let writes = parsed.tablesWritten.isEmpty ? "" : " writing \(parsed.tablesWritten.joined(separator: ", "))"
        return "text redacted; \(parsed.kind.rawValue.uppercased())\(reads)\(writes)"
    }
}

/// The snapshot's statements, parsed by PostgreSQL's grammar and classified.
public struct StatementClassification: Sendable {
    public let statements: [ClassifiedStatement]
    /// Statements whose text failed to parse (truncated at track_activity_query_size, or
    /// syntax libpg_query's grammar version does not know): queryid and the parser's error.
    public let unparsed: [(queryid: String, error: StatementParseError)]
    /// Statements with neither text nor parsed shape (redacted by a dbadvise that kept no shapes).
    public let redacted: Int
    public let totalMs: Double?

    /// "2 statement(s) failed to parse (…)", or nil when all did.
    public var unparsedNote: String? {
        guard let first = unparsed.first else { return nil }
        return
            "\(unparsed.count) statement(s) failed to parse and were left out (queryid \(first.queryid): \(first.error))"
    }

    /// The evidence line counting unparsable statements; nil when every statement parsed.
    public var unparsedEvidence: Evidence? {
        guard let note = unparsedNote else { return nil }
        return Evidence(
            metric: .unparsedStatements, value: Double(unparsed.count), threshold: nil, unit: .statements,
            note: note)
    }

    public func of(_ kinds: StatementKind...) -> [ClassifiedStatement] {
        statements.filter { kinds.contains($0.kind) }
    }

    /// Sum of shared blocks (hit + read) over all classified statements.
    public var totalBlocks: Int { statements.reduce(0) { $0 + $1.blocks } }
}

/// Classifies a snapshot's statements. Reads are analytic when they aggregate, group or use
/// window functions, return many rows per call, or run long on average; other reads are point
/// reads (at most `point_read_rows_per_call` rows) or range reads.
public enum StatementClassifier {
    public static let pointReadRowsPerCall = RuleParameter(
        name: "point_read_rows_per_call", value: 1, unit: .rows,
        why: "A lookup by key returns one row; more rows per call is a range or list read.")
    public static let analyticRowsPerCall = RuleParameter(
        name: "analytic_rows_per_call", value: 100, unit: .rows,
        why: "A read returning a hundred rows or more per call is a list or report, not a lookup.")
    public static let analyticMeanMs = RuleParameter(
        name: "analytic_mean_exec_time_ms", value: 100, unit: .milliseconds,
        why: "A read averaging 100 ms or more scans; a point read by key takes a millisecond or less.")
    public static let parameters = [pointReadRowsPerCall, analyticRowsPerCall, analyticMeanMs]

    public static func classify(_ context: RuleContext) -> StatementClassification {
        let total = context.totalStatementTimeMs
        let seconds = context.intervalSeconds
        var classified: [ClassifiedStatement] = []
        var unparsed: [(queryid: String, error: StatementParseError)] = []
        var redacted = 0
        for statement in context.statements {
            // the shape parsed at collect time (kept by --redact), else the text parsed now
            let result: Result<ParsedStatement, StatementParseError>
            if let shape = statement.shape {
                result = .success(shape)
            } else if let error = statement.parseError {
                result = .failure(StatementParseError(message: error, cursorPosition: nil))
            } else if let query = statement.query {
                result = StatementParser.parse(query)
            } else {
                redacted += 1
                continue
            }
            switch result {
            case let .failure(error):
                unparsed.append((statement.queryid, error))
            case let .success(parsed):
                let calls = Double(statement.calls)
                let rows = calls > 0 ? Double(statement.rows) / calls : 0
                let mean = statement.meanExecTimeMs ?? (calls > 0 ? statement.totalExecTimeMs / calls : 0)
                classified.append(
                    ClassifiedStatement(
                        statement: statement, parsed: parsed,
                        kind: kind(of: parsed, rowsPerCall: rows, meanMs: mean), rowsPerCall: rows, meanMs: mean,
                        callsPerSecond: seconds.map { calls / $0 },
                        timeShare: total.flatMap { $0 > 0 ? statement.totalExecTimeMs / $0 : nil }))
            }
        }
        return StatementClassification(statements: classified, unparsed: unparsed, redacted: redacted, totalMs: total)
    }

    public static func kind(of parsed: ParsedStatement, rowsPerCall: Double, meanMs: Double) -> StatementKind {
        switch parsed.kind {
        case .utility, .other:
            // COPY FROM loads data: a write; other utility statements are neither.
            return parsed.tablesWritten.isEmpty ? .utility : .write
        case .insert, .update, .delete, .merge:
            return .write
        case .select:
            // FOR UPDATE, SELECT INTO and data-modifying CTEs must run on the primary.
            guard parsed.isReadOnly else { return .write }
            if parsed.hasAggregates || parsed.hasGroupBy || parsed.hasWindowFunctions
                || rowsPerCall >= analyticRowsPerCall.value || meanMs >= analyticMeanMs.value
            {
                return .analytic
            }
            return rowsPerCall <= pointReadRowsPerCall.value ? .pointRead : .rangeRead
        }
    }
}

extension RuleContext {
    /// `public` in snapshots redacted before keyed pseudonyms (FNV-1a 64, no `redaction` key).
    public static let unkeyedPublicPseudonym = "r_f4b72165f60f5b60"

    /// The snapshot's tables a parsed name refers to: `schema.name` exactly, a bare name in
    /// `public` first (the default search_path), else the only table of that name. Names that
    /// match no table (views, functions, other databases) give nil.
    /// In a redacted snapshot names and `public` are pseudonyms alike.
    public func resolveTable(_ name: String) -> TableStats? {
        let tables = snapshot.tables ?? []
        if name.contains(".") { return tables.first { $0.qualifiedName == name } }
        let named = tables.filter { $0.name == name }
        let publicSchema =
            snapshot.redacted ? snapshot.redaction?.publicSchema ?? Self.unkeyedPublicPseudonym : "public"
        return named.first { $0.schema == publicSchema } ?? (named.count == 1 ? named.first : nil)
    }
}
