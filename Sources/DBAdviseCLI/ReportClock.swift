import Foundation

/// The time a report says it was made (`generated_at`, JUnit's `timestamp`, a baseline's
/// `created_at`): now, or `SOURCE_DATE_EPOCH` when it is set, the reproducible-builds
/// convention (https://reproducible-builds.org/specs/source-date-epoch/). Everything else a
/// report says is judged at its snapshots' own time, so with the variable set the same
/// snapshots and config give the same bytes on any day: `make samples` sets it, and the test
/// that pins samples/ depends on it.
enum ReportClock {
    static let environmentKey = "SOURCE_DATE_EPOCH"

    static func now(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(CommandError) -> Date {
        guard let value = environment[environmentKey], !value.isEmpty else { return Date() }
        // the spec: a decimal count of whole seconds since 1970-01-01 UTC; anything else is an error
        guard value.allSatisfy(\.isASCIIDigit), let seconds = Int64(value) else {
            throw .usage(
                "\(environmentKey) is \"\(value)\", not a whole number of seconds since 1970-01-01 UTC",
                fix: "unset \(environmentKey), or set it to such a number (date +%s)")
        }
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
