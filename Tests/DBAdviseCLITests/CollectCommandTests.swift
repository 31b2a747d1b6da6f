import DBAdviseAnalysis
import DBAdviseModel
import DBAdviseOutput
import DBAdviseTestSupport
import Foundation
import Testing

/// The real binary: exit statuses, one-line errors, stdout holding only the result.
@Suite("dbadvise collect: usage errors (no server needed)")
struct CollectUsageTests {
    @Test func helpExitsZero() throws {
        let result = try Shell.dbadvise(["collect", "--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("--interval"))
        #expect(result.stdout.contains("--redact"))
        let version = try Shell.dbadvise(["--version"])
        #expect(version.status == 0)
        #expect(!version.stdout.isEmpty)
    }

    @Test(arguments: [
        ["collect", "--no-such-flag"],
        ["collect", "--interval", "ten"],
        ["collect", "--interval", "-5s"],
        ["collect", "--interval"],
        ["no-such-command"],
    ])
    func usageErrorsExitTwoWithOneLine(arguments: [String]) throws {
        let result = try Shell.dbadvise(arguments)
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        let lines = result.stderr.split(separator: "\n")
        #expect((1...2).contains(lines.count), "\(result.stderr)")
        #expect(lines.first?.hasPrefix("dbadvise: ") == true)
    }

    @Test func malformedDSNExitsTwoWithoutThePassword() throws {
        let result = try Shell.dbadvise(["collect", "--dsn", "host=db1 password=hunter2 oops", "--interval", "0"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("invalid connection string"))
        #expect(!result.stderr.contains("hunter2"))
        #expect(result.stdout.isEmpty)
    }

    @Test func refusedConnectionExitsThree() throws {
        let result = try Shell.dbadvise(
            ["collect", "--dsn", "host=127.0.0.1 port=1 password=hunter2 connect_timeout=2", "--interval", "0"])
        #expect(result.status == 3)
        #expect(result.stderr.hasPrefix("dbadvise: cannot read the database:"))
        #expect(result.stderr.contains("fix:"))
        #expect(!result.stderr.contains("hunter2"))
    }

    @Test func outputInMissingDirectoryExitsTwoBeforeConnecting() throws {
        // the DSN is unreachable: exit 2 (not 3) shows the path was checked first
        let result = try Shell.dbadvise(
            ["collect", "--dsn", "host=127.0.0.1 port=1", "--interval", "0", "--output", "/nonexistent-dir/x.json"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("does not exist"))
    }

    @Test func refusesToOverwriteAFileThatIsNotASnapshot() throws {
        let file = try Shell.temporaryFile(".yml")
        try Data("hardware:\n  vcpus: 8\n".utf8).write(to: file)
        let result = try Shell.dbadvise(
            ["collect", "--dsn", "host=127.0.0.1 port=1", "--interval", "0", "--output", file.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("refusing to overwrite"))
        #expect(try String(contentsOf: file, encoding: .utf8) == "hardware:\n  vcpus: 8\n")
    }
}

@Suite("dbadvise collect against the test server", TestServer.enabled)
struct CollectCommandTests {
    @Test func stdoutHoldsOnlyTheSnapshot() throws {
        let result = try Shell.dbadvise(["collect", "--dsn", try TestServer.dsn(), "--interval", "1s"])
        #expect(result.status == 0, "\(result.stderr)")
        let snapshot = try SnapshotCoding.decoder().decode(Snapshot.self, from: Data(result.stdout.utf8))
        #expect(snapshot.interval.activitySamples >= 1)
        #expect(snapshot.connection.database == "dbadvise_test")
        // not a terminal: no progress on stderr
        #expect(result.stderr.isEmpty)
    }

    @Test func libpqEnvironmentVariablesWorkWithoutDSN() throws {
        let result = try Shell.dbadvise(
            ["collect", "--interval", "0"],
            environment: [
                "PGHOST": try TestServer.socket(), "PGPORT": try TestServer.port(),
                "PGDATABASE": "dbadvise_test", "PGUSER": "postgres",
            ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("\"database\" : \"dbadvise_test\""))
    }

    @Test func passwordAuthenticationFailureExitsThreeAndHidesThePassword() throws {
        let dsn =
            "host=127.0.0.1 port=\(try TestServer.port()) dbname=dbadvise_test user=\(try TestServer.passwordRole()) password=not-the-Right-one"
        let result = try Shell.dbadvise(["collect", "--dsn", dsn, "--interval", "0"])
        #expect(result.status == 3)
        #expect(result.stderr.contains("password authentication failed"))
        #expect(result.stderr.contains("fix: check the user and password"))
        #expect(!result.stderr.contains("not-the-Right-one"))
    }

    @Test func pgMonitorRoleWithPasswordCollectsAndThePasswordIsNowhere() throws {
        let password = try TestServer.password()
        let dsn =
            "postgresql://\(try TestServer.passwordRole()):\(password)@127.0.0.1:\(try TestServer.port())/dbadvise_test"
        let directory = try Shell.temporaryDirectory()
        let output = directory.appendingPathComponent("snapshot.json")
        let result = try Shell.dbadvise(["collect", "--dsn", dsn, "--interval", "0", "--output", output.path])
        #expect(result.status == 0, "\(result.stderr)")
        let written = try String(contentsOf: output, encoding: .utf8)
        #expect(!written.contains(password))
        #expect(!result.stderr.contains(password))
        #expect(written.contains("\"user\" : \"\(try TestServer.passwordRole())\""))
    }

    @Test func outputDirectoryGetsANewFileEachRun() throws {
        let directory = try Shell.temporaryDirectory().appendingPathComponent("history/")
        for _ in 0..<2 {
            let result = try Shell.dbadvise(
                ["collect", "--dsn", try TestServer.dsn(), "--interval", "0", "--output", directory.path + "/"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stderr.contains("snapshot written to"))
        }
        let all = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(all.contains("history.sqlite"))
        let files = all.filter { $0 != "history.sqlite" }
        #expect(files.count == 2)
        #expect(files.allSatisfy { $0.hasPrefix("dbadvise_test-") && $0.hasSuffix(".json") })
    }

    @Test func anExistingSnapshotIsReplaced() throws {
        let file = try Shell.temporaryFile(".json")
        for _ in 0..<2 {
            let result = try Shell.dbadvise(
                ["collect", "--dsn", try TestServer.dsn(), "--interval", "0", "--output", file.path])
            #expect(result.status == 0, "\(result.stderr)")
        }
        let snapshot = try SnapshotCoding.decoder().decode(Snapshot.self, from: Data(contentsOf: file))
        #expect(snapshot.kind == "dbadvise.snapshot")
    }

    @Test func redactFlagHidesNames() throws {
        let result = try Shell.dbadvise(["collect", "--dsn", try TestServer.dsn(), "--interval", "0", "--redact"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("\"redacted\" : true"))
        #expect(!result.stdout.contains("dbadvise_test"))
        #expect(!result.stdout.contains("\"query\""))
    }
}
