import DBAdviseAnalysis
import DBAdviseModel
import DBAdviseOutput
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where `collect` writes: stdout, a file, or a new timestamped file in a directory.
/// Checked before collecting (a bad path fails at once, not after the interval), written
/// atomically (a failed run leaves the previous file intact), and never over a file that is
/// not a dbadvise snapshot.
enum SnapshotOutput {
    case standardOutput
    case file(OutputFile)
    case directory(URL)

    init(argument: String?) throws(CommandError) {
        guard let argument, argument != "-" else {
            self = .standardOutput
            return
        }
        let fileManager = FileManager.default
        var isDirectory: ObjCBool = false
        let exists = fileManager.fileExists(atPath: argument, isDirectory: &isDirectory)
        if argument.hasSuffix("/") || (exists && isDirectory.boolValue) {
            let url = URL(fileURLWithPath: argument, isDirectory: true)
            if !exists {
                do {
                    try fileManager.createDirectory(at: url, withIntermediateDirectories: true)
                } catch {
                    throw .usage(
                        "cannot create directory \(argument): \(SnapshotDirectory.reason(error))",
                        fix: "choose a writable --output directory")
                }
            }
            guard fileManager.isWritableFile(atPath: url.path) else {
                throw .usage(
                    "cannot write to directory \(argument): permission denied",
                    fix: "choose a writable --output directory")
            }
            self = .directory(url)
            return
        }
        self = .file(
            try OutputFile(argument, flag: "--output", what: "a dbadvise snapshot", isReplaceable: Self.isSnapshot))
    }

    /// Only a previous snapshot (or an empty file, as `mktemp` makes) may be replaced:
    /// anything else the user has is kept.
    private static func isSnapshot(_ data: Data) -> Bool {
        struct Header: Decodable { let kind: String? }
        // what collect writes holds this line at the top level: found without parsing the
        // previous snapshot (20 MB for 50,000 relations); anything else is parsed
        if contains(data, "\n  \"kind\" : \"\(Snapshot.kindName)\",\n") { return true }
        return (try? JSONDecoder().decode(Header.self, from: data))?.kind == Snapshot.kindName
    }

    /// `text` in `data`, by memchr(3) and memcmp(3): Data.range(of:) took a tenth of a large
    /// collection's own time.
    private static func contains(_ data: Data, _ text: String) -> Bool {
        let needle = Array(text.utf8)
        guard let first = needle.first else { return true }
        return data.withUnsafeBytes { haystack in
            needle.withUnsafeBytes { pattern in
                guard let base = haystack.baseAddress, let patternBase = pattern.baseAddress else { return false }
                var offset = 0
                while offset + needle.count <= haystack.count {
                    guard let hit = memchr(base + offset, Int32(first), haystack.count - offset) else { return false }
                    let position = base.distance(to: UnsafeRawPointer(hit))
                    if position + needle.count > haystack.count { return false }
                    if memcmp(base + position, patternBase, needle.count) == 0 { return true }
                    offset = position + 1
                }
                return false
            }
        }
    }

    /// Writes the snapshot; returns the path written, nil for stdout. In a directory, the
    /// snapshot's points also go to its history store, which keeps files as `history` says.
    func write(_ data: Data, snapshot: Snapshot, history: HistoryPolicy = HistoryPolicy()) throws(CommandError)
        -> String?
    {
        switch self {
        case .standardOutput:
            try Terminal.writeOutput(String(decoding: data, as: UTF8.self) + "\n")
            return nil
        case .file(let file):
            try file.write(data)
            return file.path
        case .directory(let directory):
            let url: URL
            do {
                url = try SnapshotDirectory.write(data, snapshot: snapshot, into: directory)
            } catch {
                throw CommandError(error)
            }
            HistoryStoreAccess.record(snapshot, data: data, file: url, policy: history)
            return url.path
        }
    }

}
