import DBAdviseCore

/// Reports and dashboards aggregate the very tables the application writes to.
public struct AnalyticsOnHotTablesRule: Rule {
    public static let hotWriteShare = RuleParameter(
        name: "hot_table_write_share", value: 0.1, unit: "ratio",
        why: "A table taking a tenth of the database's writes is a hot write path.")
    public static let analyticTimeShare = RuleParameter(
        name: "analytic_time_share_on_hot_tables", value: 0.1, unit: "ratio",
        why: "A tenth of statement time aggregating hot tables is worth a separate read model.")

    public static let description = RuleDescription(
        id: "cqrs-analytics-on-write-hot-tables", strategy: .cqrs,
        title: "Separate the read model: analytics aggregate write-hot tables",
        rationale: """
            When aggregates and reports scan the same tables the application writes to, the \
            two compete for locks, buffers and vacuum; a replica moves the load but keeps the \
            write-optimized shape. CQRS gives reads their own model (summary tables, a \
            materialized view refreshed off the hot path, or a column store fed by logical \
            replication). The statement test is a text heuristic until a SQL parser lands.
            """,
        sources: [Manual.cqrs, Manual.statStatements],
        thresholds: [], parameters: [hotWriteShare, analyticTimeShare],
        inputs: ["statements.top_by_total_time.query", "tables.writes_per_second", "rates.writes_per_second"])

    public init() {}

    public func evaluate(_ context: RuleContext) -> RuleVerdict {
        if let reason = context.statementsUnavailableReason {
            return pass(
                "statements unavailable: \(reason)",
                [
                    Self.analyticTimeShare.evidence(
                        metric: "analytic_time_share_on_hot_tables", value: nil, note: reason)
                ])
        }
        guard let writes = context.metrics.writesPerSecond, writes > 0, context.growthShape != .idle else {
            return pass(
                "no write load to compete with (\(context.growthShapeReason))",
                [
                    Self.hotWriteShare.evidence(metric: "writes_per_second", value: context.metrics.writesPerSecond)
                ])
        }
        let hot = (context.snapshot.tables ?? []).filter {
            ($0.writesPerSecond ?? 0) / writes >= Self.hotWriteShare.value
        }
        let total = context.totalStatementTimeMs ?? 0
        var found: [Recommendation] = []
        var bestShare = 0.0
        for table in hot {
            let analytic = context.statements.filter {
                guard let query = $0.query else { return false }
                return StatementHeuristics.isAnalytic(query)
                    && StatementHeuristics.references(query, table: table.qualifiedName)
            }
            let share = total > 0 ? analytic.reduce(0) { $0 + $1.totalExecTimeMs } / total : 0
            bestShare = max(bestShare, share)
            guard share >= Self.analyticTimeShare.value else { continue }
            let tableShare = (table.writesPerSecond ?? 0) / writes
            found.append(
                recommendation(
                    severity: .warning, target: table.qualifiedName,
                    summary:
                        "\(analytic.count) aggregate statement(s) on \(table.qualifiedName) take \(Formatting.percent(share)) of statement time while it takes \(Formatting.percent(tableShare)) of writes.",
                    evidence: [
                        Self.analyticTimeShare.evidence(metric: "analytic_time_share", value: share),
                        Self.hotWriteShare.evidence(metric: "table_write_share", value: tableShare),
                    ],
                    actions: [
                        "Maintain a read model for these aggregates (summary table updated per write batch, or a materialized view refreshed off-peak).",
                        "For heavy analytics, feed a column store through logical replication.",
                    ]))
        }
        guard found.isEmpty else { return .recommend(found) }
        return pass(
            "aggregates on write-hot tables take \(Formatting.percent(bestShare)) of statement time (\(hot.count) hot table(s))",
            [
                Self.analyticTimeShare.evidence(metric: "analytic_time_share_on_hot_tables", value: bestShare)
            ])
    }
}
