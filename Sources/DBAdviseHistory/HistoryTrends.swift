import DBAdviseAnalysis
import DBAdviseModel
import Foundation

/// Keeps a store's trend state (``HistoryStore/trendState(series:)``) in step with its
/// points, and gives analyze the ``SeriesHistory`` of a series without reading its points.
///
/// The state is the ``SeriesAccumulator`` of the series from its first snapshot up to a
/// latest one. Each collection continues it with the new snapshot (reading back only the
/// previous snapshot's relations, for its rates); a state a store dropped (a snapshot added
/// before its latest, a source removed) is rebuilt from every point once. Either way the
/// history is the one the file-only path folds from the decoded files, number for number.
public enum HistoryTrends {
    /// Whether a state brought up to date is saved.
    public enum Saving: Sendable {
        /// A reader of a read-only store: in memory only.
        case never
        /// analyze: the state is a cache, so a store that refuses the write (a read-only
        /// file) costs the next reader the same work, not the report.
        case ifPossible
        /// collect: a failure is the caller's to report.
        case always
    }

    /// The series' state brought up to its newest stored point: continued from the saved
    /// state, or rebuilt; saved again when it changed (see ``Saving``). Nil when the series
    /// has no points.
    public static func current(_ store: any HistoryStore, series: String, save: Saving) throws -> SeriesHistory? {
        let saved = try store.trendState(series: series)
        var accumulator = SeriesAccumulator()
        var added = 0
        if let saved, let latest = saved.points.last {
            var resumed: Bool?
            try store.forEachPoints(series: series, from: latest.finishedAt) { points in
                guard let isResumed = resumed else {
                    // The state must end where the stored points continue from.
                    resumed = HistoryTime.same(points.snapshot.finishedAt, latest.finishedAt)
                    if resumed == true { accumulator = SeriesAccumulator(resuming: saved, last: points) }
                    return
                }
                guard isResumed else { return }
                accumulator.add(points)
                added += 1
            }
            if resumed != true { return try rebuild(store, series: series, save: save) }
        } else {
            return try rebuild(store, series: series, save: save)
        }
        if added > 0 { try Self.save(accumulator.history, of: series, to: store, save) }
        return accumulator.history.points.isEmpty ? nil : accumulator.history
    }

    /// The history to analyze `latest` with: the stored series up to it, `latest`'s own
    /// point last. A live snapshot newer than the store is folded in after it; one that
    /// finished before stored points is given the points before it (rebuilt, slowly).
    public static func history(
        _ store: any HistoryStore, series: String, latest: Snapshot, save: Saving
    ) throws -> SeriesHistory {
        let latestPoints = SnapshotPoints(snapshot: latest).mapTimes(HistoryTime.asWritten)
        let finished = latestPoints.snapshot.finishedAt
        if let state = try current(store, series: series, save: save), let stateLatest = state.points.last {
            if HistoryTime.same(stateLatest.finishedAt, finished) { return state }
            if stateLatest.finishedAt < finished {
                var accumulator: SeriesAccumulator?
                try store.forEachPoints(series: series, from: stateLatest.finishedAt) { points in
                    if accumulator == nil { accumulator = SeriesAccumulator(resuming: state, last: points) }
                }
                if var accumulator {
                    accumulator.add(latestPoints)
                    return accumulator.history
                }
            }
        }
        // Stored points after `latest` (or none): the points before it, one at a time.
        var accumulator = SeriesAccumulator()
        try store.forEachPoints(series: series) { points in
            if points.snapshot.finishedAt < finished, !HistoryTime.same(points.snapshot.finishedAt, finished) {
                accumulator.add(points)
            }
        }
        accumulator.add(latestPoints)
        return accumulator.history
    }

    private static func rebuild(_ store: any HistoryStore, series: String, save: Saving) throws -> SeriesHistory? {
        var accumulator = SeriesAccumulator()
        try store.forEachPoints(series: series) { accumulator.add($0) }
        guard !accumulator.history.points.isEmpty else { return nil }
        try Self.save(accumulator.history, of: series, to: store, save)
        return accumulator.history
    }

    private static func save(
        _ history: SeriesHistory, of series: String, to store: any HistoryStore, _ saving: Saving
    ) throws(HistoryStoreError) {
        switch saving {
        case .never: return
        case .ifPossible: try? store.saveTrendState(series: series, history)
        case .always: try store.saveTrendState(series: series, history)
        }
    }
}

/// How the trend state's values are kept as text.
enum TrendStateCoding {
    static func text(_ bulkLoads: [String]) -> String {
        (try? String(decoding: JSONEncoder().encode(bulkLoads), as: UTF8.self)) ?? "[]"
    }

    static func bulkLoads(_ text: String?) -> [String] {
        guard let text else { return [] }
        return (try? JSONDecoder().decode([String].self, from: Data(text.utf8))) ?? []
    }
}
