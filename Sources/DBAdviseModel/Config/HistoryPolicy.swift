import Foundation

/// How a history directory (`collect --output DIR/`) keeps its snapshot files (`history:` in
/// the config). The series points of every snapshot stay in the directory's history store
/// either way: trends and forecasts keep the whole series, only the full files go.
public struct HistoryPolicy: Sendable, Equatable {
    /// Snapshot files whose snapshot finished more than this many days before the newest one
    /// are deleted after each collection; nil (the default) keeps every file. The newest
    /// file is always kept: analyze reads it in full.
    public var keepSnapshotFilesDays: Double?

    public init(keepSnapshotFilesDays: Double? = nil) {
        self.keepSnapshotFilesDays = keepSnapshotFilesDays
    }

    /// The keys `history:` accepts.
    public static let keys = ["keep_snapshot_files_days"]
}
