import DBAdviseModel
import Foundation

/// What the rates of a report were measured over, and whether they count as demand.
///
/// Every rate is a count over a window: the sampled interval (`collect --interval 10s`) or
/// the time since the statistics reset (`--interval 0`). The window is *settled* when it is
/// long enough to average out a burst (``MeasurementPolicy``) and no table was loaded in bulk
/// inside it; *sustained* when a series of settled snapshots spans the policy's hours. Rules
/// show unsettled rates but take no scaling step from them; rules that speak of sustained
/// load need a sustained window. The gate reads the same judgment.
public struct MeasurementWindow: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        /// Deltas between two samples `seconds` apart.
        case interval
        /// Averages since the statistics reset (or the server start when never reset).
        case sinceReset = "since_reset"
    }

    public var kind: Kind
    /// Seconds the latest snapshot's rates are divided by; nil when unknown.
    public var seconds: Double?
    /// Snapshots in the series, and the settled ones among them.
    public var snapshots: Int
    public var settledSnapshots: Int
    /// From the first settled snapshot's start to the latest one's end.
    public var settledSpanSeconds: Double
    public var settled: Bool
    public var sustained: Bool
    /// Tables loaded in bulk inside the latest window (`schema.table`).
    public var bulkLoads: [String]
    /// Why the latest window is unsettled; nil when settled.
    public var unsettledReason: String?
    /// Why the caches may be cold (a restart or a bulk load inside the window); nil otherwise.
    public var coldCacheReason: String?

    private enum CodingKeys: String, CodingKey {
        case kind
        case seconds
        case snapshots
        case settledSnapshots = "settled_snapshots"
        case settledSpanSeconds = "settled_span_seconds"
        case settled
        case sustained
        case bulkLoads = "bulk_loads"
        case unsettledReason = "unsettled_reason"
        case coldCacheReason = "cold_cache_reason"
    }

    public init(snapshots: [Snapshot], policy: MeasurementPolicy) {
        let latest = snapshots.max { $0.interval.finishedAt < $1.interval.finishedAt }
        self.init(
            series: SeriesHistory(snapshots: snapshots).points, policy: policy,
            latestBulkLoads: latest.map(Self.bulkLoads(of:)))
    }

    /// The window of a series' points, oldest first (their bulk loads derived by
    /// ``SeriesAccumulator``, which keeps the first few names of each); `latestBulkLoads` is
    /// the latest snapshot's whole list (``bulkLoads(of:)``), which the report lists.
    public init(series: [SnapshotPoint], policy: MeasurementPolicy, latestBulkLoads: [String]? = nil) {
        let latest = series.last
        kind = latest?.intervalMode == .delta ? .interval : .sinceReset
        seconds = latest?.rateSeconds
        snapshots = series.count
        let judged = series.map { Self.judge($0, policy: policy) }
        let latestJudgment = judged.last ?? Judgment(reason: "no snapshot", bulkLoads: [])
        bulkLoads = latestBulkLoads ?? latestJudgment.bulkLoads
        unsettledReason = latestJudgment.reason
        settled = latestJudgment.reason == nil
        let settledSeries = zip(series, judged).filter { $0.1.reason == nil }.map(\.0)
        settledSnapshots = settledSeries.count
        if let first = settledSeries.first, let last = settledSeries.last {
            settledSpanSeconds = max(0, last.finishedAt.timeIntervalSince(first.startedAt))
        } else {
            settledSpanSeconds = 0
        }
        sustained =
            settledSnapshots >= policy.sustainedSnapshots
            && settledSpanSeconds >= policy.sustainedHours * 3_600
        coldCacheReason = latest.flatMap { Self.coldCache($0) }
    }

    /// `interval of 10 seconds`, `12 minutes since the statistics reset`.
    public var description: String {
        let length = seconds.map(Self.span) ?? "unknown time"
        switch kind {
        case .interval: return "interval of \(length)"
        case .sinceReset: return "\(length) since the statistics reset"
        }
    }

    /// Why the series does not show sustained load; nil when it does.
    public func notSustainedReason(_ policy: MeasurementPolicy) -> String? {
        guard !sustained else { return nil }
        return "sustained load needs \(policy.sustainedSnapshots) settled snapshots over "
            + "\(Formatting.number(policy.sustainedHours)) h; the series has \(settledSnapshots) over "
            + "\(Self.span(settledSpanSeconds))"
    }

    /// `40 seconds`, `12 minutes`, `6 hours`.
    static func span(_ seconds: Double) -> String { Formatting.days(seconds / 86_400) }

    /// What to measure next when the window is too short to act on.
    public static let measureNext =
        "Measure a series: run `dbadvise collect --output history/` hourly (cron) for a day or more, "
        + "then `dbadvise analyze --input history/`."

    struct Judgment {
        var reason: String?
        var bulkLoads: [String]
    }

    static func judge(_ point: SnapshotPoint, policy: MeasurementPolicy) -> Judgment {
        guard let seconds = point.rateSeconds, seconds > 0 else {
            return Judgment(reason: "the rate window is unknown", bulkLoads: [])
        }
        let bulk = point.bulkLoads
        let count = max(point.bulkLoadCount, bulk.count)
        switch point.intervalMode {
        case .sinceReset where seconds < policy.settledSinceResetMinutes * 60:
            return Judgment(
                reason: "averaged over only \(Self.span(seconds)) since the statistics reset "
                    + "(< \(Formatting.number(policy.settledSinceResetMinutes)) min, "
                    + "measurement.settled_since_reset_minutes)",
                bulkLoads: bulk)
        case .delta where seconds < policy.settledIntervalSeconds:
            return Judgment(
                reason: "sampled over only \(Self.span(seconds)) "
                    + "(< \(Formatting.number(policy.settledIntervalSeconds)) s, measurement.settled_interval_seconds)",
                bulkLoads: bulk)
        default:
            break
        }
        if count > 0 {
            let named = bulk.prefix(SnapshotPoint.bulkLoadsKept)
            return Judgment(
                reason: "inflated by a bulk load inside the window (\(named.joined(separator: ", "))"
                    + (count > named.count ? " and \(count - named.count) more" : "") + ")",
                bulkLoads: bulk)
        }
        return Judgment(reason: nil, bulkLoads: [])
    }

    /// Tables loaded in bulk inside the window: rows inserted in it are at least
    /// ``MeasurementPolicy/bulkLoadInsertShare`` of the table's live rows, the table has seen
    /// few updates or deletes, and together such tables hold most of the window's writes.
    /// A snapshot's tables loaded in bulk, all of them (``bulkLoads(_:relations:policy:)``).
    public static func bulkLoads(of snapshot: Snapshot) -> [String] {
        let points = SnapshotPoints(snapshot: snapshot)
        return bulkLoads(points.snapshot, relations: points.relations, policy: MeasurementPolicy())
    }

    static func bulkLoads(_ point: SnapshotPoint, relations: [RelationPoint], policy: MeasurementPolicy) -> [String] {
        guard let seconds = point.rateSeconds, seconds > 0 else { return [] }
        var loaded: [(name: String, rows: Double)] = []
        for table in relations where table.listed && table.relkind != "p" {
            guard let inserted = table.nTupIns.map(Double.init) else { continue }
            let changed = Double((table.nTupUpd ?? 0) + (table.nTupDel ?? 0))
            let live = Double(table.nLiveTup ?? 0)
            // Rows written inside the window: the counters themselves when they start at the
            // window (since the reset), else the table's measured rate over the interval.
            let inWindow =
                point.intervalMode == .sinceReset ? inserted : (table.writesPerSecond ?? 0) * seconds
            guard inWindow >= policy.bulkLoadMinimumRows, inWindow >= policy.bulkLoadInsertShare * live,
                changed <= 0.1 * inserted
            else { continue }
            loaded.append((table.qualifiedName, inWindow))
        }
        guard !loaded.isEmpty, let rate = point.writesPerSecond, rate > 0 else { return [] }
        let loadedRows = loaded.reduce(0) { $0 + $1.rows }
        guard loadedRows >= 0.5 * rate * seconds else { return [] }
        return loaded.sorted { $0.rows > $1.rows }.map(\.name)
    }

    /// A cache read right after a restart or a bulk load is cold: its hit ratio says how the
    /// data arrived, not whether the working set fits.
    static func coldCache(_ point: SnapshotPoint) -> String? {
        if let started = point.startTime {
            let up = point.finishedAt.timeIntervalSince(started)
            if up < 3_600 { return "the server started \(Self.span(up)) before the measurement" }
        }
        if point.bulkLoadCount > 0 { return "tables were loaded in bulk inside the window" }
        return nil
    }
}
