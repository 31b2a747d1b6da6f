import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads a file named by the user (`--input`, `--config`, `--baseline`): a regular file only,
/// so that `/dev/zero` is not read for ever and a FIFO does not wait for a writer. The
/// failure reason reads after "cannot read FILE: ".
public enum InputFile {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let reason: String
        public var description: String { reason }
    }

    public static func read(_ path: String) throws(Failure) -> Data {
        switch FileKind.of(path) {
        case .absent: break  // open says why: no such file, or permission denied on the way
        case .other(let kind): throw Failure(reason: "it is \(kind), not a regular file")
        case .regular: break
        }
        // O_NONBLOCK: should the path be swapped for a FIFO after the check, open does not wait.
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { throw Failure(reason: systemReason(errno)) }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        var opened = stat()
        guard fstat(descriptor, &opened) == 0, opened.st_mode & S_IFMT == S_IFREG else {
            throw Failure(reason: "it is not a regular file")
        }
        do {
            return try handle.readToEnd() ?? Data()
        } catch {
            let code = ((error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError)?.code
            throw Failure(reason: code.map { systemReason(Int32($0)) } ?? "\(error)")
        }
    }

    private static func systemReason(_ code: Int32) -> String {
        switch code {
        case ENOENT: "no such file"
        case EACCES: "permission denied"
        default: String(cString: strerror(code)).lowercased()
        }
    }
}

/// What a path names, following symbolic links: what input files must be, and what output
/// files may replace (a link to a regular file is written through as a rename of the link
/// itself, which leaves the linked file alone).
public enum FileKind: Equatable, Sendable {
    case absent
    case regular
    /// `a directory`, `a FIFO`, `a character device` …: how a refusal names it.
    case other(String)

    public static func of(_ path: String) -> FileKind {
        var status = stat()
        guard stat(path, &status) == 0 else { return .absent }
        switch status.st_mode & S_IFMT {
        case S_IFREG: return .regular
        case S_IFDIR: return .other("a directory")
        case S_IFIFO: return .other("a FIFO")
        case S_IFSOCK: return .other("a socket")
        case S_IFCHR: return .other("a character device")
        case S_IFBLK: return .other("a block device")
        default: return .other("of an unknown type")
        }
    }
}
