import Foundation

/// When a measured rate counts as demand (`measurement:` in the config).
///
/// A rate is a count divided by a window. Over a few seconds after a reset, or over a window
/// that held a bulk load, it says how fast the machine ran that load, not what the business
/// asks of it: such a rate is shown, marked unsettled, and drives no recommendation.
/// "Sustained" is a claim about time, so it needs a series of snapshots that spans it.
public struct MeasurementPolicy: Sendable, Equatable {
    /// `--interval 0` averages since the statistics reset: under an hour, one batch job or a
    /// restart's warm-up is most of the average (pg_stat_database's counters are cumulative,
    /// so the average only settles as the window grows).
    public var settledSinceResetMinutes: Double = 60
    /// A sampled interval shorter than this is a glimpse: libpq round trips and the
    /// statistics' own flush delay (up to a second) are a large part of it.
    public var settledIntervalSeconds: Double = 5
    /// "Sustained" needs at least this many snapshots …
    public var sustainedSnapshots: Int = 3
    /// … spanning at least this many hours: a day holds a business's daily peak and trough.
    public var sustainedHours: Double = 24
    /// A table whose inserts inside the window are at least this share of its live rows, with
    /// few updates and deletes, was loaded in bulk inside the window.
    public var bulkLoadInsertShare: Double = 0.5
    /// Bulk loads smaller than this many rows are too small to distort a rate.
    public var bulkLoadMinimumRows: Double = 10_000

    public init() {}

    /// The keys `measurement:` accepts.
    public static let keys = [
        "settled_since_reset_minutes", "settled_interval_seconds", "sustained_snapshots", "sustained_hours",
    ]
}
