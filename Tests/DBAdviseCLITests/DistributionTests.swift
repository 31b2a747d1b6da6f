import DBAdviseAnalysis
import DBAdviseModel
import DBAdviseOutput
import DBAdviseTestSupport
import Foundation
import Testing

/// What a user installing dbadvise relies on: one version everywhere, docs that match the
/// code, links that stay in the repository, config discovery, accepted findings, and set-up
/// that stops cleanly without root. The real binary, on a real captured snapshot
/// (samples/snapshots/pgbench.json: the `until` dates below are read from its own time, never
/// from today, so `make samples` can collect it again on any day).
@Suite("distribution, docs, config discovery, ignore")
struct DistributionTests {
    static let root = Shell.packageRoot
    static let snapshot = root.appendingPathComponent("samples/snapshots/pgbench.json").path
    /// Makes partition-large-table recommend on public.pgbench_accounts and table_size_gb
    /// breach there at critical (the table is about 70 MB).
    static let smallTables = "thresholds:\n  table_size_gb: {warning: 0.001, critical: 0.01}\n"

    // MARK: - One version

    @Test func versionMatchesTheChangelogAndReports() throws {
        let printed = try Shell.dbadvise(["--version"])
        #expect(printed.status == 0)
        #expect(printed.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == DBAdviseVersion.current)
        let changelog = try String(contentsOf: Self.root.appendingPathComponent("CHANGELOG.md"), encoding: .utf8)
        let released = changelog.split(separator: "\n").first {
            $0.hasPrefix("## [") && !$0.hasPrefix("## [Unreleased]")
        }
        #expect(released?.hasPrefix("## [\(DBAdviseVersion.current)] - ") == true, "\(released ?? "no release")")
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(!readme.contains("## Changelog"), "the changelog lives in CHANGELOG.md")
        let report = try json(["analyze", "--input", Self.snapshot, "--format", "json"])
        #expect(report["tool"] as? [String: String] == ["name": "dbadvise", "version": DBAdviseVersion.current])
    }

    // MARK: - Docs

    /// docs/ is what scripts/make-docs.py writes from this binary and the repository today.
    @Test func docsAreUpToDate() throws {
        let fresh = try Shell.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: fresh) }
        let script = Self.root.appendingPathComponent("scripts/make-docs.py").path
        let result = try Shell.run("/usr/bin/env", ["python3", script, Shell.dbadviseBinary, fresh.path])
        #expect(result.status == 0, "\(result.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: fresh.path).sorted()
        #expect(names.contains("dbadvise.1") && names.contains("rules.md") && names.contains("reference.md"))
        let committed = try FileManager.default.contentsOfDirectory(
            atPath: Self.root.appendingPathComponent("docs").path
        ).sorted()
        #expect(committed == names, "docs/ holds other files than make docs writes")
        for name in names {
            let expected = try String(contentsOf: fresh.appendingPathComponent(name), encoding: .utf8)
            let actual = try? String(contentsOf: Self.root.appendingPathComponent("docs/\(name)"), encoding: .utf8)
            #expect(actual == expected, "docs/\(name) is stale: run make docs")
        }
    }

    /// Every relative link of README.md and docs/*.md names a file inside the repository.
    @Test func linksStayInsideTheRepository() throws {
        let docs = try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("docs").path)
            .filter { $0.hasSuffix(".md") }.map { "docs/\($0)" }
        let pattern = try NSRegularExpression(pattern: #"\]\(([^)\s]+)\)"#)
        var checked = 0
        for file in ["README.md"] + docs {
            let url = Self.root.appendingPathComponent(file)
            let text = try String(contentsOf: url, encoding: .utf8)
            for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                let target = String(text[Range(match.range(at: 1), in: text)!])
                if target.hasPrefix("http") || target.hasPrefix("#") { continue }
                let path = String(target.split(separator: "#", maxSplits: 1)[0])
                let resolved = url.deletingLastPathComponent().appendingPathComponent(path).standardizedFileURL
                #expect(
                    resolved.path.hasPrefix(Self.root.standardizedFileURL.path + "/"),
                    "\(file) links outside the repository: \(target)")
                #expect(FileManager.default.fileExists(atPath: resolved.path), "\(file) links to a missing \(target)")
                checked += 1
            }
        }
        #expect(checked > 10)
    }

    // MARK: - Config discovery

    /// `dbadvise.yml` in the working directory is used and named; DBADVISE_CONFIG beats it,
    /// --config beats both; XDG_CONFIG_HOME is the last place looked.
    @Test func configIsFoundInTheContractsOrder() throws {
        let work = try Shell.temporaryDirectory()
        let xdg = try Shell.temporaryDirectory()
        defer {
            try? FileManager.default.removeItem(at: work)
            try? FileManager.default.removeItem(at: xdg)
        }
        let clean: [String: String?] = ["DBADVISE_CONFIG": nil, "XDG_CONFIG_HOME": xdg.path, "HOME": work.path]
        func config(_ extra: [String: String?] = [:], _ arguments: [String] = []) throws -> [String: Any] {
            let result = try Shell.run(
                Shell.dbadviseBinary, ["analyze", "--input", Self.snapshot, "--format", "json"] + arguments,
                environment: clean.merging(extra) { $1 }, currentDirectory: work.path)
            #expect(result.status == 0, "\(result.stderr)")
            let report = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
            return report?["config"] as? [String: Any] ?? [:]
        }
        #expect(try config()["source"] as? String == "defaults")

        try FileManager.default.createDirectory(
            at: xdg.appendingPathComponent("dbadvise"), withIntermediateDirectories: true)
        let userConfig = xdg.appendingPathComponent("dbadvise/config.yml")
        try Data("gate: {fail_on: warning}\n".utf8).write(to: userConfig)
        #expect(try config()["path"] as? String == userConfig.path)
        #expect(try config()["source"] as? String == "user_config")

        try Data(Self.smallTables.utf8).write(to: work.appendingPathComponent("dbadvise.yml"))
        let found = try config()
        #expect(found["source"] as? String == "working_directory")
        #expect(found["path"] as? String == "dbadvise.yml")
        let text = try Shell.run(
            Shell.dbadviseBinary, ["analyze", "--input", Self.snapshot], environment: clean,
            currentDirectory: work.path)
        #expect(text.stdout.contains("Config: dbadvise.yml (found in the working directory)"))
        // its thresholds were applied: the 70 MB table crosses a 0.01 GB critical
        #expect(text.stdout.contains("table_size_gb critical: public.pgbench_accounts"))

        let environment = work.appendingPathComponent("env.yml")
        try Data("{}\n".utf8).write(to: environment)
        #expect(try config(["DBADVISE_CONFIG": environment.path])["source"] as? String == "environment")
        #expect(
            try config(["DBADVISE_CONFIG": environment.path], ["--config", userConfig.path])["source"] as? String
                == "option")

        let missing = try Shell.run(
            Shell.dbadviseBinary, ["check", "--input", Self.snapshot],
            environment: clean.merging(["DBADVISE_CONFIG": "/nonexistent/dbadvise.yml"]) { $1 },
            currentDirectory: work.path)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("/nonexistent/dbadvise.yml") && missing.stderr.contains("DBADVISE_CONFIG"))
    }

    // MARK: - ignore:

    func check(_ yaml: String, format: String = "json") throws -> Shell.Result {
        let file = try Shell.temporaryFile(".yml")
        try Data(yaml.utf8).write(to: file)
        return try Shell.dbadvise(["check", "--input", Self.snapshot, "--config", file.path, "--format", format])
    }

    func json(_ arguments: [String]) throws -> [String: Any] {
        let result = try Shell.dbadvise(arguments)
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
    }

    /// The sample snapshot's own day (UTC) and the day before it, `yyyy-MM-dd`: the entries'
    /// `until` dates follow the snapshot, whenever `make samples` collected it.
    static func snapshotDays() throws -> (day: String, dayBefore: String) {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: snapshot)))
        let interval = (json as? [String: Any])?["interval"] as? [String: Any]
        let finished = try #require(interval?["finished_at"] as? String)
        let parser = ISO8601DateFormatter()
        parser.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let date = try #require(parser.date(from: finished))
        let day = DateFormatter()
        day.locale = Locale(identifier: "en_US_POSIX")
        day.timeZone = TimeZone(identifier: "UTC")
        day.dateFormat = "yyyy-MM-dd"
        return (day.string(from: date), day.string(from: date.addingTimeInterval(-86_400)))
    }

    static func ignore(until: String) -> String {
        smallTables + """
            ignore:
              - {rule: partition-large-table, target: public.pgbench_accounts, reason: "archived yearly", until: \(until)}
            """
    }

    @Test func anAcceptedFindingLeavesRecommendationsAndGateAndIsListed() throws {
        let gated = try check(Self.smallTables)
        #expect(gated.status == 1, "without the entry the breach fails the gate")
        #expect(gated.stdout.contains("\"partition-large-table\""))

        // the snapshot's own day: still in force
        let days = try Self.snapshotDays()
        let accepted = try check(Self.ignore(until: days.day))
        #expect(accepted.status == 0, "\(accepted.stderr)")
        try SchemaValidator.validate(Data(accepted.stdout.utf8), schema: "report.schema.json")
        let report = try JSONSerialization.jsonObject(with: Data(accepted.stdout.utf8)) as? [String: Any] ?? [:]
        let rules = (report["recommendations"] as? [[String: Any]] ?? []).map { $0["rule"] as? String }
        #expect(!rules.contains("partition-large-table"))
        let breaches = (report["gate"] as? [String: Any])?["breaches"] as? [[String: Any]] ?? []
        #expect(!breaches.contains { $0["target"] as? String == "public.pgbench_accounts" })
        let suppressed = report["suppressed"] as? [[String: Any]] ?? []
        #expect(suppressed.map { $0["kind"] as? String } == ["recommendation", "breach"])
        #expect(suppressed.allSatisfy { $0["reason"] as? String == "archived yearly" })
        for format in ["text", "junit", "github"] {
            let rendered = try check(Self.ignore(until: days.day), format: format)
            #expect(rendered.stdout.contains("accepted: archived yearly"), "\(format)")
        }
    }

    @Test func anExpiredEntryIsAWarningAndSuppressesNothing() throws {
        let dayBefore = try Self.snapshotDays().dayBefore
        let expired = try check(Self.ignore(until: dayBefore))
        #expect(expired.status == 1)
        try SchemaValidator.validate(Data(expired.stdout.utf8), schema: "report.schema.json")
        let report = try JSONSerialization.jsonObject(with: Data(expired.stdout.utf8)) as? [String: Any] ?? [:]
        #expect((report["suppressed"] as? [Any])?.isEmpty == true)
        let warnings = (report["config"] as? [String: Any])?["warnings"] as? [String] ?? []
        #expect(warnings.count == 1 && warnings[0].contains("expired on \(dayBefore)"), "\(warnings)")
        let text = try check(Self.ignore(until: dayBefore), format: "text")
        #expect(text.stdout.contains("warning: ignore entry partition-large-table on public.pgbench_accounts expired"))
    }

    @Test func anUnknownRuleIdIsExitTwo() throws {
        let result = try check("ignore:\n  - {rule: partition-large-tables, reason: typo}\n")
        #expect(result.status == 2)
        #expect(result.stderr.contains("ignore[0].rule") && result.stderr.contains("partition-large-tables"))
        #expect(result.stdout.isEmpty)
    }

    // MARK: - Set-up without root

    /// As a user without root and without password-less sudo, a missing package stops
    /// ensure-deps with the exact command before anything is installed.
    @Test func ensureDepsWithoutRootPrintsTheCommandAndExitsTwo() throws {
        let shims = try Shell.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: shims) }
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: shims.path)
        let record = shims.appendingPathComponent("apt-get.called").path
        // dpkg-query says libpg-query-dev is missing (everything else is installed); sudo -n
        // refuses as it does without a cached password; apt-get records a call if one is made.
        let files = [
            "dpkg-query": "#!/bin/sh\nfor last; do :; done\n[ \"$last\" = libpg-query-dev ] && exit 1\n"
                + "printf 'install ok installed'\n",
            "sudo": "#!/bin/sh\necho 'sudo: a password is required' >&2\nexit 1\n",
            "apt-get": "#!/bin/sh\ntouch \(record)\n",
        ]
        for (name, text) in files {
            let path = shims.appendingPathComponent(name).path
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        }
        let script = Self.root.appendingPathComponent("scripts/ensure-deps.sh").path
        let path = "\(shims.path):/usr/bin:/bin"
        // setpriv drops to nobody for real; the script must only read the repository.
        let asNobody = [
            "--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/env", "PATH=\(path)", "HOME=/tmp",
            "/bin/bash", script,
        ]
        let result = try Shell.run("/usr/bin/setpriv", asNobody)
        #expect(result.status == 2, "\(result.stdout) \(result.stderr)")
        #expect(result.stderr.contains("sudo apt-get install -y libpg-query-dev"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: record), "apt-get ran before stopping")

        // and with a sudo that works without a password, it installs through it
        try Data("#!/bin/sh\n[ \"$1\" = -n ] && shift\nexec \"$@\"\n".utf8).write(
            to: shims.appendingPathComponent("sudo"))
        try FileManager.default.setAttributes(
            [.posixPermissions: 0o755], ofItemAtPath: shims.appendingPathComponent("sudo").path)
        let withSudo = try Shell.run("/usr/bin/setpriv", asNobody)
        #expect(withSudo.status == 0, "\(withSudo.stdout) \(withSudo.stderr)")
        #expect(FileManager.default.fileExists(atPath: record), "apt-get was not called through sudo -n")
    }
}
