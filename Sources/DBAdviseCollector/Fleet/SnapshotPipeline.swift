import DBAdviseModel
import Foundation

/// collect → redact → encode: what `collect` does for one database and the fleet for each of
/// its databases, in one place.
public enum SnapshotPipeline {
    /// A collected snapshot, redacted when a key was given, and its JSON.
    public struct Collected: Sendable {
        public var snapshot: Snapshot
        public var data: Data
        /// Where it was collected from, before redaction (which drops host and port).
        public var connection: ConnectionInfo
    }

    /// Why the pipeline produced no snapshot (or could not store it).
    public enum Failure: Error, Sendable {
        case collection(CollectorError)
        case encoding(String)
        case write(SnapshotDirectory.WriteError)
    }

    /// Collects one snapshot, redacts it with `redactionKey` (nil: not redacted) and encodes
    /// it. `progress` is called about once a second while sampling (elapsed, total seconds).
    public static func run(
        _ options: CollectOptions, redactionKey: RedactionKey?,
        progress: SnapshotCollector.Progress? = nil
    ) throws(Failure) -> Collected {
        let collected: Snapshot
        do {
            collected = try SnapshotCollector.collect(options, progress: progress)
        } catch {
            throw .collection(error)
        }
        let snapshot = redactionKey.map { SnapshotRedactor.redact(collected, key: $0) } ?? collected
        do {
            return Collected(
                snapshot: snapshot, data: try SnapshotCoding.encode(snapshot), connection: collected.connection)
        } catch {
            throw .encoding("\(error)")
        }
    }
}
