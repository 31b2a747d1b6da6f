import DBAdviseAnalysis
import DBAdviseModel
import DBAdviseOutput
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// stdout holds only the result; messages and progress go to stderr.
enum Terminal {
    static var stderrIsTerminal: Bool { isatty(2) == 1 }
    static var stdoutIsTerminal: Bool { isatty(1) == 1 }

    /// Color in text output: only on a terminal, and never when NO_COLOR is set and not empty
    /// (https://no-color.org).
    static var colorEnabled: Bool {
        stdoutIsTerminal && (ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty
    }

    /// Messages quote names (a database, a file): their control characters are shown
    /// escaped. A stderr that cannot be written (a full disk) has no one to tell, so the
    /// failure is dropped; a closed pipe ends the process as SIGPIPE does.
    static func writeError(_ text: String) {
        FileDescriptorOutput.writeQuietly(DisplayText.escaped(text), to: 2)
    }

    /// The result. A full disk (`> /dev/full`) or any other write error is exit 2 with one
    /// line on stderr; a closed pipe (`| head -1`) ends the process quietly by SIGPIPE, as
    /// `cat` and `grep` do (status 141 in a shell).
    static func writeOutput(_ text: String) throws(CommandError) {
        if let code = FileDescriptorOutput.write(text, to: 1) {
            throw .usage(
                "cannot write to standard output: \(String(cString: strerror(code)))",
                fix: "free space where stdout goes, or redirect it elsewhere")
        }
    }

    /// A one-line progress indicator, redrawn in place, only when stderr is a terminal.
    static func progress(_ text: String) {
        guard stderrIsTerminal else { return }
        FileDescriptorOutput.writeQuietly("\r\u{1B}[2K" + DisplayText.escaped(text), to: 2)
    }

    static func endProgress() {
        guard stderrIsTerminal else { return }
        FileDescriptorOutput.writeQuietly("\r\u{1B}[2K", to: 2)
    }
}

/// write(2) to stdout or stderr: never traps (FileHandle's non-throwing `write` does on any
/// error), retries on EINTR, and turns EPIPE into the conventional death by SIGPIPE.
enum FileDescriptorOutput {
    /// Returns errno of a failed write, nil when every byte was written.
    static func write(_ text: String, to descriptor: Int32) -> Int32? {
        var text = text
        let failure = text.withUTF8 { buffer -> Int32? in
            guard var next = buffer.baseAddress.map(UnsafeRawPointer.init) else { return nil }
            var left = buffer.count
            while left > 0 {
                let written = systemWrite(descriptor, next, left)
                if written < 0 {
                    if errno == EINTR || errno == EAGAIN { continue }
                    return errno
                }
                left -= written
                next += written
            }
            return nil
        }
        if failure == EPIPE {
            // The reader is gone: end as a pipeline member is expected to, silently. SIGPIPE
            // may be ignored or blocked (Foundation ignores it), so it is reset, unblocked
            // and raised; should it still return, exit with the status a shell would show.
            signal(SIGPIPE, SIG_DFL)
            var pipeSignal = sigset_t()
            sigemptyset(&pipeSignal)
            sigaddset(&pipeSignal, SIGPIPE)
            pthread_sigmask(SIG_UNBLOCK, &pipeSignal, nil)
            raise(SIGPIPE)
            _exit(128 + SIGPIPE)
        }
        return failure
    }

    static func writeQuietly(_ text: String, to descriptor: Int32) {
        _ = write(text, to: descriptor)
    }
}
