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
        var status = stat()
        guard stat(path, &status) == 0 else { throw Failure(reason: systemReason(errno)) }
        let kind: String? =
            switch status.st_mode & S_IFMT {
            case S_IFREG: nil
            case S_IFDIR: "a directory"
            case S_IFIFO: "a FIFO"
            case S_IFSOCK: "a socket"
            case S_IFCHR: "a character device"
            case S_IFBLK: "a block device"
            default: "of an unknown type"
            }
        if let kind { throw Failure(reason: "it is \(kind), not a regular file") }
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
