import DBAdviseAnalysis
import DBAdviseModel
import DBAdviseOutput
import DBAdviseTestSupport
import Foundation
import Testing

/// A table named with terminal escape sequences (retitle the window, clear the screen) and a
/// bidi override, read live through `analyze --dsn` and `check --dsn` in every format: the
/// name is shown escaped, and no raw control character reaches stdout, stderr or the plot.
@Suite("hostile names: control characters never reach the terminal", .serialized, TestServer.enabled)
struct HostileNameTests {
    static let database = "hostile_names"
    /// ESC ] 0 ; pwned BEL (window title), ESC [ 2 J (clear screen), U+202E (right-to-left override)
    static let rawName = "evil\u{1B}]0;pwned\u{07}\u{1B}[2J\u{202E}txt"
    static let shownName = "evil\\x1b]0;pwned\\x07\\x1b[2J\\u{202e}txt"
    static let sizeConfig = "thresholds:\n  table_size_gb: {warning: 0.0001, critical: 1000}\n"

    func prepare() throws -> String {
        let dsn = try TestServer.freshDatabase(Self.database)
        try TestServer.psql(
            #"CREATE TABLE U&"evil\001B]0;pwned\0007\001B[2J\202Etxt" AS SELECT g AS id, repeat('x', 200) AS pad FROM generate_series(1, 20000) AS g"#,
            database: Self.database)
        try TestServer.psql("ANALYZE", database: Self.database)
        return dsn
    }

    func configFile() throws -> String {
        let file = try Shell.temporaryFile(".yml")
        try Data(Self.sizeConfig.utf8).write(to: file)
        return file.path
    }

    /// No C0 control but line feed and tab, no DEL, C1 or bidi control.
    func expectClean(_ text: String, _ context: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let raw = text.unicodeScalars.filter { scalar in
            switch scalar.value {
            case 0x0A, 0x09: false
            case 0x00...0x1F, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069: true
            default: false
            }
        }
        #expect(
            raw.isEmpty, "\(context): raw \(raw.map { String($0.value, radix: 16) })", sourceLocation: sourceLocation)
    }

    @Test func theTableExistsUnderItsHostileName() throws {
        _ = try prepare()
        let names = try TestServer.psql(
            "SELECT relname FROM pg_class WHERE relname LIKE 'evil%'", database: Self.database)
        #expect(names == Self.rawName)
    }

    @Test(arguments: ["text", "markdown", "json"])
    func analyzeShowsTheNameEscaped(format: String) throws {
        let dsn = try prepare()
        let result = try Shell.dbadvise(["analyze", "--dsn", dsn, "--interval", "0", "--format", format])
        #expect(result.status == 0, "\(result.stderr)")
        expectClean(result.stdout, "analyze --format \(format) stdout")
        expectClean(result.stderr, "analyze --format \(format) stderr")
        // JSON writes the backslash of `\x1b` as `\\`
        let shown = format == "json" ? Self.shownName.replacingOccurrences(of: "\\", with: "\\\\") : Self.shownName
        #expect(result.stdout.contains(format == "markdown" ? "evil\\x1b" : shown), "\(result.stdout)")
    }

    @Test(arguments: ["text", "json", "junit", "github"])
    func checkShowsTheNameEscaped(format: String) throws {
        let dsn = try prepare()
        let result = try Shell.dbadvise(
            ["check", "--dsn", dsn, "--interval", "0", "--config", try configFile(), "--format", format])
        #expect(result.status == 0 || result.status == 1, "\(result.stderr)")
        expectClean(result.stdout, "check --format \(format) stdout")
        expectClean(result.stderr, "check --format \(format) stderr")
        #expect(result.stdout.contains("evil\\"), "the breach on the hostile table is missing: \(result.stdout)")
    }

    @Test func thePlotShowsTheNameEscaped() throws {
        let dsn = try prepare()
        let collected = try Shell.dbadvise(["collect", "--dsn", dsn, "--interval", "0"])
        #expect(collected.status == 0, "\(collected.stderr)")
        let latest = try SnapshotCoding.decoder().decode(Snapshot.self, from: Data(collected.stdout.utf8))
        #expect(latest.tables?.contains { $0.name == Self.rawName } == true, "collection keeps the real name")
        // a day earlier, half the size: a series to plot
        var earlier = latest
        earlier.interval.startedAt = latest.interval.startedAt.addingTimeInterval(-86_400)
        earlier.interval.finishedAt = latest.interval.finishedAt.addingTimeInterval(-86_400)
        earlier.tables = latest.tables?.map { table in
            var table = table
            table.totalBytes = table.totalBytes.map { $0 / 2 }
            return table
        }
        let directory = try Shell.temporaryDirectory()
        try SnapshotCoding.encoder().encode(earlier).write(to: directory.appendingPathComponent("a.json"))
        try SnapshotCoding.encoder().encode(latest).write(to: directory.appendingPathComponent("b.json"))
        let plot = directory.appendingPathComponent("plot.svg")
        let result = try Shell.dbadvise(["analyze", "--input", directory.path, "--plot", plot.path])
        #expect(result.status == 0, "\(result.stderr)")
        expectClean(result.stdout, "analyze --plot stdout")
        let svg = try String(contentsOf: plot, encoding: .utf8)
        expectClean(svg, "the SVG")
        #expect(svg.contains("evil\\x1b"), "\(svg.prefix(2000))")
    }
}
