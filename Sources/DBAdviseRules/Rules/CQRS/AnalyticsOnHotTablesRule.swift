import DBAdviseAnalysis
import DBAdviseModel

/// Reports and dashboards aggregate the very tables the application writes to.
public struct AnalyticsOnHotTablesRule: Rule {
    public static let hotWriteShare = RuleParameter(
        name: "hot_table_write_share", value: 0.1, unit: .ratio,
        why: "A table taking a tenth of the database's writes is a hot write path.")
    public static let analyticTimeShare = RuleParameter(
        name: "analytic_time_share_on_hot_tables", value: 0.1, unit: .ratio,
        why: "A tenth of statement time aggregating hot tables is worth a separate read model.")
    public static let sessionsRemoved = RuleParameter(
        name: "busy_sessions_removed", value: 1, unit: .sessions,
        why: """
            On a primary with headroom a separate read model is worth building only when the \
            reports keep at least a whole session busy: otherwise it removes nothing that hurts.
            """)
    public static let scheduledRefreshInterval = RuleParameter(
        name: "scheduled_refresh_min_interval_seconds", value: 300, unit: .seconds,
        why: "Reports run every five minutes or less often tolerate a materialized view refreshed on that schedule.")

    public static let description = RuleDescription(
        id: "cqrs-analytics-on-write-hot-tables", strategy: .cqrs,
        title: "Separate the read model: analytics aggregate write-hot tables",
        rationale: """
            When aggregates and reports scan the same tables the application writes to, the \
            two compete for locks, buffers and vacuum; a replica moves the load but keeps the \
            write-optimized shape. CQRS gives reads their own model (summary tables, a \
            materialized view refreshed off the hot path, or a column store fed by logical \
            replication). Statements are parsed with PostgreSQL's grammar (libpg_query); a read \
            is analytic when it aggregates, groups, uses window functions, returns many rows or \
            runs long. The freshness a report needs is taken as the time between its runs \
            (1 / calls per second): runs minutes apart take a scheduled materialized view, runs \
            further apart than the replica lag take a replica, anything fresher a read model \
            maintained from the write stream. A redacted snapshot keeps each statement's parsed \
            shape (tables and flags, names hashed), so the finding holds without the texts.
            """,
        sources: [Manual.cqrs, Manual.materializedViews, Manual.logicalReplication, Manual.statStatements],
        thresholds: [.replicationLagSeconds],
        parameters: [hotWriteShare, analyticTimeShare, sessionsRemoved, scheduledRefreshInterval]
            + StatementClassifier.parameters,
        inputs: [
            "statements.top_by_total_time", "statements.top_by_calls", "statements.*.shape", "tables.writes_per_second",
            "rates.writes_per_second", "interval.rate_seconds", "replication.standbys.lag_samples",
        ])

    public init() {}

    public func evaluate(_ context: RuleContext) -> RuleVerdict {
        if let reason = context.statementsUnavailableReason {
            return pass(
                "statements unavailable: \(reason)",
                [
                    Self.analyticTimeShare.evidence(
                        metric: .analyticTimeShareOnHotTables, value: nil, note: reason)
                ])
        }
        guard let writes = context.metrics.writesPerSecond, writes > 0, context.growthShape != .idle else {
            return pass(
                "no write load to compete with (\(context.growthShapeReason))",
                [
                    Self.hotWriteShare.evidence(metric: .writesPerSecond, value: context.metrics.writesPerSecond)
                ])
        }
        // A read model must take load off a primary that needs it: a busy primary, or reports
        // that keep a whole session busy by themselves.
        let headroom = context.primaryHeadroom()
        var headroomRejection: String?
        let hot = (context.snapshot.tables ?? []).filter {
            ($0.writesPerSecond ?? 0) / writes >= Self.hotWriteShare.value
        }
        let classification = StatementClassifier.classify(context)
        let mix = QueryMixBuilder.build(context, classification)
        let analytic = classification.of(.analytic)
        let totalBlocks = classification.totalBlocks
        var found: [Recommendation] = []
        var bestShare = 0.0
        for table in hot {
            let reading = analytic.filter { read in
                read.parsed.tablesRead.contains { context.resolveTable($0)?.qualifiedName == table.qualifiedName }
            }
            let share = reading.reduce(0) { $0 + ($1.timeShare ?? 0) }
            bestShare = max(bestShare, share)
            guard share >= Self.analyticTimeShare.value else { continue }
            let removed =
                context.busySessions(ofStatementTimeMs: reading.reduce(0) { $0 + $1.statement.totalExecTimeMs }) ?? 0
            if let headroom, removed < Self.sessionsRemoved.value {
                headroomRejection =
                    "the aggregates on \(table.qualifiedName) keep \(Formatting.rate(removed)) sessions busy "
                    + "(< \(Formatting.rate(Self.sessionsRemoved.value))) and \(headroom)"
                continue
            }
            let blockShare =
                totalBlocks > 0 ? Double(reading.reduce(0) { $0 + $1.blocks }) / Double(totalBlocks) : nil
            let tableShare = (table.writesPerSecond ?? 0) / writes
            let option = ReadModelOption(context, reading)
            let listed = reading.map { read in
                Self.analyticTimeShare.evidence(
                    metric: .statementTimeShare, value: read.timeShare,
                    note: "queryid \(read.statement.queryid)"
                        + (read.callsPerSecond.map { ", \(Formatting.rate($0)) calls/s" } ?? "")
                        + ": \(read.text(limit: 80))")
            }
            found.append(
                recommendation(
                    severity: .warning, target: table.qualifiedName,
                    summary:
                        "\(reading.count) analytic statement(s) on \(table.qualifiedName) take \(Formatting.percent(share)) of primary statement time\(blockShare.map { " and \(Formatting.percent($0)) of blocks read" } ?? "") while it takes \(Formatting.percent(tableShare)) of writes.",
                    evidence: [
                        Self.analyticTimeShare.evidence(metric: .analyticTimeShare, value: share),
                        Self.sessionsRemoved.evidence(
                            metric: .busySessionsRemoved, value: removed,
                            note: "the aggregates' execution time per second: the load the read model takes off"),
                        Evidence(
                            metric: .analyticBlockShare, value: blockShare, threshold: nil, unit: .ratio,
                            note: blockShare == nil
                                ? "no shared blocks recorded" : "shared blocks hit + read of all tracked statements"),
                        Self.hotWriteShare.evidence(metric: .tableWriteShare, value: tableShare),
                        Evidence(
                            metric: .tableWritesPerSecond, value: table.writesPerSecond, threshold: nil,
                            unit: .rowsPerSecond,
                            note: mix.table(table.qualifiedName).map { "\(table.qualifiedName): \($0.summary)" }),
                        option.evidence,
                    ] + listed + (classification.unparsedEvidence.map { [$0] } ?? []),
                    actions: option.actions(
                        ids: reading.map(\.statement.queryid).joined(separator: ", "), table: table.qualifiedName)))
        }
        guard found.isEmpty else { return .recommend(found) }
        if let headroomRejection {
            return pass("no separate read model: \(headroomRejection)", context.cpuEvidence())
        }
        let skipped =
            classification.unparsed.isEmpty ? "" : "; \(classification.unparsed.count) statement(s) failed to parse"
        return pass(
            "aggregates on write-hot tables take \(Formatting.percent(bestShare)) of statement time (\(hot.count) hot table(s))\(skipped)",
            [
                Self.analyticTimeShare.evidence(metric: .analyticTimeShareOnHotTables, value: bestShare)
            ] + (classification.unparsedEvidence.map { [$0] } ?? []))
    }
}

/// The read model the measured freshness need points to. The need is the time between runs of
/// the most frequent analytic statement: a result read every N seconds need not be fresher.
private struct ReadModelOption {
    enum Choice { case materializedView, replica, streamedReadModel, unknown }

    let choice: Choice
    let freshnessSeconds: Double?
    let lagSeconds: Double
    let lagMeasured: Bool

    init(_ context: RuleContext, _ reads: [ClassifiedStatement]) {
        let fastest = reads.compactMap(\.callsPerSecond).filter { $0 > 0 }.max()
        freshnessSeconds = fastest.map { 1 / $0 }
        let measured = context.standbyViews.compactMap(\.typicalSeconds).max()
        lagSeconds = measured ?? context.levels(.replicationLagSeconds).measuredWarning
        lagMeasured = measured != nil
        choice =
            switch freshnessSeconds {
            case nil: .unknown
            case let need? where need >= AnalyticsOnHotTablesRule.scheduledRefreshInterval.value: .materializedView
            case let need? where need >= lagSeconds: .replica
            default: .streamedReadModel
            }
    }

    var evidence: Evidence {
        let lag =
            "\(lagMeasured ? "measured replica lag" : "replication_lag_seconds budget") \(Formatting.rate(lagSeconds)) s"
        return AnalyticsOnHotTablesRule.scheduledRefreshInterval.evidence(
            metric: .freshnessNeedSeconds, value: freshnessSeconds,
            note: freshnessSeconds == nil
                ? "interval length unknown: time between runs not measured"
                : "time between runs of the most frequent statement; \(lag)")
    }

    func actions(ids: String, table: String) -> [String] {
        let need = freshnessSeconds.map { Formatting.rate($0) } ?? "?"
        let view =
            "Serve statements \(ids) from a materialized view over \(table), refreshed every \(need) s (REFRESH MATERIALIZED VIEW CONCURRENTLY) off the hot path."
        let replica =
            "Route statements \(ids) to a hot standby: they run every \(need) s, longer than the \(Formatting.rate(lagSeconds)) s replica lag."
        let streamed =
            "Maintain a read model for statements \(ids) from the write stream: a summary table updated with each write batch, or a column store fed by logical replication from \(table)."
        switch choice {
        case .materializedView: return [view, replica, streamed]
        case .replica: return [replica, streamed, view]
        case .streamedReadModel:
            return [
                "Statements \(ids) run every \(need) s, fresher than a replica (\(Formatting.rate(lagSeconds)) s lag) or a scheduled refresh can serve.",
                streamed,
            ]
        case .unknown: return [streamed, replica, view]
        }
    }
}
