import ArgumentParser
import DBAdviseAnalysis
import DBAdviseCollector
import DBAdviseModel
import DBAdviseOutput
import Foundation

struct CollectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Measure a database over an interval and write a snapshot (JSON).",
        discussion: """
            Connects read-only as application_name=dbadvise, samples pg_stat_activity about once \
            a second through --interval, and writes sizes, rates, replication, WAL, checkpoint, \
            activity and pg_stat_statements figures. Sections it cannot read are recorded with \
            the reason. With --all-databases or --dsn-file it reads many databases at once \
            (--jobs at a time) into DIR/<host>-<port>-<dbname>/ and prints a report ranking them \
            by urgency. Exit codes: 0 done, 2 bad usage or unwritable output, 3 database \
            unreachable (in fleet mode: any of them, after writing the others).
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var interval: IntervalOption

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Write the snapshot to FILE, or a new timestamped file in DIR/ (default: stdout, unless --history "
                + "is given).",
            valueName: "file|dir/"))
    var output: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Also append the snapshot to the shared history store in this PostgreSQL database (schema "
                + "dbadvise_history, created on first use): many collectors can feed one store; analyze and check "
                + "read it with --history. Without --output nothing goes to stdout.",
            valueName: "conninfo"))
    var history: String?

    @Flag(
        name: .long,
        help: "Replace schema, table, index and column names with keyed hashes and drop query texts.")
    var redact = false

    @Option(
        name: .customLong("redact-key"),
        help: ArgumentHelp(
            "The key file --redact hashes names with, created (32 random bytes, mode 0600) when absent "
                + "(default: $DBADVISE_REDACT_KEY, else $XDG_CONFIG_HOME/dbadvise/redact.key).",
            valueName: "file"))
    var redactKey: String?

    @Flag(
        name: .customLong("all-databases"),
        help: "Collect every database of the server that takes connections (needs --output DIR/).")
    var allDatabases = false

    @Option(
        name: .customLong("dsn-file"),
        help: ArgumentHelp(
            "Collect every server listed in FILE, one conninfo a line (# comments; needs --output DIR/).",
            valueName: "file"))
    var dsnFile: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "How many databases to collect at once with --all-databases or --dsn-file (default 4).",
            valueName: "n"))
    var jobs: Int?

    /// For the benchmark: every statement sent, as a psql script (see scripts/bench.py).
    @Option(name: .customLong("trace-sql"), help: .hidden)
    var traceSQL: String?

    var isFleet: Bool { allDatabases || dsnFile != nil }

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1, got \(jobs)") }
        if jobs != nil, !isFleet {
            throw ValidationError("--jobs needs --all-databases or --dsn-file")
        }
        if dsnFile != nil, connection.dsn != nil {
            throw ValidationError(
                "--dsn and --dsn-file cannot be used together: list every server in the file")
        }
        if isFleet, !connection.replica.isEmpty {
            throw ValidationError(
                "--replica reads the standbys of one primary: it cannot be used with --all-databases or --dsn-file")
        }
        if redactKey != nil, !redact {
            throw ValidationError("--redact-key names the key of --redact: add --redact")
        }
        if isFleet, traceSQL != nil {
            throw ValidationError("--trace-sql traces one database")
        }
    }

    func run() throws {
        let seconds = try interval.seconds()
        // With --history alone the store is the destination: a cron line does not mail the JSON.
        let destination: SnapshotOutput? =
            output == nil && history != nil ? nil : try SnapshotOutput(argument: output)
        // Read before collecting, like every other input: a bad config fails at once.
        var policy = HistoryPolicy()
        if case .some(.directory) = destination { policy = try HistoryStoreAccess.policy() }
        // The shared store is reached (and created or migrated) before the interval, too.
        if let history { try SharedHistory.prepare(history) }
        let traceFile = try traceSQL.map { path throws(CommandError) in
            try OutputFile(path, flag: "--trace-sql", what: "a trace written by dbadvise") { data in
                data.starts(with: Data("-- dbadvise: ".utf8))
            }
        }
        // read (or made) before collecting: a bad key file fails in a moment, not after the interval
        let key = try redactionKey()
        if isFleet {
            try runFleet(intervalSeconds: seconds, destination: destination, redactionKey: key, policy: policy)
            return
        }
        var options = CollectOptions(
            conninfo: connection.dsn, replicas: connection.replica, intervalSeconds: seconds,
            toolVersion: DBAdvise.version)
        let trace = traceSQL.map { _ in QueryTrace() }
        options.trace = trace
        let collected = try LiveCollection.run(options, redactionKey: key)
        if let traceFile, let trace {
            try traceFile.write(Data(trace.psqlScript().utf8))
        }
        if let destination,
            let path = try destination.write(collected.data, snapshot: collected.snapshot, history: policy)
        {
            Terminal.writeError("dbadvise: snapshot written to \(path)\n")
        }
        if let history {
            Terminal.writeError(try SharedHistory.append(collected.snapshot, data: collected.data, to: history) + "\n")
        }
    }

    /// The key of `--redact`: `--redact-key`, else the default place; made on first use.
    private func redactionKey() throws(CommandError) -> RedactionKey? {
        guard redact else { return nil }
        let path = redactKey ?? RedactionKey.defaultPath(environment: ProcessInfo.processInfo.environment)
        do {
            let (key, created) = try RedactionKey.loadOrCreate(at: path)
            if created {
                Terminal.writeError(
                    "dbadvise: created the redaction key \(path): keep it, and keep it private; the same key gives the same pseudonyms\n"
                )
            }
            return key
        } catch {
            throw .usage(error.description)
        }
    }

    private func runFleet(
        intervalSeconds: Double, destination: SnapshotOutput?, redactionKey: RedactionKey?, policy: HistoryPolicy
    ) throws(CommandError) {
        guard case .some(.directory(let directory)) = destination, let output else {
            throw .usage(
                "--all-databases and --dsn-file write one snapshot per database: --output must be a directory",
                fix: "pass --output DIR/ (ending with /); each database gets DIR/<host>-<port>-<dbname>/")
        }
        let sharedFailures = SharedHistory.FleetAppends()
        let entries =
            try dsnFile.map { path throws(CommandError) in try FleetEntry.read(dsnFile: path) }
            ?? [FleetEntry(conninfo: connection.dsn, origin: nil)]
        try FleetCollection(
            entries: entries, allDatabases: allDatabases, jobs: jobs ?? 4, intervalSeconds: intervalSeconds,
            redactionKey: redactionKey, directory: directory, toolVersion: DBAdvise.version,
            afterWrite: { [history] snapshot, data, file in
                HistoryStoreAccess.record(snapshot, data: data, file: file, policy: policy)
                if let history { sharedFailures.append(snapshot: snapshot, data: data, to: history) }
            }
        ).runAndReport(directoryArgument: output)
        try sharedFailures.check()
    }
}
