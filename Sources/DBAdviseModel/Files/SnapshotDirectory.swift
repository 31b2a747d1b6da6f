import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A directory of snapshots, as `collect --output DIR/` writes it: one new timestamped file a
/// collection, never over an existing one.
public enum SnapshotDirectory {
    /// Why a snapshot could not be written into a directory.
    public enum WriteError: Error, Sendable, Equatable {
        case cannotCreateDirectory(path: String, reason: String)
        case cannotWrite(path: String, reason: String)
    }

    /// Creates `directory` when it is missing and writes `data` into a new file named after
    /// the snapshot; returns the file written.
    public static func write(_ data: Data, snapshot: Snapshot, into directory: URL) throws(WriteError) -> URL {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw .cannotCreateDirectory(path: directory.path, reason: reason(error))
        }
        let url = uniqueFile(in: directory, for: snapshot)
        do {
            try AtomicFileWriter.write(data, to: url.path)
        } catch {
            throw .cannotWrite(path: url.path, reason: error.reason)
        }
        return url
    }

    /// `shop-20261124T190000Z.json`, with `-2`, `-3` … when that name is taken.
    public static func uniqueFile(in directory: URL, for snapshot: Snapshot) -> URL {
        let database = (snapshot.connection.database ?? "snapshot")
            .map { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" ? $0 : "_" }
        let stamp = snapshot.interval.startedAt.formatted(
            Date.VerbatimFormatStyle(
                format:
                    "\(year: .defaultDigits)\(month: .twoDigits)\(day: .twoDigits)T\(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased))\(minute: .twoDigits)\(second: .twoDigits)Z",
                timeZone: .gmt, calendar: Calendar(identifier: .gregorian)))
        let base = "\(String(database))-\(stamp)"
        var candidate = directory.appendingPathComponent("\(base).json")
        var counter = 2
        while FileManager.default.fileExists(atPath: candidate.path) {
            candidate = directory.appendingPathComponent("\(base)-\(counter).json")
            counter += 1
        }
        return candidate
    }

    /// errno's text for a Foundation file error, else its description.
    public static func reason(_ error: Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError,
            let posix = POSIXErrorCode(rawValue: Int32(underlying.code))
        {
            return String(cString: strerror(posix.rawValue))
        }
        return nsError.localizedDescription
    }
}
