import DBAdviseAnalysis
import DBAdviseModel
import Foundation

/// Times in a history store: Unix seconds, to the millisecond, as snapshot files hold them.
///
/// A report built from stored points must equal the one built from the files, and a span of
/// exactly 24 hours must stay 24 hours (`measurement.sustained_hours`), so a stored time
/// must come back as the very `Date` the file's timestamp decodes to. Both stores keep Unix
/// seconds (SQLite: `REAL`; PostgreSQL: `timestamptz`), which cannot hold every `Date` bit
/// for bit; a whole number of milliseconds, rebuilt the way the timestamp parser builds it,
/// comes back exactly.
public enum HistoryTime {
    private static let millisecondsFrom1970To2001: Int64 = 978_307_200_000

    public static func unixSeconds(_ date: Date) -> Double { date.timeIntervalSince1970 }

    /// Half a millisecond: stored times are whole milliseconds, so a comparison of a time
    /// read back with the stored one allows for the last bits of the conversion.
    public static let tolerance = 0.000_5

    /// The same stored millisecond: a time read back from a store and the one decoded from
    /// the file can differ in their last bits.
    public static func same(_ one: Date, _ other: Date) -> Bool {
        abs(one.timeIntervalSince(other)) < tolerance
    }

    /// The `Date` a snapshot file's timestamp of that millisecond decodes to.
    public static func date(unixSeconds: Double) -> Date {
        let milliseconds = Int64((unixSeconds * 1_000).rounded())
        return Date(timeIntervalSinceReferenceDate: Double(milliseconds - millisecondsFrom1970To2001) / 1_000)
    }

    /// A time as the snapshot file written from it holds it: what collect's in-memory
    /// snapshot (full precision) becomes once written.
    public static func asWritten(_ date: Date) -> Date {
        SnapshotCoding.parseTimestamp(SnapshotCoding.formatTimestamp(date)) ?? date
    }
}
