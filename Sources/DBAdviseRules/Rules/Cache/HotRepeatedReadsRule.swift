import DBAdviseCore

/// The same cheap read, many times a second, on data that rarely changes.
public struct HotRepeatedReadsRule: Rule {
    public static let callsPerSecond = RuleParameter(
        name: "calls_per_second", value: 500, unit: "calls/s",
        why: "Hundreds of identical lookups a second are where a cache saves real work.")
    public static let rowsPerCall = RuleParameter(
        name: "rows_per_call", value: 10, unit: "rows",
        why: "Small results are cheap to cache and to invalidate.")
    public static let writeToReadRatio = RuleParameter(
        name: "table_writes_per_read", value: 0.01, unit: "ratio",
        why: "A table written less than once per hundred rows read keeps a cache valid.")
    public static let timeShare = RuleParameter(
        name: "statement_time_share", value: 0.1, unit: "ratio",
        why: "The reads must cost a tenth of statement time for the cache to pay for itself.")

    public static let description = RuleDescription(
        id: "cache-hot-repeated-reads", strategy: .cache,
        title: "Cache hot, rarely-changing reads in front of PostgreSQL",
        rationale: """
            A statement called hundreds of times a second returning a few rows from tables \
            that are rarely written is served faster and cheaper from a cache such as Redis \
            (cache-aside). Start with short TTLs and lengthen them as hit rates are measured.
            """,
        sources: [Manual.cacheAside, Manual.statStatements],
        thresholds: [], parameters: [callsPerSecond, rowsPerCall, writeToReadRatio, timeShare],
        inputs: [
            "statements.top_by_calls", "interval.rate_seconds", "tables.writes_per_second",
            "tables.reads_per_second",
        ])

    public init() {}

    public func evaluate(_ context: RuleContext) -> RuleVerdict {
        if let reason = context.statementsUnavailableReason {
            return pass(
                "statements unavailable: \(reason)",
                [Self.callsPerSecond.evidence(metric: "calls_per_second", value: nil, note: reason)])
        }
        guard let seconds = context.intervalSeconds else {
            return pass(
                "interval length unknown, calls per second cannot be computed",
                [
                    Self.callsPerSecond.evidence(
                        metric: "calls_per_second", value: nil, note: "interval.rate_seconds is null")
                ])
        }
        let total = context.totalStatementTimeMs ?? 0
        var busiest = 0.0
        // why the busiest statement over the calls threshold was not a candidate
        var busiestRejection: String?
        var found: [Recommendation] = []
        for statement in context.statements {
            guard let query = statement.query, StatementHeuristics.isReadOnly(query), statement.calls > 0 else {
                continue
            }
            let rate = Double(statement.calls) / seconds
            let isBusiest = rate > busiest
            busiest = max(busiest, rate)
            let rows = Double(statement.rows) / Double(statement.calls)
            let share = total > 0 ? statement.totalExecTimeMs / total : 0
            func reject(_ why: String) {
                if isBusiest { busiestRejection = "\(statement.queryid) at \(Formatting.rate(rate)) calls/s \(why)" }
            }
            guard rate >= Self.callsPerSecond.value else { continue }
            guard rows <= Self.rowsPerCall.value else {
                reject("returns \(Formatting.rate(rows)) rows per call (> \(Formatting.rate(Self.rowsPerCall.value)))")
                continue
            }
            guard share >= Self.timeShare.value else {
                reject(
                    "takes \(Formatting.percent(share)) of statement time (< \(Formatting.percent(Self.timeShare.value)))"
                )
                continue
            }
            let tables = StatementHeuristics.referencedTables(query).compactMap { name in
                (context.snapshot.tables ?? []).first { $0.qualifiedName == name || $0.name == name }
            }
            let ratios = tables.map { table -> Double? in
                guard let writes = table.writesPerSecond, let reads = table.readsPerSecond, reads > 0 else {
                    return nil
                }
                return writes / reads
            }
            guard !ratios.isEmpty, !ratios.contains(where: { $0 == nil }) else {
                reject("reads tables whose write rate is unknown")
                continue
            }
            let worst = ratios.compactMap { $0 }.max() ?? 0
            guard worst <= Self.writeToReadRatio.value else {
                reject(
                    "reads tables written \(Formatting.rate(worst)) times per row read (> \(Formatting.rate(Self.writeToReadRatio.value))): too often for a cache to stay valid"
                )
                continue
            }
            found.append(
                recommendation(
                    severity: .info, target: tables.map(\.qualifiedName).sorted().joined(separator: ", "),
                    summary:
                        "Statement \(statement.queryid) runs \(Formatting.rate(rate)) times/s returning \(Formatting.rate(rows)) rows per call from tables written \(Formatting.rate(worst)) times per row read.",
                    evidence: [
                        Self.callsPerSecond.evidence(metric: "calls_per_second", value: rate),
                        Self.rowsPerCall.evidence(metric: "rows_per_call", value: rows),
                        Self.writeToReadRatio.evidence(metric: "table_writes_per_read", value: worst),
                        Self.timeShare.evidence(metric: "statement_time_share", value: share),
                    ],
                    actions: [
                        "Cache the result of statement \(statement.queryid) in Redis (cache-aside), keyed by its parameters.",
                        "Start with a TTL of a few seconds; lengthen it as the measured hit rate allows, and invalidate on writes.",
                    ]))
        }
        guard found.isEmpty else { return .recommend(found) }
        let why =
            busiestRejection.map { "busiest hot read-only statement \($0)" }
            ?? "busiest read-only statement \(Formatting.rate(busiest)) calls/s (threshold \(Formatting.rate(Self.callsPerSecond.value)))"
        return pass(
            "no cacheable hot read: \(why)",
            [Self.callsPerSecond.evidence(metric: "calls_per_second", value: busiest)])
    }
}
