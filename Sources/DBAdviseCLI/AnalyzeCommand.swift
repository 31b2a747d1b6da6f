import ArgumentParser
import DBAdviseAnalysis
import DBAdviseModel
import DBAdviseOutput
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

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Scale the measured load: 10x, or per dimension data=10x,writes=3x,reads=5x; shows the steps "
                + "and thresholds that load would need.",
            valueName: "spec"))
    var whatIf: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Draw database and largest-table size and write rate over the --input series, with threshold "
                + "lines and the forecast, as SVG.",
            valueName: "file.svg"))
    var plot: String?

    func validate() throws {
        if let whatIf {
            do {
                _ = try WhatIfScenario.parse(whatIf)
            } catch {
                throw ValidationError("\(error.description); \(WhatIfError.fix)")
            }
        }
        if plot != nil, source.input.isEmpty, source.sharedHistory.history == nil {
            throw ValidationError(
                "--plot needs a series: pass --input DIR/ (or --history CONNINFO) with two or more snapshots of one "
                    + "database (collect them with 'dbadvise collect --output DIR/')")
        }
    }

    func run() throws {
        // Config, interval and output paths first: a bad one fails at once, not after sampling.
        let config = try self.config.load()
        if let fleet = FleetInput.subdirectories(source.input) {
            if whatIf != nil || plot != nil {
                throw CommandError.usage(
                    "--what-if and --plot apply to one database's series, not to a fleet directory",
                    fix: "pass one database's directory: --input \(source.input.first ?? "DIR")/<host>-<port>-<dbname>/"
                )
            }
            try runFleet(fleet, config: config)
            return
        }
        // validate() has parsed it already.
        let scenario = whatIf.flatMap { try? WhatIfScenario.parse($0) }
        let plotOutput = try plot.map { path throws(CommandError) in try PlotOutput(argument: path) }
        let (report, series) = try ReportBuilder.report(
            source, config: config, failOn: failOn.failOn, whatIf: scenario)
        if let plotOutput {
            let largest: [SizeSample]
            do {
                largest = try series.largestTablePoints()
            } catch {
                throw CommandError(.usage, "cannot read the largest table's sizes: \(error)")
            }
            guard
                let svg = SeriesPlot.render(
                    latest: series.latest, history: series.history, largestTablePoints: largest, config: config)
            else {
                throw CommandError.usage(
                    "--plot needs two or more snapshots of one database taken at different times; "
                        + "the input holds \(series.history.points.count)",
                    fix: "collect more with 'dbadvise collect --output DIR/' and pass --input DIR/")
            }
            try plotOutput.write(svg)
        }
        let useColor = format.format == .text && Terminal.colorEnabled
        try Terminal.writeOutput(ReportRenderer.render(report, as: format.format, useColor: useColor))
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
