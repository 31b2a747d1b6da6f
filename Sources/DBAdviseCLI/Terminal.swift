import DBAdviseCore
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

    /// Messages quote names (a database, a file): their control characters are shown escaped.
    static func writeError(_ text: String) {
        FileHandle.standardError.write(Data(DisplayText.escaped(text).utf8))
    }

    static func writeOutput(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// A one-line progress indicator, redrawn in place, only when stderr is a terminal.
    static func progress(_ text: String) {
        guard stderrIsTerminal else { return }
        FileHandle.standardError.write(Data(("\r\u{1B}[2K" + DisplayText.escaped(text)).utf8))
    }

    static func endProgress() {
        guard stderrIsTerminal else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
    }
}
