import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// write(2) of the C library, by a name that does not clash with the methods called `write`.
public func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
        Glibc.write(descriptor, bytes, count)
    #else
        Darwin.write(descriptor, bytes, count)
    #endif
}

/// A write that failed: errno's text, and what was being done.
public struct WriteFailure: Error {
    public let reason: String
    public init(_ step: String, errno code: Int32) {
        reason = "\(step): \(String(cString: strerror(code)))"
    }
    public init(reason: String) { self.reason = reason }
}

/// The temp-file-fsync-rename sequence, with the temporary file registered for removal by a
/// signal handler while it exists.
public enum AtomicFileWriter {
    /// Set by tests only: after the temporary file is written and fsynced, print a line to
    /// stderr and wait for a signal, so a test can kill the writer at exactly that point.
    public static let pauseEnvironmentKey = "DBADVISE_TEST_PAUSE_BEFORE_RENAME"

    public static func write(_ data: Data, to path: String) throws(WriteFailure) {
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
            let notice = Array("dbadvise: test: paused before rename\n".utf8)
            _ = notice.withUnsafeBytes { bytes in
                bytes.baseAddress.map { systemWrite(2, $0, bytes.count) }
            }
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
    public static func writeAll(_ data: Data, to descriptor: Int32) throws(WriteFailure) {
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
