import Foundation

/// The unit of a measured number in evidence, a rule parameter or a forecast. The raw values
/// are what reports have always carried in `unit` (the contract's JSON), so they never change;
/// ``Formatting/measured(_:unit:)`` switches over every case, so a new unit has to say how it
/// is shown before anything can report in it.
public enum EvidenceUnit: String, Codable, Sendable, CaseIterable, CustomStringConvertible {
    // Sizes and rates of bytes, shown as sizes.
    case bytes
    case bytesPerSecond = "bytes/s"
    case bytesPerDay = "bytes/day"
    // Shares and flags.
    case ratio
    /// 1 for yes, 0 for no.
    case boolean
    /// A multiple: the largest partition against the median one.
    case times = "×"
    // Time.
    case milliseconds = "ms"
    case seconds
    case days
    // Load.
    case sessions
    case sessionsPerVCPU = "sessions/vCPU"
    case vcpus = "vCPUs"
    case connections
    case transactions
    case rowsPerSecond = "rows/s"
    case callsPerSecond = "calls/s"
    case checkpoints
    case runs
    /// Blocks read per second against the storage's IOPS (the capacity model's IO).
    case iops = "IOPS"
    // Counts of things.
    case rows
    case scans
    /// Rows written against scans of a table (a write-to-read proportion).
    case rowsAndScans = "rows and scans"
    case values
    case columns
    case tables
    case partitions
    case shards
    case statements
    case queries
    case foreignKeys = "foreign keys"
    /// The server's version as `server_version_num` spells it (150018).
    case serverVersionNum = "server_version_num"

    /// The raw value, so that `"\(unit)"` reads as the report's JSON does.
    public var description: String { rawValue }

    /// A unit from a file this dbadvise does not know (a newer dbadvise's report) is a clear
    /// decoding error naming it, never a crash and never a silent guess.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let unit = EvidenceUnit(rawValue: text) else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "unknown unit \"\(text)\": this dbadvise knows "
                    + Self.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
                    + "; read the file with the dbadvise that wrote it")
        }
        self = unit
    }
}
