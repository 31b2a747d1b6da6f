import ArgumentParser
import DBAdviseAnalysis
import DBAdviseCollector
import DBAdviseModel
import DBAdviseOutput
import DBAdviseRules

/// Where analyze and check read from: a live collection (`--dsn`, `--replica`, `--interval`)
/// or snapshots (`--input`), never both.
struct SourceOptions: ParsableArguments {
    @OptionGroup var connection: ConnectionOptions

    @Option(
        name: .long,
        help: ArgumentHelp(
            "A snapshot written by collect, or a directory of them (repeatable). Instead of --dsn.",
            valueName: "file|dir"))
    var input: [String] = []

    @OptionGroup var interval: IntervalOption

    @OptionGroup var sharedHistory: HistorySourceOptions

    func validate() throws {
        if sharedHistory.history != nil {
            guard input.isEmpty else {
                throw ValidationError(
                    "--history reads snapshots from a history store: it cannot be used with --input")
            }
            if sharedHistory.series != nil, connection.dsn != nil {
                throw ValidationError(
                    "--series chooses a stored series; with --dsn the series is the live database's: pass one")
            }
            if connection.dsn == nil, !connection.replica.isEmpty {
                throw ValidationError("--replica needs a live database: with --history, add --dsn")
            }
        }
        guard !input.isEmpty else { return }
        if connection.dsn != nil {
            throw ValidationError(
                "--dsn and --input cannot be used together: measure a database live, or read snapshots")
        }
        if !connection.replica.isEmpty {
            throw ValidationError(
                "--replica needs a live database: snapshots from --input already hold their replication status")
        }
    }
}

/// The report the registered rules make of the snapshots a ``SourceOptions`` names.
enum ReportBuilder {
    static func report(_ sourceOptions: SourceOptions, config: Config, failOn: FailOn?)
        throws(CommandError) -> Report
    {
        try report(sourceOptions, config: config, failOn: failOn, whatIf: nil).report
    }

    /// The report, with the plan at a what-if scenario when one is given, and the series it
    /// was made of.
    static func report(
        _ sourceOptions: SourceOptions, config: Config, failOn: FailOn?, whatIf: WhatIfScenario?
    ) throws(CommandError) -> (report: Report, series: AnalysisSeries) {
        let connection = sourceOptions.connection
        let input = sourceOptions.input
        let interval = sourceOptions.interval
        let series: AnalysisSeries
        let source: ReportSource.SourceType
        if let history = sourceOptions.sharedHistory.history, connection.dsn == nil {
            series = try SharedHistory.read(history, series: sourceOptions.sharedHistory.series)
            source = .snapshot
        } else if input.isEmpty {
            let options = CollectOptions(
                conninfo: connection.dsn, replicas: connection.replica,
                intervalSeconds: try interval.seconds(), toolVersion: DBAdvise.version)
            if let history = sourceOptions.sharedHistory.history {
                series = try SharedHistory.read(history) { () throws(CommandError) in
                    try LiveCollection.snapshot(options)
                }
            } else {
                series = try SnapshotInput.series([try LiveCollection.snapshot(options)])
            }
            source = .live
        } else {
            series = try SnapshotInput.read(input)
            source = .snapshot
        }
        return (try report(series: series, source: source, config: config, failOn: failOn, whatIf: whatIf), series)
    }

    /// The report of a series already read.
    static func report(
        series: AnalysisSeries, source: ReportSource.SourceType, config: Config, failOn: FailOn?,
        whatIf: WhatIfScenario? = nil
    ) throws(CommandError) -> Report {
        RuleRegistry.analyzer.report(
            latest: series.latest, history: series.history, config: config, failOn: failOn, sourceType: source,
            generatedAt: try ReportClock.now(), whatIf: whatIf, isWrite: WhatIfStatements.isWrite)
    }
}
