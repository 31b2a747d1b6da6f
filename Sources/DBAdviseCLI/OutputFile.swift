import DBAdviseCore
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

/// write(2) of the C library, by a name that does not clash with the methods called `write`.
func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
        Glibc.write(descriptor, bytes, count)
    #else
        Darwin.write(descriptor, bytes, count)
    #endif
}

/// A write that failed: errno's text, and what was being done.
struct WriteFailure: Error {
    let reason: String
    init(_ step: String, errno code: Int32) {
        reason = "\(step): \(String(cString: strerror(code)))"
    }
    init(reason: String) { self.reason = reason }
}

/// The temp-file-fsync-rename sequence, with the temporary file registered for removal by a
/// signal handler while it exists.
enum AtomicFileWriter {
    /// Set by tests only: after the temporary file is written and fsynced, print a line to
    /// stderr and wait for a signal, so a test can kill the writer at exactly that point.
    static let pauseEnvironmentKey = "DBADVISE_TEST_PAUSE_BEFORE_RENAME"

    static func write(_ data: Data, to path: String) throws(WriteFailure) {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        // A dot file beside the target: same file system for the rename, hidden from
        // `--input DIR/`, and named after the target so a stray one says where it came from.
        let temporary =
            directory + "/." + url.lastPathComponent + ".dbadvise-\(getpid())-"
            + String(UInt32.random(in: 0...UInt32.max), radix: 36) + ".tmp"
        let slot = PendingTemporaryFiles.register(temporary)
        defer { PendingTemporaryFiles.unregister(slot) }
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else { throw WriteFailure("creating a temporary file beside it", errno: errno) }
        var renamed = false
        defer {
            if !renamed { unlink(temporary) }
        }
        do {
            defer { close(descriptor) }
            try writeAll(data, to: descriptor)
            guard fsync(descriptor) == 0 else { throw WriteFailure("fsync", errno: errno) }
        }
        if ProcessInfo.processInfo.environment[pauseEnvironmentKey] != nil {
            FileDescriptorOutput.writeQuietly("dbadvise: test: paused before rename\n", to: 2)
            while true { pause() }
        }
        // The target may have changed since it was checked: never rename over a device.
        if case .other(let kind) = FileKind.of(path) {
            throw WriteFailure(reason: "it is now \(kind), not a regular file")
        }
        guard rename(temporary, path) == 0 else { throw WriteFailure("rename", errno: errno) }
        renamed = true
        // The rename itself is made durable by syncing the directory.
        let directoryDescriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }

    /// write(2) until every byte is out, retrying on EINTR.
    static func writeAll(_ data: Data, to descriptor: Int32) throws(WriteFailure) {
        let failure: Int32? = data.withUnsafeBytes { buffer -> Int32? in
            guard var next = buffer.baseAddress else { return nil }
            var left = buffer.count
            while left > 0 {
                let written = systemWrite(descriptor, next, left)
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                left -= written
                next += written
            }
            return nil
        }
        if let failure { throw WriteFailure("write", errno: failure) }
    }
}

/// The temporary files being written, as fixed C buffers a signal handler may read: on
/// SIGINT, SIGTERM or SIGHUP the handler unlinks each (unlink(2) is async-signal-safe), then
/// restores the default action and raises the signal again, so the process still ends as
/// the signal says (exit status 128 + signal number in a shell).
enum PendingTemporaryFiles {
    private static let slots = 8
    private static let pathCapacity = Int(PATH_MAX) + 1
    /// `slots` buffers of `pathCapacity` bytes; a buffer whose first byte is 0 is free.
    nonisolated(unsafe) private static let buffers: UnsafeMutablePointer<CChar> = {
        let buffers = UnsafeMutablePointer<CChar>.allocate(capacity: slots * pathCapacity)
        buffers.initialize(repeating: 0, count: slots * pathCapacity)
        return buffers
    }()
    private static let lock = NSLock()
    nonisolated(unsafe) private static var handlersInstalled = false

    /// Returns the slot to unregister, nil when all are taken or the path is too long (the
    /// write goes on; only the clean-up on a signal is lost).
    static func register(_ path: String) -> Int? {
        lock.withLock {
            installHandlers()
            let bytes = Array(path.utf8CString)
            guard bytes.count <= pathCapacity else { return nil }
            for slot in 0..<slots where buffers[slot * pathCapacity] == 0 {
                let start = buffers + slot * pathCapacity
                // the first byte last: the handler sees a slot only once its path is whole
                for index in stride(from: bytes.count - 1, through: 0, by: -1) { start[index] = bytes[index] }
                return slot
            }
            return nil
        }
    }

    static func unregister(_ slot: Int?) {
        guard let slot else { return }
        lock.withLock { buffers[slot * pathCapacity] = 0 }
    }

    private static func installHandlers() {
        guard !handlersInstalled else { return }
        handlersInstalled = true
        for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
            var previous = sigaction()
            sigaction(signalNumber, nil, &previous)
            // A signal the process was started ignoring (nohup, a background job) stays ignored.
            guard !isIgnored(previous) else { continue }
            var action = sigaction()
            let handler: @convention(c) (Int32) -> Void = { signalNumber in
                PendingTemporaryFiles.removeAll()
                signal(signalNumber, SIG_DFL)
                raise(signalNumber)
            }
            #if canImport(Glibc)
                action.__sigaction_handler.sa_handler = handler
            #else
                action.__sigaction_u.__sa_handler = handler
            #endif
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0
            sigaction(signalNumber, &action, nil)
        }
    }

    private static func isIgnored(_ action: sigaction) -> Bool {
        #if canImport(Glibc)
            let handler = action.__sigaction_handler.sa_handler
        #else
            let handler = action.__sigaction_u.__sa_handler
        #endif
        guard let handler else { return false }
        return unsafeBitCast(handler, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self)
    }

    /// Called from the signal handler: only async-signal-safe work.
    private static func removeAll() {
        for slot in 0..<slots where buffers[slot * pathCapacity] != 0 {
            unlink(buffers + slot * pathCapacity)
        }
    }
}
