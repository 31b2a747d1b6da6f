import ArgumentParser
import DBAdviseAnalysis
import DBAdviseHistory
import DBAdviseModel
import Foundation
import PostgresClient

/// `--history CONNINFO`: the shared history store in a PostgreSQL database (schema
/// `dbadvise_history`), as the commands use it. collect appends each snapshot's points and
/// keeps it as its series' newest full snapshot; analyze and check read one series from it,
/// the newest snapshot in full and the earlier ones from their points, as a history
/// directory is read.
enum SharedHistory {
    // MARK: collect

    /// Checks the connection string, reaches the store and creates or migrates its schema:
    /// before collecting, so a wrong `--history` fails at once, not after the interval.
    static func prepare(_ conninfo: String) throws(CommandError) {
        _ = try open(conninfo, access: .readWrite)
    }

    /// Appends a snapshot collect has made (`data` is its JSON); returns a line for stderr.
    /// A fresh connection: the interval may have outlasted the one `prepare` checked.
    static func append(_ snapshot: Snapshot, data: Data, to conninfo: String) throws(CommandError) -> String {
        let store = try open(conninfo, access: .readWrite)
        // Its times as the JSON holds them (milliseconds): the points and the document agree.
        let points = SnapshotPoints(snapshot: snapshot).mapTimes(HistoryTime.asWritten)
        do {
            try store.append(points, source: nil, document: data)
        } catch {
            throw CommandError(error)
        }
        // The trend state follows each collection, so analyze never reads the points; a
        // state left behind is caught up by the next collection or rebuilt.
        do {
            _ = try HistoryTrends.current(store, series: points.snapshot.series, save: .always)
        } catch {
            Terminal.writeError(
                "dbadvise: warning: the snapshot is appended, but the trend state of \(points.snapshot.series) in "
                    + "\(store.place) was not updated: \(error); the next collection updates it\n")
        }
        return "dbadvise: snapshot appended to the history store \(store.place), series \(points.snapshot.series)"
    }

    // MARK: analyze, check

    /// One series: the newest snapshot decoded in full from the store, the trends from the
    /// store's trend state (brought up to date in memory when a collection left it behind).
    /// `selector` is a series (`shop@7312345678901234567`) or a database name; without one
    /// the store must hold a single series.
    static func read(_ conninfo: String, series selector: String?) throws(CommandError) -> AnalysisSeries {
        let store = try open(conninfo, access: .readOnly)
        let all: [SeriesSummary]
        do {
            all = try store.series()
        } catch {
            throw CommandError(error)
        }
        let chosen = try choose(from: all, selector: selector, place: store.place)
        let latest: (finishedAt: Date, document: Data)?
        do {
            latest = try store.latestDocument(series: chosen.series)
        } catch {
            throw CommandError(error)
        }
        guard let latest else {
            throw .usage(
                "the history store \(store.place) holds points of \(chosen.series) but no full snapshot of it",
                fix: "collect it once more with 'dbadvise collect --history …'")
        }
        let newest = try SnapshotInput.decode(
            latest.document, file: "the newest snapshot of \(chosen.series) in the history store")
        return try series(in: store, series: chosen.series, latest: newest)
    }

    /// `latest` with the history of its series from the store.
    static func series(in store: PostgresHistoryStore, series: String, latest: Snapshot) throws(CommandError)
        -> AnalysisSeries
    {
        do {
            let history = try HistoryTrends.history(store, series: series, latest: latest, save: .never)
            let largest = RelationSizes(snapshot: latest).largestTable?.name
            return AnalysisSeries(latest: latest, history: history) {
                try largest.map { try store.tableSizes(series: series, table: $0) } ?? []
            }
        } catch let error as HistoryStoreError {
            throw CommandError(error)
        } catch {
            throw CommandError(.unreachable, "cannot read the history store \(store.place): \(error)")
        }
    }

    /// A live snapshot with the earlier points of its own series from the store: `analyze
    /// --dsn … --history …` judges today's measurement against the fleet's history. The store
    /// is reached before `collect` samples (a wrong `--history` fails at once); nothing is
    /// appended (analyze only reads); a database the store has not seen is analyzed alone.
    static func read(_ conninfo: String, live collect: () throws(CommandError) -> Snapshot) throws(CommandError)
        -> AnalysisSeries
    {
        let store = try open(conninfo, access: .readOnly)
        let live = try collect()
        let series = SnapshotPoints.series(of: live)
        let result = try self.series(in: store, series: series, latest: live)
        if result.history.points.count == 1 {
            Terminal.writeError(
                "dbadvise: the history store \(store.place) holds no earlier snapshot of \(series): "
                    + "analyzing the live snapshot alone\n")
        }
        return result
    }

    /// The series `selector` names, or the only one.
    static func choose(from all: [SeriesSummary], selector: String?, place: String) throws(CommandError)
        -> SeriesSummary
    {
        guard !all.isEmpty else {
            throw .usage(
                "the history store \(place) holds no snapshots",
                fix: "collect into it with 'dbadvise collect --dsn … --history …'")
        }
        let listing = all.map(describe).joined(separator: "; ")
        guard let selector else {
            guard all.count == 1, let only = all.first else {
                throw .usage(
                    "the history store \(place) holds \(all.count) series: \(listing)",
                    fix: "choose one with --series (a series above, or its database name)")
            }
            return only
        }
        if let exact = all.first(where: { $0.series == selector }) { return exact }
        let byDatabase = all.filter { database(of: $0.series) == selector }
        guard byDatabase.count == 1, let match = byDatabase.first else {
            let found = byDatabase.isEmpty ? all : byDatabase
            throw .usage(
                byDatabase.isEmpty
                    ? "the history store \(place) has no series \(selector); it holds: \(listing)"
                    : "--series \(selector) names \(byDatabase.count) series: \(found.map(describe).joined(separator: "; "))",
                fix: "pass one of those series to --series")
        }
        return match
    }

    /// The database part of `dbname@system_identifier` (a database name may hold an `@`).
    static func database(of series: String) -> String {
        guard let at = series.lastIndex(of: "@") else { return series }
        return String(series[..<at])
    }

    private static func describe(_ summary: SeriesSummary) -> String {
        "\(summary.series) (\(summary.snapshots) snapshot\(summary.snapshots == 1 ? "" : "s"), "
            + "latest \(SnapshotCoding.formatTimestamp(summary.latestFinishedAt)))"
    }

    // MARK: Connections

    static func open(_ conninfo: String, access: PostgresHistoryStore.Access) throws(CommandError)
        -> PostgresHistoryStore
    {
        do {
            try ConnectionString.validate(conninfo)
        } catch {
            throw .usage(
                "invalid --history connection string: \(error.message)",
                fix: "use key=value pairs (host=metrics dbname=dbadvise) or a postgres:// URI")
        }
        do {
            return try PostgresHistoryStore(conninfo: conninfo, access: access)
        } catch {
            throw CommandError(error)
        }
    }
}

extension CommandError {
    /// A store that cannot be reached or read is the contract's 3; one written by a newer
    /// dbadvise is bad input, 2.
    init(_ error: HistoryStoreError) {
        switch error.kind {
        case .newerSchema: self.init(.usage, error.message, fix: error.fix)
        case .unavailable, .failed: self.init(.unreachable, error.message, fix: error.fix)
        }
    }
}

/// `--history` and `--series` for analyze and check: read one series from a shared store.
struct HistorySourceOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Read the snapshots from the history store in this PostgreSQL database (schema dbadvise_history, "
                + "written by 'collect --history'): the newest in full, the earlier ones as points. Instead of "
                + "--input; with --dsn, the live snapshot is analyzed with the earlier points of its database.",
            valueName: "conninfo"))
    var history: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Which series of the --history store to read: dbname@system_identifier, or a database name that "
                + "names one (needed when the store holds several).",
            valueName: "series"))
    var series: String?

    func validate() throws {
        if series != nil, history == nil {
            throw ValidationError("--series chooses a series of a history store: add --history CONNINFO")
        }
    }
}

extension SharedHistory {
    /// The fleet's appends to the shared store, from its collection threads: each opens its
    /// own connection; a failure is told at once and fails the run (exit 3) once every
    /// database is collected, its snapshot file written either way.
    final class FleetAppends: @unchecked Sendable {
        private let lock = NSLock()
        private var failed: [String] = []

        func append(snapshot: Snapshot, data: Data, to conninfo: String) {
            do {
                _ = try SharedHistory.append(snapshot, data: data, to: conninfo)
            } catch {
                let series = SnapshotPoints.series(of: snapshot)
                Terminal.writeError("dbadvise: \(series): not appended to the history store: \(error.message)\n")
                lock.withLock { failed.append(series) }
            }
        }

        func check() throws(CommandError) {
            let failed = lock.withLock { self.failed }
            guard !failed.isEmpty else { return }
            throw CommandError(
                .unreachable,
                "\(failed.count) snapshot\(failed.count == 1 ? " was" : "s were") written but not appended to the "
                    + "history store (named above)",
                fix: "check that the --history server runs and accepts the role's writes, then collect again")
        }
    }
}
