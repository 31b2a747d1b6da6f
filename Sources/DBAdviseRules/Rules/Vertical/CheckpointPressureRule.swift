import DBAdviseAnalysis
import DBAdviseModel

/// Checkpoints forced by WAL volume rather than by the timer.
public struct CheckpointPressureRule: Rule {
    public static let requestedShare = RuleParameter(
        name: "requested_checkpoint_share", value: 0.5, unit: .ratio,
        why: "When most checkpoints are requested, max_wal_size is reached before checkpoint_timeout.")
    public static let minimumRequested = RuleParameter(
        name: "minimum_requested_checkpoints", value: 2, unit: .checkpoints,
        why: "One requested checkpoint can be a manual CHECKPOINT or a base backup.")

    public static let description = RuleDescription(
        id: "vertical-checkpoint-pressure", strategy: .vertical,
        title: "Checkpoints are forced by write volume",
        rationale: """
            Checkpoints requested because max_wal_size filled up (checkpoints_req) rather than \
            by checkpoint_timeout mean write bursts of full-page images and IO spikes. Raise \
            max_wal_size first; if writes keep saturating storage, faster storage or a larger \
            machine is the vertical step.
            """,
        sources: [Manual.walConfiguration],
        thresholds: [], parameters: [requestedShare, minimumRequested],
        inputs: ["checkpoints.checkpoints_req", "checkpoints.checkpoints_timed", "server.settings.max_wal_size"])

    public init() {}

    public func evaluate(_ context: RuleContext) -> RuleVerdict {
        guard let checkpoints = context.snapshot.checkpoints,
            let requested = checkpoints.checkpointsReq, let timed = checkpoints.checkpointsTimed
        else {
            return pass(
                "checkpoint counters were not collected",
                [
                    Self.requestedShare.evidence(
                        metric: .requestedCheckpointShare, value: nil, note: "checkpoint counters unavailable")
                ])
        }
        let total = requested + timed
        let share = total > 0 ? Double(requested) / Double(total) : 0
        let evidence = [
            Self.requestedShare.evidence(
                metric: .requestedCheckpointShare, value: total > 0 ? share : nil,
                note: total == 0 ? "no checkpoint during the interval" : nil),
            Self.minimumRequested.evidence(metric: .checkpointsReq, value: Double(requested)),
        ]
        guard Double(requested) >= Self.minimumRequested.value, share >= Self.requestedShare.value else {
            return pass("\(requested) requested vs \(timed) timed checkpoints", evidence)
        }
        // A bulk load or a restore forces checkpoints once; only a settled window shows the
        // everyday write volume.
        guard context.window.settled else {
            return pass(
                "\(requested) requested vs \(timed) timed checkpoints, over an unsettled window "
                    + "(\(context.window.unsettledReason ?? ""))", evidence)
        }
        let maxWal = context.snapshot.server.setting("max_wal_size")?.bytes.map(Formatting.bytes) ?? "max_wal_size"
        return .recommend([
            recommendation(
                severity: .warning, target: context.databaseName,
                summary:
                    "\(requested) of \(total) checkpoints were requested by WAL volume (\(Formatting.percent(share))).",
                evidence: evidence,
                actions: [
                    "Raise max_wal_size (now \(maxWal)) so checkpoints follow checkpoint_timeout.",
                    "If storage stays saturated during checkpoints, move to faster storage or a larger machine.",
                ])
        ])
    }
}
