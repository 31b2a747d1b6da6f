import DBAdviseAnalysis
import DBAdviseModel

/// Inactive replication slots keep WAL on the primary until its disk fills.
public struct InactiveReplicationSlotRule: Rule {
    public static let retainedBytes = RuleParameter(
        name: "retained_bytes", value: 1_073_741_824, unit: .bytes,
        why: "A gigabyte of WAL held for a consumer that is gone is a warning; it only grows.")
    public static let storageShare = RuleParameter(
        name: "retained_storage_share", value: 0.1, unit: .ratio,
        why: "A tenth of the primary's disk held by one slot is close to a full disk and a stopped primary.")

    public static let description = RuleDescription(
        id: "tuning-inactive-replication-slots", strategy: .tuning,
        title: "Inactive replication slots hold WAL back",
        rationale: """
            A replication slot keeps every WAL segment its consumer has not confirmed. When \
            the consumer is gone (a removed standby, a stopped logical subscriber) the slot is \
            inactive and the WAL it retains grows until the primary's disk fills and the \
            primary stops. Drop slots nobody will resume, or cap them with \
            max_slot_wal_keep_size (13+).
            """,
        sources: [Manual.replicationSlots, Manual.slotWalKeepSize],
        thresholds: [], parameters: [retainedBytes, storageShare],
        inputs: [
            "replication.slots.active", "replication.slots.retained_bytes", "replication.slots.wal_status",
            "hardware.storage_gb",
        ])

    public init() {}

    public func evaluate(_ context: RuleContext) -> RuleVerdict {
        let inactive = (context.snapshot.replication?.slots ?? []).filter { !$0.active && ($0.retainedBytes ?? 0) > 0 }
        guard !inactive.isEmpty else {
            let slots = context.snapshot.replication?.slots?.count ?? 0
            return pass(
                "no inactive replication slot retains WAL (\(slots) slot(s))",
                [
                    Self.retainedBytes.evidence(metric: .inactiveSlotRetainedBytes, value: 0)
                ])
        }
        let storage = context.hardware.storageBytes
        return .recommend(
            inactive.map { slot in
                let bytes = Double(slot.retainedBytes ?? 0)
                let share = storage.map { bytes / $0 }
                let severity: Severity =
                    if let share, share >= Self.storageShare.value {
                        .critical
                    } else if bytes >= Self.retainedBytes.value { .warning } else { .info }
                let ofDisk =
                    share.map { " (\(Formatting.percent($0)) of the \(Formatting.bytes(storage ?? 0)) disk)" } ?? ""
                let status = slot.walStatus.map { ", wal_status \($0)" } ?? ""
                return recommendation(
                    severity: severity, target: context.databaseName,
                    title: "Inactive replication slot \(slot.slotName) holds \(Formatting.bytes(bytes)) of WAL",
                    summary:
                        "The \(slot.slotType) slot \(slot.slotName) is inactive and holds \(Formatting.bytes(bytes)) of WAL\(ofDisk)\(status); it grows until the primary's disk fills.",
                    evidence: [
                        Self.retainedBytes.evidence(
                            metric: .retainedBytes, value: bytes, note: "slot \(slot.slotName)"),
                        Self.storageShare.evidence(
                            metric: .retainedStorageShare, value: share,
                            note: share == nil ? "hardware.storage_gb is not configured" : nil),
                    ],
                    actions: [
                        "If its consumer will not come back: SELECT pg_drop_replication_slot('\(slot.slotName)');",
                        "Otherwise bring the consumer back now, and cap retained WAL with max_slot_wal_keep_size (13+).",
                    ])
            })
    }
}
