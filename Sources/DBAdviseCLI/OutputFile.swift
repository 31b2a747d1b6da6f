import DBAdviseModel
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Every file dbadvise writes (`collect --output`, `analyze --plot`, `check --write-baseline`,
/// `--trace-sql`) goes through here, so each one keeps the same guarantees:
///
/// - the target is absent or a regular file: a device node, FIFO, socket or directory is
///   refused (exit 2) before anything is collected or written, and is never replaced;
/// - an existing file is replaced only when `isReplaceable` says it is dbadvise's own (an
///   earlier snapshot, plot or baseline) or empty: anything else the user has is kept;
/// - the data goes to a temporary file beside the target (same file system), is fsynced,
///   then renamed over the target: a reader sees the old file or the new one, never half;
/// - the temporary file is removed on failure and on SIGINT, SIGTERM or SIGHUP mid-write.
struct OutputFile: Sendable {
    let path: String
    /// The flag that named the file, for messages (`--plot`).
    let flag: String

    /// Checks `path` before any work is done. `isReplaceable` gets the current contents of an
    /// existing non-empty regular file; `what` names dbadvise's own kind of file in the refusal
    /// ("a plot written by dbadvise").
    init(
        _ path: String, flag: String, what: String, isReplaceable: (Data) -> Bool
    ) throws(CommandError) {
        self.path = path
        self.flag = flag
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var parentIsDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: parent, isDirectory: &parentIsDirectory),
            parentIsDirectory.boolValue
        else {
            throw .usage(
                "cannot write \(flag) \(path): directory \(parent) does not exist",
                fix: "create the directory first, or choose another \(flag) path")
        }
        guard access(parent, W_OK | X_OK) == 0 else {
            throw .usage(
                "cannot write \(flag) \(path): \(parent) is not a writable directory",
                fix: "choose a writable \(flag) path")
        }
        switch FileKind.of(path) {
        case .absent:
            return
        case .other(let kind):
            throw .usage(
                "refusing to write \(flag) \(path): it is \(kind), not a regular file",
                fix: "name a regular file to write, e.g. \(flag) ./\(Self.example(flag))")
        case .regular:
            break
        }
        let data: Data
        do {
            data = try InputFile.read(path)
        } catch {
            throw .usage(
                "refusing to overwrite \(path): it cannot be read to check that it is \(what) (\(error.reason))",
                fix: "choose another \(flag) path, or move the file away first")
        }
        guard data.isEmpty || isReplaceable(data) else {
            throw .usage(
                "refusing to overwrite \(path): it is not \(what)",
                fix: "choose another \(flag) path, or move the file away first")
        }
    }

    private static func example(_ flag: String) -> String {
        switch flag {
        case "--plot": "growth.svg"
        case "--write-baseline": "baseline.json"
        case "--trace-sql": "trace.sql"
        default: "snapshot.json"
        }
    }

    /// Writes `data` atomically (see the type's notes). Errors name the file and the cause.
    func write(_ data: Data) throws(CommandError) {
        do {
            try AtomicFileWriter.write(data, to: path)
        } catch {
            throw .usage(
                "cannot write \(path): \(error.reason)", fix: "free space on the disk or choose another \(flag) path")
        }
    }
}
