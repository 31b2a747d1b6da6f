import DBAdviseAnalysis
import DBAdviseModel
import DBAdviseOutput
import Foundation

/// Reads the snapshots named by `--input` (analyze, check): each argument is a snapshot file
/// or a directory of `*.json` snapshots, read in name order. Every failure is one exit-2
/// error that names the file and the cause; `kind` and `schema_version` are checked before
/// the full decode, so a report or a newer snapshot is named as such rather than as a
/// missing key.
enum SnapshotInput {
    /// The series of every argument; a file named twice is read once. One history directory
    /// is read through its store (DIR/history.sqlite): only the newest file is decoded, the
    /// trends come from the store. Otherwise each file is decoded and folded into the
    /// series' points in turn (``AnalysisSeries/Builder``), so memory holds one full
    /// snapshot besides the points.
    static func read(_ arguments: [String]) throws(CommandError) -> AnalysisSeries {
        if arguments.count == 1, let directory = arguments.first, FileKind.of(directory) == .other("a directory"),
            let series = try HistoryStoreAccess.read(directory: directory)
        {
            return series
        }
        var seen = Set<String>()
        var builder = AnalysisSeries.Builder()
        do {
            for argument in arguments {
                for file in try files(for: argument) {
                    let key = URL(fileURLWithPath: file).standardizedFileURL.resolvingSymlinksInPath().path
                    guard seen.insert(key).inserted else { continue }
                    try builder.add(try read(file: file))
                }
            }
            return try builder.series()
        } catch let error as CommandError {
            throw error
        } catch let error as AnalysisError {
            throw CommandError(error)
        } catch {
            throw CommandError(.usage, "\(error)")
        }
    }

    /// The series of snapshots already in memory (a live collection).
    static func series(_ snapshots: [Snapshot]) throws(CommandError) -> AnalysisSeries {
        do {
            return try AnalysisSeries(snapshots: snapshots)
        } catch {
            throw CommandError(error)
        }
    }

    /// The argument itself, or the `*.json` files directly in it when it is a directory.
    static func files(for argument: String) throws(CommandError) -> [String] {
        let fileManager = FileManager.default
        var isDirectory: ObjCBool = false
        guard fileManager.fileExists(atPath: argument, isDirectory: &isDirectory) else {
            throw .usage(
                "cannot read \(argument): no such file or directory",
                fix: "pass a snapshot written by 'dbadvise collect --output FILE', or a directory of them")
        }
        guard isDirectory.boolValue else { return [argument] }
        let names: [String]
        do {
            names = try fileManager.contentsOfDirectory(atPath: argument)
        } catch {
            throw .usage(
                "cannot read directory \(argument): \(SnapshotDirectory.reason(error))",
                fix: "check the permissions of the --input directory")
        }
        let directory = URL(fileURLWithPath: argument, isDirectory: true)
        let files = names.filter { $0.lowercased().hasSuffix(".json") && !$0.hasPrefix(".") }
            .sorted()
            .map { directory.appendingPathComponent($0).path }
            .filter { path in
                var isDirectory: ObjCBool = false
                return fileManager.fileExists(atPath: path, isDirectory: &isDirectory)
                    && !isDirectory.boolValue
            }
        guard !files.isEmpty else {
            throw .usage(
                "no snapshots in \(argument): it holds no *.json files",
                fix: "write snapshots into it with 'dbadvise collect --output \(directory.path)/'")
        }
        return files
    }

    /// One snapshot file.
    static func read(file: String) throws(CommandError) -> Snapshot {
        let data: Data
        do {
            data = try InputFile.read(file)
        } catch {
            throw .usage(
                "cannot read \(file): \(error.reason)",
                fix: "pass a snapshot file written by 'dbadvise collect', or a directory of them")
        }
        return try decode(data, file: file)
    }

    /// Checks the header, then decodes. `file` only names the source in errors.
    static func decode(_ data: Data, file: String) throws(CommandError) -> Snapshot {
        let snapshot = try decodeUnchecked(data, file: file)
        do {
            try snapshot.checkNumbers()
        } catch {
            throw .usage(
                "cannot read \(file): \(error.description)",
                fix: "correct that value, or collect the snapshot again with 'dbadvise collect'")
        }
        return snapshot
    }

    private static func decodeUnchecked(_ data: Data, file: String) throws(CommandError) -> Snapshot {
        // A good snapshot is read in one pass; anything else is read again below, slowly,
        // to name what is wrong (a snapshot of 50,000 relations is 20 MB).
        if let checked = try? SnapshotCoding.decode(CheckedSnapshot.self, from: data) {
            return checked.snapshot
        }
        try checkHeader(data, file: file)
        do {
            return try SnapshotCoding.decoder().decode(Snapshot.self, from: data)
        } catch let error as DecodingError {
            throw .usage(
                "cannot read \(file): \(DecodingErrorText.describe(error))",
                fix: "the file does not match snapshot schema_version \(Snapshot.currentSchemaVersion); "
                    + "collect it again with 'dbadvise collect'")
        } catch {
            throw .usage("cannot read \(file): \(error)", fix: "collect it again with 'dbadvise collect'")
        }
    }

    /// A snapshot whose `kind` and `schema_version` are checked before the rest is decoded.
    private struct CheckedSnapshot: Decodable {
        struct WrongHeader: Error {}
        private enum CodingKeys: String, CodingKey {
            case kind
            case schemaVersion = "schema_version"
        }
        let snapshot: Snapshot

        init(from decoder: any Decoder) throws {
            let header = try decoder.container(keyedBy: CodingKeys.self)
            guard try header.decodeIfPresent(String.self, forKey: .kind) == Snapshot.kindName,
                try header.decodeIfPresent(Int.self, forKey: .schemaVersion) == Snapshot.currentSchemaVersion
            else { throw WrongHeader() }
            snapshot = try Snapshot(from: decoder)
        }
    }

    private static let notSnapshotFix = "pass a snapshot written by 'dbadvise collect'"

    /// Valid JSON, an object, `kind` "dbadvise.snapshot", `schema_version` this tool reads.
    private static func checkHeader(_ data: Data, file: String) throws(CommandError) {
        guard !data.isEmpty else {
            throw .usage("cannot read \(file): the file is empty", fix: notSnapshotFix)
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw .usage(
                "cannot read \(file): \(JSONSyntaxError.describe(error, in: data))",
                fix: "the file is not valid JSON; collect it again with 'dbadvise collect'")
        }
        guard let header = object as? [String: Any] else {
            throw .usage(
                "cannot read \(file): not a dbadvise snapshot (the JSON is not an object)",
                fix: notSnapshotFix)
        }
        let kind = header["kind"] as? String
        guard kind == Snapshot.kindName else {
            let found =
                switch kind {
                case "dbadvise.report": "it is a dbadvise report"
                case let kind?: "its kind is \"\(kind)\""
                case nil: "it has no \"kind\""
                }
            throw .usage(
                "cannot read \(file): not a dbadvise snapshot (\(found))", fix: notSnapshotFix)
        }
        guard let version = header["schema_version"] as? Int else {
            throw .usage(
                "cannot read \(file): schema_version is missing or not a number",
                fix: notSnapshotFix)
        }
        guard version == Snapshot.currentSchemaVersion else {
            throw .usage(
                "cannot read \(file): schema_version \(version) is not supported by this dbadvise "
                    + "(\(Snapshot.currentSchemaVersion))",
                fix: version > Snapshot.currentSchemaVersion
                    ? "upgrade dbadvise (this is \(DBAdvise.version)), or collect the snapshot again with it"
                    : "collect the snapshot again with this dbadvise")
        }
    }

}

/// Turns Foundation's JSON syntax errors into `line 3, column 7: …`. Darwin's Foundation names
/// the line and column itself; Linux's names a byte offset ("around character 18"), which is
/// converted here.
enum JSONSyntaxError {
    static func describe(_ error: Error, in data: Data) -> String {
        let nsError = error as NSError
        let detail =
            (nsError.userInfo[NSDebugDescriptionErrorKey] as? String)
            ?? (nsError.userInfo[NSUnderlyingErrorKey] as? NSError).flatMap {
                $0.userInfo[NSDebugDescriptionErrorKey] as? String
            }
            ?? nsError.localizedDescription
        var problem = detail.trimmingCharacters(in: .whitespacesAndNewlines)
        if problem.hasSuffix(".") { problem.removeLast() }
        if let range = problem.range(of: " around line ") {
            // Darwin: "Unexpected character 'x' around line 3, column 7."
            let place = problem[range.upperBound...]
            let parts = place.split(separator: ",").map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            let cause = lowercasedFirst(String(problem[..<range.lowerBound]))
            if parts.count == 2, let line = Int(parts[0]),
                let column = Int(parts[1].replacingOccurrences(of: "column ", with: ""))
            {
                return "line \(line), column \(column): \(cause)"
            }
            return cause
        }
        if let range = problem.range(of: " around character "),
            let offset = Int(problem[range.upperBound...])
        {
            // Linux: "Invalid value around character 18."
            let (line, column) = position(of: offset, in: data)
            var cause = lowercasedFirst(String(problem[..<range.lowerBound]))
            if offset < data.count, let character = character(at: offset, in: data) {
                cause += ": unexpected '\(character)'"
            }
            return "line \(line), column \(column): \(cause)"
        }
        if problem.localizedCaseInsensitiveContains("end of file") {
            let (line, column) = position(of: data.count, in: data)
            return "line \(line), column \(column): unexpected end of file"
        }
        return lowercasedFirst(problem)
    }

    /// 1-based line and column (in characters) of a byte offset.
    static func position(of offset: Int, in data: Data) -> (line: Int, column: Int) {
        let prefix = data.prefix(max(0, min(offset, data.count)))
        let line = prefix.reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
        let lineStart = prefix.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? prefix.startIndex
        let column = String(decoding: prefix[lineStart...], as: UTF8.self).count + 1
        return (line, column)
    }

    private static func character(at offset: Int, in data: Data) -> String? {
        let index = data.startIndex + offset
        guard index < data.endIndex else { return nil }
        let byte = data[index]
        guard byte >= 0x20, byte < 0x7F else { return nil }
        return String(UnicodeScalar(byte))
    }

    private static func lowercasedFirst(_ text: String) -> String {
        guard let first = text.first else { return text }
        return first.lowercased() + text.dropFirst()
    }
}
