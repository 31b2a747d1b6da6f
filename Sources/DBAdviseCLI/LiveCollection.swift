import DBAdviseCollector
import DBAdviseModel
import Foundation

/// A live collection with its sampling progress on stderr (when that is a terminal): for
/// `collect`, and for `analyze`/`check --dsn`.
enum LiveCollection {
    /// collect → redact → encode, for `collect`.
    static func run(_ options: CollectOptions, redactionKey: RedactionKey?) throws(CommandError)
        -> SnapshotPipeline.Collected
    {
        defer { Terminal.endProgress() }
        do {
            return try SnapshotPipeline.run(options, redactionKey: redactionKey, progress: showProgress)
        } catch {
            throw CommandError(error)
        }
    }

    /// The snapshot alone, for analysis (nothing to encode).
    static func snapshot(_ options: CollectOptions) throws(CommandError) -> Snapshot {
        defer { Terminal.endProgress() }
        do {
            return try SnapshotCollector.collect(options, progress: showProgress)
        } catch {
            throw CommandError(error)
        }
    }

    private static func showProgress(elapsed: Double, total: Double) {
        Terminal.progress("dbadvise: sampling \(Int(elapsed.rounded()))/\(Int(total.rounded())) s")
    }
}
