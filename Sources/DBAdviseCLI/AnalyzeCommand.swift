import ArgumentParser
import DBAdviseCore
import DBAdviseRules
import Foundation

struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Recommend the next scale-up step, with the measured numbers behind it.",
        discussion: """
            Live, it measures the database over --interval (as collect does) and analyzes that \
            snapshot; with --input it analyzes snapshots written by collect (two or more of one \
            database give growth from the whole series). The report leads with the next step on \
            the ladder: vertical, read replicas, partitioning, sharding, CQRS, cache; and says \
            why every other step is not needed yet. Exit codes: 0 done, 1 the gate failed (only \
            with --fail-on), 2 bad usage, input or config, 3 database unreachable.
            """)

    @OptionGroup var source: SourceOptions
    @OptionGroup var config: ConfigOption
    @OptionGroup var format: ReportFormatOption
    @OptionGroup var failOn: FailOnOption

    func run() throws {
        // Config and interval first: a bad one fails at once, not after sampling.
        let config = try self.config.load()
        if let fleet = FleetInput.subdirectories(source.input) {
            try runFleet(fleet, config: config)
            return
        }
        let report = try ReportBuilder.report(source, config: config, failOn: failOn.failOn)
        let useColor = format.format == .text && Terminal.colorEnabled
        Terminal.writeOutput(ReportRenderer.render(report, as: format.format, useColor: useColor))
        // The contract: analyze gates only when --fail-on is given.
        if let gate = failOn.failOn, !report.gate.passed {
            let count = report.gate.breaches.filter { gate.fails(on: $0.severity) }.count
            throw CommandError(
                .gateFailed,
                "the gate failed: \(count) \(count == 1 ? "threshold" : "thresholds") crossed at or "
                    + "above \(gate.rawValue) (--fail-on \(gate.rawValue))")
        }
    }
}
