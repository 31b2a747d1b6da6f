import ArgumentParser
import DBAdviseCollector
import DBAdviseCore
import Foundation

struct CollectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Measure a database over an interval and write a snapshot (JSON).",
        discussion: """
            Connects read-only as application_name=dbadvise, samples pg_stat_activity about once \
            a second through --interval, and writes sizes, rates, replication, WAL, checkpoint, \
            activity and pg_stat_statements figures. Sections it cannot read are recorded with \
            the reason. Exit codes: 0 done, 2 bad usage or unwritable output, 3 database \
            unreachable.
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var interval: IntervalOption

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Write the snapshot to FILE, or a new timestamped file in DIR/ (default: stdout).",
            valueName: "file|dir/"))
    var output: String?

    @Flag(
        name: .long,
        help: "Replace schema, table, index and column names with stable hashes and drop query texts.")
    var redact = false

    func run() throws {
        let seconds = try interval.seconds()
        let destination = try SnapshotOutput(argument: output)
        var options = CollectOptions(
            conninfo: connection.dsn, replicas: connection.replica, intervalSeconds: seconds,
            toolVersion: DBAdvise.version)
        options.topStatements = 25
        var snapshot = try Self.collect(options)
        if redact { snapshot = SnapshotRedactor.redact(snapshot) }
        let data: Data
        do {
            data = try SnapshotCoding.encoder().encode(snapshot)
        } catch {
            throw CommandError(.usage, "cannot encode the snapshot: \(error)")
        }
        if let path = try destination.write(data, snapshot: snapshot) {
            Terminal.writeError("dbadvise: snapshot written to \(path)\n")
        }
    }

    /// Collects with progress on stderr (when it is a terminal).
    static func collect(_ options: CollectOptions) throws(CommandError) -> Snapshot {
        do {
            let snapshot = try SnapshotCollector.collect(options) { elapsed, total in
                Terminal.progress(
                    "dbadvise: sampling \(Int(elapsed.rounded()))/\(Int(total.rounded())) s")
            }
            Terminal.endProgress()
            return snapshot
        } catch {
            Terminal.endProgress()
            throw CommandError(error)
        }
    }
}
