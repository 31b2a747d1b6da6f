import DBAdviseAnalysis
import DBAdviseModel

/// Tables full of dead rows: autovacuum is not keeping up.
public struct DeadTuplesRule: Rule {
    public static let description = RuleDescription(
        id: "tuning-dead-tuples", strategy: .tuning,
        title: "Vacuum is behind: dead rows pile up",
        rationale: """
            Dead tuples are removed by (auto)vacuum; when they reach a large share of a table, \
            scans read garbage and the table bloats. Causes: autovacuum thresholds too loose \
            for a big table, throttling, or long transactions holding back the xmin horizon.
            """,
        sources: [Manual.vacuum, Manual.statTables],
        thresholds: [.deadTupleRatio],
        inputs: [
            "tables.n_dead_tup", "tables.n_live_tup", "tables.last_autovacuum",
            "activity.oldest_transaction_seconds",
        ])

    public init() {}

    public func evaluate(_ context: RuleContext) -> RuleVerdict {
        let levels = context.levels(.deadTupleRatio)
        var worst: (String, Double)?
        var found: [Recommendation] = []
        for table in context.snapshot.tables ?? [] {
            guard let ratio = GateEvaluator.deadTupleRatio(table) else { continue }
            if ratio > (worst?.1 ?? -1) { worst = (table.qualifiedName, ratio) }
            guard let severity = levels.severity(of: ratio) else { continue }
            let oldest = context.snapshot.activity?.oldestTransactionSeconds
            found.append(
                recommendation(
                    severity: severity, target: table.qualifiedName,
                    summary:
                        "\(table.qualifiedName): \(Formatting.grouped(table.nDeadTup ?? 0)) dead rows, \(Formatting.percent(ratio)) of the table.",
                    evidence: [
                        Evidence(metric: .deadTupleRatio, value: ratio, levels: levels, severity: severity),
                        Evidence(metric: .oldestTransactionSeconds, value: oldest, threshold: nil, unit: .seconds),
                    ],
                    actions: [
                        "Lower autovacuum_vacuum_scale_factor for \(table.qualifiedName) (ALTER TABLE ... SET (autovacuum_vacuum_scale_factor = 0.01)).",
                        "End long-running and idle-in-transaction sessions that hold back vacuum.",
                        "Raise autovacuum_vacuum_cost_limit if vacuum runs but too slowly.",
                    ]))
        }
        guard found.isEmpty else { return .recommend(found) }
        let shown =
            worst.map { "worst dead tuple ratio \(Formatting.percent($0.1)) (\($0.0))" }
            ?? "no table large enough to judge"
        return pass(
            "\(shown) < \(Formatting.percent(levels.warning)) dead_tuple_ratio warning",
            [Evidence(metric: .deadTupleRatio, value: worst?.1, levels: levels, severity: nil)])
    }
}
