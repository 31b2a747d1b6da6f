import DBAdviseAnalysis
import DBAdviseHistory
import DBAdviseModel
import DBAdviseOutput
import Foundation

/// The history store of a `collect --output DIR/` directory as the commands use it: collect
/// appends each snapshot it writes and applies the config's retention; analyze and check
/// read a directory through it.
enum HistoryStoreAccess {
    // MARK: collect

    /// The config's `history:` for collect, found the contract's way (collect has no
    /// `--config`: `$DBADVISE_CONFIG`, `./dbadvise.yml`, `$XDG_CONFIG_HOME/dbadvise/config.yml`).
    static func policy() throws(CommandError) -> HistoryPolicy {
        let origin = ConfigDiscovery.locate(option: nil, environment: ProcessInfo.processInfo.environment)
        do {
            return try Config.load(origin).history
        } catch {
            throw CommandError(error, origin: origin)
        }
    }

    /// Appends the snapshot just written to `file` to its directory's store, then deletes the
    /// files retention no longer keeps. The file is written either way, and analyze indexes
    /// a file the store missed: a store that cannot be written is a warning, not a failure.
    static func record(_ snapshot: Snapshot, data: Data, file: URL, policy: HistoryPolicy) {
        let directory = file.deletingLastPathComponent()
        do {
            let history = try HistoryDirectory(directory: directory)
            try history.record(snapshot, data: data, file: file)
            if let days = policy.keepSnapshotFilesDays {
                // Ages are read from the store: files changed or copied in since are indexed first.
                _ = try history.synchronize(
                    files: try SnapshotInput.files(for: directory.path), read: readFile, decode: decode)
                let deleted = try history.applyRetention(keepDays: days)
                if !deleted.isEmpty {
                    Terminal.writeError(
                        "dbadvise: deleted \(deleted.count) snapshot file\(deleted.count == 1 ? "" : "s") older than "
                            + "\(Formatting.number(days)) days (history.keep_snapshot_files_days); their points stay in "
                            + "\(SQLiteHistoryStore.fileName)\n")
                }
            }
        } catch {
            Terminal.writeError(
                "dbadvise: warning: the snapshot is written, but the history store in \(directory.path) was not "
                    + "updated: \(describe(error)); analyze indexes the file later\n")
        }
    }

    // MARK: analyze, check

    /// The series of one history directory, read through its store: the newest snapshot
    /// decoded in full, the trends from the store's trend state. Nil when the
    /// store cannot be opened or created (a read-only copy of the files): the caller then
    /// reads every file, as without a store.
    static func read(directory: String) throws(CommandError) -> AnalysisSeries? {
        let files = try SnapshotInput.files(for: directory)
        let history: HistoryDirectory
        do {
            history = try HistoryDirectory(directory: URL(fileURLWithPath: directory, isDirectory: true))
        } catch {
            guard error.kind != .newerSchema else { throw CommandError(.usage, error.message, fix: error.fix) }
            return nil
        }
        do {
            let synchronization = try history.synchronize(files: files, read: readFile, decode: decode)
            return try history.series(decoded: synchronization.decoded, read: readFile, decode: decode)
        } catch let error as CommandError {
            throw error
        } catch let error as AnalysisError {
            throw CommandError(error)
        } catch let error as HistoryStoreError {
            throw CommandError(.usage, error.message, fix: error.fix)
        } catch {
            throw CommandError(.usage, "cannot read the history in \(directory): \(error)")
        }
    }

    private static func describe(_ error: any Error) -> String {
        if let error = error as? CommandError { return error.message }
        return "\(error)"
    }

    private static func readFile(_ path: String) throws -> Data {
        do {
            return try InputFile.read(path)
        } catch {
            throw CommandError.usage(
                "cannot read \(path): \(error.reason)",
                fix: "pass a snapshot file written by 'dbadvise collect', or a directory of them")
        }
    }

    private static func decode(_ path: String, _ data: Data) throws -> Snapshot {
        try SnapshotInput.decode(data, file: path)
    }
}
