import DBAdviseCollector
import DBAdviseCore
import DBAdviseRules

/// What analyze and check share: snapshots from a live collection (`--dsn`, `--replica`,
/// `--interval`) or from `--input`, and the report the registered rules make of them.
enum ReportBuilder {
    static func report(
        connection: ConnectionOptions, input: [String], interval: IntervalOption, config: Config,
        failOn: FailOn?
    ) throws(CommandError) -> Report {
        let snapshots: [Snapshot]
        let source: ReportSource.SourceType
        if input.isEmpty {
            let options = CollectOptions(
                conninfo: connection.dsn, replicas: connection.replica,
                intervalSeconds: try interval.seconds(), toolVersion: DBAdvise.version)
            snapshots = [try CollectCommand.collect(options)]
            source = .live
        } else {
            snapshots = try SnapshotInput.read(input)
            source = .snapshot
        }
        do {
            return try RuleRegistry.analyzer.report(
                snapshots: snapshots, config: config, failOn: failOn, sourceType: source)
        } catch {
            throw CommandError(error)
        }
    }
}
