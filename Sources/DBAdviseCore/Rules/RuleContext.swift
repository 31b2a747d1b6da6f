import Foundation

/// What a rule sees: the snapshots (oldest first), the config, and the derived metrics.
public struct RuleContext: Sendable {
    /// Oldest first; never empty.
    public let snapshots: [Snapshot]
    public let config: Config
    public let metrics: ReportMetrics
    public let notes: [MetricNote]
    public let growthShape: GrowthShape
    public let growthShapeReason: String
    public let sizes: RelationSizes
    /// Size trends over the series; nil for a single snapshot.
    public let sizeTrends: SizeTrends?

    /// The latest snapshot.
    public let snapshot: Snapshot

    public init(latest: Snapshot, earlier: [Snapshot] = [], config: Config) {
        snapshot = latest
        snapshots = earlier + [latest]
        self.config = config
        let (metrics, notes) = ReportMetrics.derive(from: latest, hardware: config.hardware)
        self.metrics = metrics
        self.notes = notes
        (growthShape, growthShapeReason) = GrowthShapeClassifier.classify(metrics, config: config)
        sizes = RelationSizes(snapshot: latest)
        sizeTrends = SizeTrends(snapshots: snapshots)
    }

    public var hardware: Hardware { config.hardware }

    public func levels(_ key: ThresholdKey) -> ThresholdLevels { config.levels(key) }

    /// The database name: the target of database-wide findings.
    public var databaseName: String {
        snapshot.database?.name ?? snapshot.connection.database ?? "database"
    }

    /// Why a metric is null, when it is.
    public func note(for metric: String) -> String? {
        notes.first { $0.metric == metric }?.reason
    }

    public func table(_ qualifiedName: String) -> TableStats? {
        snapshot.tables?.first { $0.qualifiedName == qualifiedName }
    }

    /// The top statements by time and by calls, each once, by total time (largest first).
    public var statements: [Statement] {
        var seen = Set<String>()
        let all = (snapshot.statements.topByTotalTime ?? []) + (snapshot.statements.topByCalls ?? [])
        return all.filter { seen.insert($0.queryid).inserted }
            .sorted { $0.totalExecTimeMs > $1.totalExecTimeMs }
    }

    /// Total execution time of all tracked statements over the interval, when known.
    public var totalStatementTimeMs: Double? {
        guard snapshot.statements.available else { return nil }
        if let total = snapshot.statements.totalExecTimeMs { return total }
        let listed = statements.reduce(0) { $0 + $1.totalExecTimeMs }
        return listed > 0 ? listed : nil
    }

    /// Why statements cannot be used, or nil when they can.
    public var statementsUnavailableReason: String? {
        if !snapshot.statements.available {
            return "pg_stat_statements unavailable: \(snapshot.statements.reason ?? "no reason recorded")"
        }
        if statements.isEmpty { return "pg_stat_statements recorded no statements" }
        if statements.allSatisfy({ $0.query == nil }) {
            return "statement texts are redacted"
        }
        return nil
    }

    /// Seconds the rates are over (the interval), when known.
    public var intervalSeconds: Double? {
        guard let seconds = snapshot.interval.rateSeconds, seconds > 0 else { return nil }
        return seconds
    }

    /// Time-ordered candidates of a table: timestamp, date or serial-like columns whose
    /// physical order follows the value (|correlation| ≥ `minimumCorrelation`).
    public func timeOrderedColumns(of qualifiedName: String, minimumCorrelation: Double)
        -> [ColumnStats]
    {
        (snapshot.columnStats ?? []).filter { column in
            "\(column.schema).\(column.table)" == qualifiedName
                && StatementHeuristics.isTimeLike(dataType: column.dataType, name: column.column)
                && abs(column.correlation ?? 0) >= minimumCorrelation
        }
        .sorted { abs($0.correlation ?? 0) > abs($1.correlation ?? 0) }
    }
}

/// Light text heuristics over normalized statement texts, until issue 7 brings a parser.
public enum StatementHeuristics {
    /// A statement that only reads (`SELECT`, or `WITH` without a data-modifying verb).
    public static func isReadOnly(_ query: String) -> Bool {
        let text = normalized(query)
        if text.hasPrefix("select") { return !text.contains(" for update") }
        if text.hasPrefix("with") {
            return !["insert ", "update ", "delete ", "merge "].contains { text.contains($0) }
        }
        return false
    }

    /// A write (`INSERT`, `UPDATE`, `DELETE`, `MERGE`, `COPY ... FROM`).
    public static func isWrite(_ query: String) -> Bool {
        let text = normalized(query)
        return ["insert", "update", "delete", "merge"].contains { text.hasPrefix($0) }
            || (text.hasPrefix("copy") && text.contains(" from "))
    }

    /// A read that aggregates or scans for a report: GROUP BY, aggregates, window functions.
    public static func isAnalytic(_ query: String) -> Bool {
        guard isReadOnly(query) else { return false }
        let text = normalized(query)
        let markers = [
            "group by", "count(", "sum(", "avg(", "percentile_", "stddev(", " over (", "over(",
            "rollup", "cube(", "grouping sets", "date_trunc(",
        ]
        return markers.contains { text.contains($0) }
    }

    /// Table names after FROM, JOIN, UPDATE, INTO (as written: `events` or `public.events`).
    public static func referencedTables(_ query: String) -> Set<String> {
        let words = normalized(query)
            .replacingOccurrences(of: "(", with: " ( ")
            .replacingOccurrences(of: ",", with: " , ")
            .split(whereSeparator: { $0.isWhitespace })
            .map(String.init)
        var names = Set<String>()
        for (index, word) in words.enumerated()
        where ["from", "join", "update", "into"].contains(word) && index + 1 < words.count {
            var name = words[index + 1]
            if name == "only", index + 2 < words.count { name = words[index + 2] }
            name = name.trimmingCharacters(in: CharacterSet(charactersIn: "\";"))
            if let first = name.first, first.isLetter || first == "_" { names.insert(name) }
        }
        return names
    }

    /// Whether a statement names a table (`events` matches `public.events`).
    public static func references(_ query: String, table qualifiedName: String) -> Bool {
        let bare = qualifiedName.split(separator: ".").last.map(String.init) ?? qualifiedName
        return referencedTables(query).contains { $0 == qualifiedName.lowercased() || $0 == bare.lowercased() }
    }

    /// Timestamp, date or serial-ish identifiers: the columns time-ordered tables grow along.
    public static func isTimeLike(dataType: String, name: String) -> Bool {
        let type = dataType.lowercased()
        if type.contains("timestamp") || type == "date" { return true }
        let column = name.lowercased()
        let integer = ["bigint", "integer", "int", "int4", "int8", "bigserial", "serial"].contains(type)
        // A serial key grows with insertion time; a foreign key (`user_id`) does not.
        return integer && (column == "id" || column == "seq" || column.hasSuffix("_seq"))
    }

    private static func normalized(_ query: String) -> String {
        query.lowercased().trimmingCharacters(in: .whitespacesAndNewlines)
            .split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}
