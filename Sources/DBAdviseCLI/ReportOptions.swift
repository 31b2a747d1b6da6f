import ArgumentParser
import DBAdviseAnalysis
import DBAdviseModel
import DBAdviseOutput
import DBAdviseRules
import Foundation

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
            "Hardware, thresholds, gate and accepted findings (YAML or JSON). Without it: $DBADVISE_CONFIG, "
                + "else ./dbadvise.yml, else $XDG_CONFIG_HOME/dbadvise/config.yml, else the defaults.",
            valueName: "file"))
    var config: String?

    /// The config found the contract's way (``ConfigDiscovery``), or the defaults; its
    /// `ignore:` entries checked against the registered rules.
    func load() throws(CommandError) -> Config {
        let origin = ConfigDiscovery.locate(option: config, environment: ProcessInfo.processInfo.environment)
        do {
            let loaded = try Config.load(origin)
            try loaded.checkIgnoredRules(known: RuleRegistry.descriptions.map(\.id))
            return loaded
        } catch {
            throw CommandError(error, origin: origin)
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
    init(_ error: ConfigError, origin: ConfigOrigin = ConfigOrigin(source: .option, path: nil)) {
        let fix: String
        switch error {
        case .unreadable:
            switch origin.source {
            case .environment: fix = "check the path in DBADVISE_CONFIG, or unset it"
            default: fix = "check the --config path"
            }
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
