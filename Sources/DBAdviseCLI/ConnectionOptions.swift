import ArgumentParser
import DBAdviseAnalysis
import DBAdviseModel
import DBAdviseOutput

/// `--dsn` and `--replica`, shared by collect, analyze and check.
struct ConnectionOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Connection string: key=value pairs or a postgres:// URI. Without it, libpq's defaults apply as in psql (PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD, PGSERVICE, ~/.pgpass).",
            valueName: "conninfo"))
    var dsn: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "A standby to read replication status from (repeatable).", valueName: "conninfo"))
    var replica: [String] = []
}

/// `--interval`, shared by collect and analyze.
struct IntervalOption: ParsableArguments {
    // .unconditional: `--interval -1` is a value to refuse as negative, not a missing one.
    @Option(
        name: .long, parsing: .unconditional,
        help: ArgumentHelp(
            "How long to sample: 0, 500ms, 10s, 5m, 1h. Rates are deltas over it; with 0, averages since the statistics were reset.",
            valueName: "duration"))
    var interval: String = "10s"

    /// A bad interval is refused at once, also where it is not used (analyze --input).
    func validate() throws {
        do {
            _ = try IntervalParser.seconds(interval)
        } catch {
            throw ValidationError(error.description)
        }
    }

    func seconds() throws(CommandError) -> Double {
        do {
            return try IntervalParser.seconds(interval)
        } catch {
            throw .usage(error.description)
        }
    }
}
