import DBAdviseCore

/// Transaction ID age approaching wraparound.
public struct TransactionIDAgeRule: Rule {
    public static let description = RuleDescription(
        id: "tuning-transaction-id-age", strategy: .tuning,
        title: "Freeze old rows before transaction ID wraparound",
        rationale: """
            PostgreSQL's 32-bit transaction IDs wrap around after about 2 billion; rows must be \
            frozen by vacuum before that, and near the limit the server stops accepting writes. \
            An age past autovacuum_freeze_max_age that keeps growing means freezing is blocked.
            """,
        sources: [Manual.wraparound],
        thresholds: [.transactionIDAge],
        inputs: ["database.datfrozenxid_age", "tables.relfrozenxid_age"])

    public init() {}

    public func evaluate(_ context: RuleContext) -> RuleVerdict {
        let age = context.snapshot.database?.datfrozenxidAge.map(Double.init)
        let levels = context.levels(.transactionIDAge)
        let severity = age.flatMap(levels.severity(of:))
        let evidence = Evidence(
            metric: "datfrozenxid_age", value: age, levels: levels, severity: severity,
            note: age == nil ? "age(datfrozenxid) was not collected" : nil)
        guard let age, let severity else {
            return pass(
                "transaction ID age \(age.map { Formatting.grouped(Int(saturating: $0)) } ?? "unknown") < \(Formatting.grouped(Int(saturating: levels.warning))) transaction_id_age warning",
                [evidence])
        }
        let oldest = (context.snapshot.tables ?? []).filter { $0.relfrozenxidAge != nil }
            .sorted { ($0.relfrozenxidAge ?? 0) > ($1.relfrozenxidAge ?? 0) }.prefix(3)
        let tables = oldest.map { "\($0.qualifiedName) (\(Formatting.grouped($0.relfrozenxidAge ?? 0)))" }.joined(
            separator: ", ")
        return .recommend([
            recommendation(
                severity: severity, target: context.databaseName,
                summary: "age(datfrozenxid) is \(Formatting.grouped(Int(saturating: age))) transactions"
                    + (tables.isEmpty ? "." : "; oldest tables: \(tables)."),
                evidence: [evidence]
                    + oldest.map {
                        Evidence(
                            metric: "relfrozenxid_age(\($0.qualifiedName))", value: $0.relfrozenxidAge.map(Double.init),
                            threshold: nil, unit: "transactions")
                    },
                actions: [
                    "Run VACUUM (FREEZE) on the oldest tables, starting with \(oldest.first?.qualifiedName ?? "the largest ones").",
                    "Find what blocks freezing: long transactions, abandoned replication slots, prepared transactions.",
                ])
        ])
    }
}
