import DBAdviseAnalysis
import DBAdviseModel
import DBAdviseOutput
import DBAdviseTestSupport
import Foundation
import Testing

/// The files, pipes and numbers dbadvise is handed, run as the real binary without a server:
/// every flag that writes refuses what is not a regular file and leaves no temporary file
/// behind, even when killed mid-write; stdout on a full disk or a closed pipe ends cleanly;
/// inputs that are devices or FIFOs, negative intervals, huge what-if factors and mutated
/// files end with exit 0, 1 or 2, never a trap.
@Suite("Output files, pipes and hostile inputs", .serialized)
struct OutputSafetyTests {
    static let samples = Shell.packageRoot.appendingPathComponent("samples")
    static var snapshot: String { samples.appendingPathComponent("snapshots/pgbench.json").path }
    /// A copy of samples/history: analyze indexes a directory into its history store
    /// (`history.sqlite`), and the repository's samples stay as `make samples` wrote them.
    static let history: String = {
        let copy = FileManager.default.temporaryDirectory
            .appendingPathComponent("dbadvise-test-history-\(UUID().uuidString)", isDirectory: true)
        try? FileManager.default.copyItem(at: samples.appendingPathComponent("history"), to: copy)
        return copy.path
    }()

    /// The command line of every flag that writes a file, writing to `path`. `collect` checks
    /// its outputs before it connects, so an unreachable DSN is enough to see the refusal.
    static func writers(_ path: String) -> [(flag: String, arguments: [String])] {
        let unreachable = ["collect", "--dsn", "host=127.0.0.1 port=1 connect_timeout=1", "--interval", "0"]
        return [
            ("--plot", ["analyze", "--input", history, "--plot", path]),
            ("--write-baseline", ["check", "--input", snapshot, "--write-baseline", path]),
            ("--output", unreachable + ["--output", path]),
            ("--trace-sql", unreachable + ["--trace-sql", path]),
        ]
    }

    /// A FIFO, a character device (root only: a copy of /dev/null's numbers, so nothing of
    /// the system's is at stake), a socket and a directory, each in a fresh directory.
    static func specialFiles() throws -> [(kind: String, path: String)] {
        let directory = try Shell.temporaryDirectory().path
        let made = try Shell.run(
            "/usr/bin/env",
            [
                "python3", "-c",
                """
                import os, socket, stat, sys
                d = sys.argv[1]
                os.mkfifo(d + "/fifo")
                s = socket.socket(socket.AF_UNIX); s.bind(d + "/socket")
                os.mkdir(d + "/directory")
                try:
                    os.mknod(d + "/device", 0o666 | stat.S_IFCHR, os.makedev(1, 3))
                except PermissionError:
                    pass
                """,
                directory,
            ])
        try #require(made.status == 0, "\(made.stderr)")
        var files = [("a FIFO", "fifo"), ("a socket", "socket"), ("a directory", "directory")]
        if FileManager.default.fileExists(atPath: directory + "/device") {
            files.append(("a character device", "device"))
        }
        return files.map { ($0.0, directory + "/" + $0.1) }
    }

    static func fileType(_ path: String) throws -> FileAttributeType? {
        try FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType
    }

    static func leftovers(in directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.contains(".dbadvise-") }
    }

    @Test func everyWritingFlagRefusesWhatIsNotARegularFile() throws {
        for (kind, path) in try Self.specialFiles() {
            let before = try Self.fileType(path)
            for (flag, arguments) in Self.writers(path) {
                // a directory is what --output DIR/ writes into: not a refusal there
                if flag == "--output", kind == "a directory" { continue }
                let result = try Shell.dbadvise(arguments)
                #expect(result.status == 2, "\(flag) \(kind): \(result.stderr)")
                #expect(
                    result.stderr.contains("refusing to write \(flag) \(path): it is \(kind), not a regular file"),
                    "\(flag) \(kind): \(result.stderr)")
                #expect(try Self.fileType(path) == before, "\(flag) replaced \(kind)")
            }
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
            #expect(try Self.leftovers(in: directory).isEmpty)
        }
    }

    @Test func regularFilesAreWrittenWholeWithNothingLeftBeside() throws {
        let directory = try Shell.temporaryDirectory().path
        let baseline = directory + "/baseline.json"
        let plot = directory + "/growth.svg"
        // an empty file, as mktemp makes, may be replaced
        FileManager.default.createFile(atPath: baseline, contents: nil)
        let first = try Shell.dbadvise(["check", "--input", Self.snapshot, "--write-baseline", baseline])
        #expect(first.status == 0, "\(first.stderr)")
        // dbadvise's own file is replaced; the permissions a new file gets are the umask's
        let second = try Shell.dbadvise(["check", "--input", Self.snapshot, "--write-baseline", baseline])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(try Baseline.decode(try Data(contentsOf: URL(fileURLWithPath: baseline))).kind == Baseline.kindName)
        let plotted = try Shell.dbadvise(["analyze", "--input", Self.history, "--plot", plot])
        #expect(plotted.status == 0, "\(plotted.stderr)")
        #expect(try String(contentsOfFile: plot, encoding: .utf8).hasPrefix(SeriesPlot.marker))
        #expect(try Self.leftovers(in: directory).isEmpty)
        #expect(try Self.fileType(baseline) == .typeRegular)
    }

    /// The writer paused with its temporary file written and fsynced (a test-only switch),
    /// then killed: the temporary file goes, the target is never created, the status is the
    /// signal's.
    @Test(arguments: [("TERM", 143), ("HUP", 129)])
    func aWriterKilledMidWriteLeavesNoTemporaryFile(_ signal: String, _ status: Int) throws {
        let directory = try Shell.temporaryDirectory().path
        let result = try Shell.script(
            """
            cd '\(directory)'
            DBADVISE_TEST_PAUSE_BEFORE_RENAME=1 '\(Shell.dbadviseBinary)' check --input '\(Self.snapshot)' \
              --write-baseline baseline.json 2> stderr.txt &
            writer=$!
            for _ in $(seq 1 600); do grep -q 'paused before rename' stderr.txt && break; sleep 0.05; done
            echo "before: $(ls -A | grep -c '^\\.baseline\\.json\\.dbadvise-.*\\.tmp$')"
            kill -\(signal) $writer
            wait $writer
            echo "status: $?"
            echo "after: $(ls -A | tr '\\n' ' ')"
            """)
        #expect(result.stdout.contains("before: 1"), "\(result.stdout) \(result.stderr)")
        #expect(result.stdout.contains("status: \(status)"), "\(result.stdout)")
        #expect(result.stdout.contains("after: stderr.txt \n"), "\(result.stdout)")
    }

    @Test func aFullDiskOnStdoutIsOneErrorAndExit2() throws {
        for arguments in [["rules"], ["analyze", "--input", Self.snapshot, "--format", "json"]] {
            let result = try Shell.script(
                "'\(Shell.dbadviseBinary)' \(arguments.map { "'\($0)'" }.joined(separator: " ")) > /dev/full")
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(result.stderr.hasPrefix("dbadvise: cannot write to standard output: No space left on device\n"))
            #expect(!result.stderr.contains("Fatal error"))
        }
        // stderr on a full disk: nothing to tell, and no trap either
        let quiet = try Shell.script("'\(Shell.dbadviseBinary)' analyze --input /nonexistent 2> /dev/full")
        #expect(quiet.status == 2)
    }

    /// A reader that is already gone: the write raises SIGPIPE, and dbadvise ends by it
    /// quietly (-13 to Python, 141 in a shell), as cat and grep do.
    @Test func aClosedPipeEndsQuietlyBySIGPIPE() throws {
        let result = try Shell.run(
            "/usr/bin/env",
            [
                "python3", "-c",
                """
                import os, subprocess, sys
                read, write = os.pipe()
                os.close(read)
                done = subprocess.run([sys.argv[1], "rules"], stdout=write, stderr=subprocess.PIPE)
                print(done.returncode, len(done.stderr))
                """,
                Shell.dbadviseBinary,
            ])
        #expect(result.stdout == "-13 0\n", "\(result.stdout) \(result.stderr)")
    }

    @Test func inputsThatAreNotRegularFilesAreNamedAsSuch() throws {
        let fifo = try Self.specialFiles().first { $0.kind == "a FIFO" }!.path
        for (arguments, expected) in [
            (
                ["analyze", "--input", "/dev/zero"],
                "cannot read /dev/zero: it is a character device, not a regular file"
            ),
            (["analyze", "--input", fifo], "it is a FIFO, not a regular file"),
            (["check", "--input", Self.snapshot, "--config", fifo], "it is a FIFO, not a regular file"),
            (
                ["check", "--input", Self.snapshot, "--baseline", "/dev/zero"],
                "it is a character device, not a regular file"
            ),
            (["collect", "--interval", "-1"], "the interval must not be negative"),
            (["analyze", "--input", Self.snapshot, "--interval", "-5s"], "the interval must not be negative"),
            (["analyze", "--input", Self.snapshot, "--what-if", "data=1e12x"], "above 1,000,000x"),
        ] {
            let result = try Shell.dbadvise(arguments)
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(expected), "\(arguments): \(result.stderr)")
            #expect(!result.stderr.contains("permission"), "\(arguments): \(result.stderr)")
        }
        // must not: a valid interval and the largest factor still run
        let largest = try Shell.dbadvise(["analyze", "--input", Self.snapshot, "--what-if", "data=1000000x"])
        #expect(largest.status == 0, "\(largest.stderr)")
    }

    @Test func outOfRangeNumbersAreExit2WithTheKeyPath() throws {
        let text = try String(contentsOfFile: Self.snapshot, encoding: .utf8)
        let mutant = text.replacingOccurrences(
            of: #""writes_per_second" : [0-9.]+"#, with: "\"writes_per_second\" : 1e400", options: .regularExpression)
        let file = try Shell.temporaryFile(".json")
        try Data(mutant.utf8).write(to: file)
        let result = try Shell.dbadvise(["analyze", "--input", file.path, "--format", "json"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("rates.writes_per_second: infinity"), "\(result.stderr)")
        #expect(!result.stdout.contains("Infinity"))
        // a config threshold of 1e19 is refused by its key; 1e15 is used and formatted
        let config = try Shell.temporaryFile(".yml")
        try Data("thresholds:\n  writes_per_second: {warning: 1e19, critical: 2e19}\n".utf8).write(to: config)
        let refused = try Shell.dbadvise(["check", "--input", Self.snapshot, "--config", config.path])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("thresholds.writes_per_second.warning"), "\(refused.stderr)")
        try Data("thresholds:\n  writes_per_second: {warning: 1e15, critical: 2e15}\n".utf8).write(to: config)
        let used = try Shell.dbadvise(["check", "--input", Self.snapshot, "--config", config.path])
        #expect(used.status == 0, "\(used.stderr)")
    }

    /// A few mutants of the real files through the real binary: exit 0, 1 or 2, and an
    /// error is the contract's one or two lines, never a Swift fatal error.
    @Test func mutatedFilesThroughTheBinaryNeverTrap() throws {
        var random = SeededGenerator(seed: 0x00DB_AD71_5E13)
        let snapshot = try Data(contentsOf: URL(fileURLWithPath: Self.snapshot))
        let baseline = try Data(contentsOf: Self.samples.appendingPathComponent("check/baseline.json"))
        let config = try String(contentsOf: Self.samples.appendingPathComponent("dbadvise.yml"), encoding: .utf8)
        for number in 0..<12 {
            let file = try Shell.temporaryFile(".json")
            try FuzzMutator.mutateJSON(snapshot, using: &random).write(to: file)
            let baselineFile = try Shell.temporaryFile(".json")
            try FuzzMutator.mutateJSON(baseline, using: &random).write(to: baselineFile)
            let configFile = try Shell.temporaryFile(".yml")
            try Data(FuzzMutator.mutateYAML(config, using: &random).utf8).write(to: configFile)
            for arguments in [
                ["analyze", "--input", file.path, "--format", ["text", "json", "markdown"][number % 3]],
                ["check", "--input", file.path, "--format", ["text", "json", "junit", "github"][number % 4]],
                ["check", "--input", Self.snapshot, "--baseline", baselineFile.path],
                ["analyze", "--input", Self.snapshot, "--config", configFile.path, "--what-if", "1000x"],
            ] {
                let result = try Shell.dbadvise(arguments)
                #expect(
                    [0, 1, 2].contains(result.status), "case \(number) \(arguments): \(result.status) \(result.stderr)")
                #expect(!result.stderr.contains("Fatal error"), "case \(number): \(result.stderr)")
                if result.status == 2 {
                    #expect(result.stderr.hasPrefix("dbadvise: "), "case \(number): \(result.stderr)")
                    #expect(result.stderr.split(separator: "\n").count <= 2, "case \(number): \(result.stderr)")
                }
            }
        }
    }
}
