import ArgumentParser
import DBAdviseAnalysis
import DBAdviseModel
import DBAdviseOutput
import DBAdviseRules
import Foundation

extension CheckFormat: ExpressibleByArgument {}

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "A CI gate: fail when a scaling threshold of the config is crossed.",
        discussion: """
            Every threshold of the config (or its default) that is crossed is a breach named \
            after its key, with the measured value, the limit and the severity; the gate fails \
            on a breach at or above gate.fail_on (or --fail-on). With two or more snapshots of \
            one database, database_growth_gb_per_day and days_to_critical gate the growth too. \
            With --baseline, only new breaches or ones that got worse (severity up, or the value \
            10% further past the limit) fail. Exit codes: 0 passed, 1 the gate failed, 2 bad \
            usage, input or config, 3 database unreachable.
            """)

    @OptionGroup var source: SourceOptions
    @OptionGroup var config: ConfigOption

    @Option(name: .long, help: ArgumentHelp("Output format.", valueName: "text|json|junit|github"))
    var format: CheckFormat = .text

    @OptionGroup var failOn: FailOnOption

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Fail only on findings that are new or worse than those recorded in FILE.",
            valueName: "file"))
    var baseline: String?

    @Option(
        name: .customLong("write-baseline"),
        help: ArgumentHelp(
            "Record today's findings in FILE (for --baseline) and exit 0.", valueName: "file"))
    var writeBaseline: String?

    func validate() throws {
        if baseline != nil, writeBaseline != nil {
            throw ValidationError(
                "--baseline and --write-baseline cannot be used together: compare with a baseline, or record one")
        }
    }

    func run() throws {
        // Everything the user gave is checked before sampling starts.
        let config = try self.config.load()
        let recorded = try baseline.map(Self.loadBaseline)
        let baselineOutput = try writeBaseline.map(BaselineOutput.init)

        let report = try ReportBuilder.report(source, config: config, failOn: failOn.failOn)

        var comparison: BaselineComparison?
        if let (baseline, path) = recorded {
            do {
                try baseline.checkDatabase(of: report, file: path)
            } catch {
                throw CommandError(error)
            }
            comparison = baseline.compare(with: report)
        }

        let useColor = format == .text && Terminal.colorEnabled
        try Terminal.writeOutput(
            CheckRenderer.render(
                report, comparison: comparison,
                ruleIDs: RuleRegistry.descriptions.map(\.id), as: format, useColor: useColor))
        if format == .github {
            Self.appendStepSummary(CheckRenderer.githubStepSummary(report, comparison: comparison))
        }

        if let baselineOutput {
            let written = Baseline(report: report)
            try baselineOutput.write(written)
            Terminal.writeError(
                "dbadvise: baseline of \(written.findings.count) findings written to \(baselineOutput.path)\n")
            return
        }

        let gate = CheckRenderer.gate(of: report, comparison: comparison)
        guard gate.passed else {
            let failing =
                comparison?.failing(failOn: gate.failOn).compactMap { finding in
                    gate.breaches.first { BaselineFinding(breach: $0) == finding }
                } ?? gate.breaches.filter { gate.failOn.fails(on: $0.severity) }
            let shown = failing.prefix(3).map(CheckRenderer.breachLine).joined(separator: "; ")
            let more = failing.count > 3 ? "; and \(failing.count - 3) more" : ""
            let kind = comparison == nil ? "" : "new or worse "
            throw CommandError(
                .gateFailed,
                "the gate failed (fail_on \(gate.failOn.rawValue)): \(failing.count) \(kind)"
                    + "\(failing.count == 1 ? "breach" : "breaches"): \(shown)\(more)")
        }
    }

    static func loadBaseline(_ path: String) throws(CommandError) -> (Baseline, String) {
        do {
            return (try Baseline.load(path: path), path)
        } catch {
            throw CommandError(error)
        }
    }

    /// GitHub Actions shows this Markdown on the run's summary page.
    static func appendStepSummary(_ markdown: String) {
        guard let path = ProcessInfo.processInfo.environment["GITHUB_STEP_SUMMARY"], !path.isEmpty
        else { return }
        // appended to, not replaced (GitHub owns the file), but never a FIFO or a device
        if case .other(let kind) = FileKind.of(path) {
            Terminal.writeError(
                "dbadvise: warning: GITHUB_STEP_SUMMARY (\(path)) is \(kind), not a regular file; not written\n")
            return
        }
        do {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: Data((markdown + "\n").utf8))
        } catch {
            Terminal.writeError(
                "dbadvise: warning: cannot append to GITHUB_STEP_SUMMARY (\(path)): \(SnapshotDirectory.reason(error))\n"
            )
        }
    }
}

extension CommandError {
    init(_ error: BaselineError) {
        self.init(
            .usage, error.description,
            fix: "write a new one with 'dbadvise check --write-baseline FILE'")
    }
}

/// Where `--write-baseline` goes: checked before collecting, written through ``OutputFile``,
/// never over a file that is not a dbadvise baseline (an empty file is fine).
struct BaselineOutput {
    let file: OutputFile
    var path: String { file.path }

    init(_ path: String) throws(CommandError) {
        struct Header: Decodable { let kind: String? }
        file = try OutputFile(path, flag: "--write-baseline", what: "a dbadvise baseline") { data in
            (try? JSONDecoder().decode(Header.self, from: data))?.kind == Baseline.kindName
        }
    }

    func write(_ baseline: Baseline) throws(CommandError) {
        let data: Data
        do {
            data = try baseline.encoded()
        } catch {
            throw .usage("cannot encode the baseline: \(error)")
        }
        try file.write(data)
    }
}
