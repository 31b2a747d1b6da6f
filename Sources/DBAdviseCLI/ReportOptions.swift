import ArgumentParser
import DBAdviseCore

// The Core enums are the flag values themselves: their raw values are the contract's words,
// so parsing and `--help` list exactly `text|json|markdown` and `never|warning|critical`, and
// a value outside them is an ArgumentParser error, which ``DBAdvise/main(_:)`` turns into 2.
extension ReportFormat: ExpressibleByArgument {}
extension FailOn: ExpressibleByArgument {}

/// `--config`, shared by analyze, check and explain.
struct ConfigOption: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Hardware, thresholds and gate (YAML or JSON). Without it, the documented defaults apply.",
            valueName: "file"))
    var config: String?

    /// The config file, or the defaults when there is none.
    func load() throws(CommandError) -> Config {
        guard let path = config else { return Config() }
        do {
            return try Config.load(path: path)
        } catch {
            throw CommandError(error)
        }
    }
}

/// `--format text|json|markdown`, shared by analyze and rules.
struct ReportFormatOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Output format.", valueName: "text|json|markdown"))
    var format: ReportFormat = .text
}

/// `--fail-on`, shared by analyze and check. Nil when not given: analyze then never gates.
struct FailOnOption: ParsableArguments {
    @Option(
        name: .customLong("fail-on"),
        help: ArgumentHelp(
            "Exit 1 when a finding is at or above this severity (overrides gate.fail_on).",
            valueName: "never|warning|critical"))
    var failOn: FailOn?
}

extension CommandError {
    init(_ error: ConfigError) {
        let fix: String
        switch error {
        case .unreadable:
            fix = "check the --config path"
        case .syntax:
            fix = "correct the YAML or JSON at that place"
        case .invalid(_, _, let keyPath, _):
            fix = "correct \(keyPath); samples/dbadvise.yml lists every key with its default"
        }
        self.init(.usage, error.description, fix: fix)
    }

    init(_ error: AnalysisError) {
        switch error {
        case .noSnapshots:
            self.init(
                .usage, "no snapshot to analyze",
                fix: "pass --dsn CONNINFO to measure a database, or --input FILE|DIR")
        case let .mixedDatabases(first, other):
            self.init(
                .usage, "snapshots of different databases in one series (\(first) and \(other))",
                fix: "analyze each database's snapshots separately")
        }
    }
}
