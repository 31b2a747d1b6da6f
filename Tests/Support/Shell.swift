import Foundation

/// Runs programs for the tests: the built dbadvise binary, psql, pgbench, python3.
public enum Shell {
    public struct Result: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
    }

    public struct Failure: Error, CustomStringConvertible {
        public let command: String
        public let result: Result
        public var description: String {
            "\(command) exited \(result.status): \(result.stderr) \(result.stdout)"
        }
    }

    /// Runs to completion. `environment` entries are added to (or, with nil, removed from)
    /// this process's environment.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String?] = [:],
        currentDirectory: String? = nil
    ) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        if let currentDirectory {
            process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory)
        }
        let outputFile = try temporaryFile()
        let errorFile = try temporaryFile()
        defer {
            try? FileManager.default.removeItem(at: outputFile)
            try? FileManager.default.removeItem(at: errorFile)
        }
        process.standardOutput = try FileHandle(forWritingTo: outputFile)
        process.standardError = try FileHandle(forWritingTo: errorFile)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus,
            stdout: (try? String(contentsOf: outputFile, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: errorFile, encoding: .utf8)) ?? "")
    }

    /// Every child goes through a tiny exec wrapper, for two inheritances from the test runner:
    /// its threads block signals such as SIGALRM (pgbench -T, which ends on SIGALRM, would run
    /// for ever), and Foundation's own descriptors would pass to a server that pg_ctl leaves
    /// running (the test would then wait on them until that server stops).
    static let cleanExec = """
        import os, signal, sys
        signal.pthread_sigmask(signal.SIG_SETMASK, set())
        os.closerange(3, 65536)
        os.execv(sys.argv[1], sys.argv[1:])
        """

    /// Starts in the background with output discarded (signal mask cleared, see above).
    public static func start(_ executable: String, _ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", cleanExec, executable] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Runs a bash script to completion through the same wrapper, as this process's only child
    /// for its duration. For load beside measurement: the script starts pgbench in the background
    /// and runs dbadvise beside it, so their timing does not depend on this process noticing that
    /// a child exited (Foundation notices late while other children still run).
    public static func script(_ script: String, environment: [String: String?] = [:]) throws -> Result {
        try run("/usr/bin/env", ["python3", "-c", cleanExec, "/bin/bash", "-c", script], environment: environment)
    }

    public static func temporaryFile(_ suffix: String = ".out") throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("dbadvise-test-\(UUID().uuidString)\(suffix)")
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown)
        }
        return url
    }

    /// A temporary `dbadvise.yml` holding `yaml`; returns its path for `--config`.
    public static func configFile(_ yaml: String) throws -> String {
        let file = try temporaryFile(".yml")
        try Data(yaml.utf8).write(to: file)
        return file.path
    }

    public static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("dbadvise-test-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The dbadvise binary built next to the test bundle (or DBADVISE_BINARY).
    public static var dbadviseBinary: String {
        if let path = ProcessInfo.processInfo.environment["DBADVISE_BINARY"] { return path }
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        return bundle.appendingPathComponent("dbadvise").path
    }

    /// Runs the real binary.
    public static func dbadvise(_ arguments: [String], environment: [String: String?] = [:])
        throws -> Result
    {
        var environment = environment
        if environment.index(forKey: "DBADVISE_REDACT_KEY") == nil {
            environment["DBADVISE_REDACT_KEY"] = TestRedactionKey.path
        }
        return try run(dbadviseBinary, arguments, environment: environment)
    }

    /// The package root, for schemas/ and samples/.
    public static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }
}
