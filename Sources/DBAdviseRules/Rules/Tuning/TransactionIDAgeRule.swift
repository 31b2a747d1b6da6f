import DBAdviseAnalysis
import DBAdviseModel

/// Transaction ID age judged against the server's own freezing settings and the wraparound
/// limit, as the manual's "Preventing Transaction ID Wraparound Failures" explains.
///
/// The config key `transaction_id_age` stays the gate's line (a team's own alarm); this rule's
/// severity follows the server: past `autovacuum_freeze_max_age` an anti-wraparound autovacuum
/// is forced, so an age beyond it means that vacuum is running or blocked (warning); past half
/// the way from there to the limit where the server stops assigning transaction IDs, it is
/// critical.
public struct TransactionIDAgeRule: Rule {
    public static let wraparoundLimit = RuleParameter(
        name: "wraparound_limit", value: 2_147_483_648, unit: .transactions,
        why: "Transaction IDs are 32 bits compared modulo 2^32: a row is at most 2^31 transactions old before it "
            + "would seem to be in the future.")
    public static let stopMargin = RuleParameter(
        name: "stop_margin", value: 3_000_000, unit: .transactions,
        why: "With fewer than 3 million transactions left before wraparound the server refuses to assign new "
            + "transaction IDs: writes stop until the database is vacuumed.")
    public static let warningMargin = RuleParameter(
        name: "server_warning_margin", value: 40_000_000, unit: .transactions,
        why: "With fewer than 40 million left the server warns on every transaction that the database must be "
            + "vacuumed (100 million from PostgreSQL 19).")
    public static let criticalShare = RuleParameter(
        name: "critical_share_of_headroom", value: 0.5, unit: .ratio,
        why: "Half the headroom between autovacuum_freeze_max_age and the stop limit used up: freezing has been "
            + "blocked for hundreds of millions of transactions, and the rest goes at the same pace.")
    /// PostgreSQL's default autovacuum_freeze_max_age, used when the snapshot lacks the setting.
    public static let defaultFreezeMaxAge = 200_000_000.0

    public static let description = RuleDescription(
        id: "tuning-transaction-id-age", strategy: .tuning,
        title: "Freeze old rows before transaction ID wraparound",
        rationale: """
            PostgreSQL's 32-bit transaction IDs wrap around after 2^31; rows must be frozen by \
            vacuum before that. Past autovacuum_freeze_max_age (default 200 million) an \
            anti-wraparound autovacuum is forced, so an age beyond the server's own setting means \
            that vacuum is running or something blocks it (warning). The server warns 40 million \
            (100 million from PostgreSQL 19) transactions before the limit and stops assigning transaction IDs 3 million before \
            it; past half the way from autovacuum_freeze_max_age to that stop, the finding is \
            critical. The transaction_id_age key is the gate's line, not this rule's.
            """,
        sources: [Manual.wraparound, Manual.autovacuumFreezeMaxAge],
        thresholds: [], parameters: [wraparoundLimit, stopMargin, warningMargin, criticalShare],
        inputs: [
            "database.datfrozenxid_age", "tables.relfrozenxid_age", "server.settings.autovacuum_freeze_max_age",
        ])

    public init() {}

    public func evaluate(_ context: RuleContext) -> RuleVerdict {
        let configured = context.snapshot.server.setting("autovacuum_freeze_max_age").flatMap { Double($0.setting) }
        let freezeMaxAge = configured ?? Self.defaultFreezeMaxAge
        let setting =
            "autovacuum_freeze_max_age \(Formatting.grouped(Int(saturating: freezeMaxAge)))"
            + (configured == nil ? " (PostgreSQL's default, assumed: the setting was not collected)" : "")
        let stopAt = Self.wraparoundLimit.value - Self.stopMargin.value
        // PostgreSQL 19 warns from 100 million transactions before wraparound, earlier ones from 40 million.
        let warningMargin = context.snapshot.server.versionNum >= 190_000 ? 100_000_000 : Self.warningMargin.value
        let serverWarnsAt = Self.wraparoundLimit.value - warningMargin
        let criticalAt = freezeMaxAge + (stopAt - freezeMaxAge) * Self.criticalShare.value
        guard let age = context.snapshot.database?.datfrozenxidAge.map(Double.init) else {
            return pass(
                "transaction ID age unknown (age(datfrozenxid) was not collected)",
                [Evidence(metric: .datfrozenxidAge, value: nil, threshold: freezeMaxAge, unit: .transactions)])
        }
        let left = stopAt - age
        var evidence = [
            Evidence(
                metric: .datfrozenxidAge, value: age, threshold: freezeMaxAge, unit: .transactions,
                note: "threshold: the server's \(setting)"),
            Evidence(
                metric: .transactionsBeforeStop, value: max(0, left), threshold: stopAt - criticalAt,
                unit: .transactions,
                note:
                    "2^31 − 3 million (the server stops assigning transaction IDs) − age; critical below the threshold"),
        ]
        let ageText = Formatting.grouped(Int(saturating: age))
        guard age >= freezeMaxAge else {
            return pass("age(datfrozenxid) \(ageText) < \(setting): autovacuum freezes on its own schedule", evidence)
        }
        let severity: Severity = age >= criticalAt ? .critical : .warning
        let oldest = (context.snapshot.tables ?? []).filter { $0.relfrozenxidAge != nil }
            .sorted { ($0.relfrozenxidAge ?? 0) > ($1.relfrozenxidAge ?? 0) }.prefix(3)
        let tables = oldest.map { "\($0.qualifiedName) (\(Formatting.grouped($0.relfrozenxidAge ?? 0)))" }.joined(
            separator: ", ")
        evidence += oldest.map {
            Evidence(
                metric: .relfrozenxidAge(table: $0.qualifiedName), value: $0.relfrozenxidAge.map(Double.init),
                threshold: freezeMaxAge, unit: .transactions)
        }
        let stage =
            age >= serverWarnsAt
            ? "the server is already warning (fewer than \(Formatting.grouped(Int(saturating: warningMargin))) transactions left before wraparound)"
            : severity == .critical
                ? "past half the way from it to the stop limit (\(Formatting.grouped(Int(saturating: criticalAt))))"
                : "an anti-wraparound autovacuum is due or blocked"
        return .recommend([
            recommendation(
                severity: severity, target: context.databaseName,
                summary: "age(datfrozenxid) \(ageText) ≥ \(setting): \(stage); "
                    + "\(Formatting.grouped(Int(saturating: max(0, left)))) transactions left before the server stops "
                    + "assigning transaction IDs (2^31 − 3 million)"
                    + (tables.isEmpty ? "." : "; oldest tables: \(tables)."),
                evidence: evidence,
                actions: [
                    "Run VACUUM (FREEZE, VERBOSE) on the oldest tables, starting with \(oldest.first?.qualifiedName ?? "the largest ones").",
                    "Find what blocks freezing: long transactions, abandoned replication slots, prepared transactions "
                        + "(pg_stat_activity.backend_xmin, pg_replication_slots.xmin, pg_prepared_xacts).",
                ])
        ])
    }
}

extension Manual {
    static let autovacuumFreezeMaxAge =
        "https://www.postgresql.org/docs/current/runtime-config-autovacuum.html#GUC-AUTOVACUUM-FREEZE-MAX-AGE"
}
