import Foundation

/// Numbers as people read them, shared by rules (in reasons) and renderers.
public enum Formatting {
    /// `1.5 GB`, `320 MB`, `12 kB`, `512 bytes`, `10,000 GB` (1024-based, as `pg_size_pretty`).
    public static func bytes(_ value: Int) -> String { bytes(Double(value)) }

    public static func bytes(_ value: Double) -> String {
        guard value.isFinite else { return nonFinite(value) }
        // Stops at GB: thresholds are written in GB, so "10,000 GB" reads against the config.
        let units = ["bytes", "kB", "MB", "GB"]
        var scaled = value
        var index = 0
        while abs(scaled) >= 1024, index < units.count - 1 {
            scaled /= 1024
            index += 1
        }
        if index == 0 { return "\(Int(saturating: scaled.rounded())) bytes" }
        return "\(number(scaled)) \(units[index])"
    }

    /// Up to one decimal below 100, whole numbers above, thousands separated by commas.
    public static func number(_ value: Double) -> String {
        guard value.isFinite else { return nonFinite(value) }
        // Past a quadrillion digits stop being read: 1.2e+19, and no Int conversion to trap.
        if abs(value) >= 1e15 { return String(format: "%.1e", value) }
        if abs(value) >= 100 { return grouped(Int(saturating: value.rounded())) }
        let tenths = (value * 10).rounded() / 10
        if tenths == tenths.rounded() { return grouped(Int(saturating: tenths)) }
        return String(format: "%.1f", tenths)
    }

    /// Like ``number(_:)`` but keeps two decimals for small rates and ratios.
    public static func rate(_ value: Double) -> String {
        if abs(value) < 10, value != value.rounded() { return String(format: "%.2f", value) }
        return number(value)
    }

    /// `0.934` → `93.4%`.
    public static func percent(_ ratio: Double) -> String {
        let value = (ratio * 1000).rounded() / 10
        guard abs(value) < 1e15 else { return number(value) + "%" }
        return value == value.rounded() ? "\(Int(saturating: value))%" : String(format: "%.1f%%", value)
    }

    public static func grouped(_ value: Int) -> String {
        // magnitude, not abs: abs(Int.min) traps
        let digits = String(value.magnitude)
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return value < 0 ? "-" + out : out
    }

    /// A span of days as people say it: `47 days`, `1.5 days`, `6 hours`, `12 minutes`, `40 seconds`.
    public static func days(_ value: Double) -> String {
        if value >= 1.5 { return "\(number(value)) days" }
        if value * 24 >= 1.5 { return "\(number(value * 24)) hours" }
        if value * 1_440 >= 1.5 { return "\(number(value * 1_440)) minutes" }
        return "\(number(value * 86_400)) seconds"
    }

    /// `∞`, `-∞`, or `not a number`: validated input never holds these, but a derived value
    /// (a growth over no time) may, and it is shown, never converted.
    static func nonFinite(_ value: Double) -> String {
        value.isNaN ? "not a number" : value > 0 ? "∞" : "-∞"
    }

    /// A measured value in a unit (`bytes` are shown as sizes). Every unit is listed, so a
    /// new ``EvidenceUnit`` does not compile until it says how it is shown.
    public static func measured(_ value: Double, unit: EvidenceUnit) -> String {
        switch unit {
        case .bytes: bytes(value)
        case .ratio: rate(value)
        case .bytesPerSecond: bytes(value) + "/s"
        case .bytesPerDay: bytes(value) + "/day"
        case .boolean, .times, .milliseconds, .seconds, .days, .sessions, .sessionsPerVCPU, .vcpus,
            .connections, .transactions, .rowsPerSecond, .callsPerSecond, .checkpoints, .runs, .iops, .rows,
            .scans, .rowsAndScans, .values, .columns, .tables, .partitions, .shards, .statements,
            .queries, .foreignKeys, .serverVersionNum:
            "\(rate(value)) \(unit.rawValue)"
        }
    }
}

extension Int {
    /// `value` rounded toward zero and clamped to Int's range, NaN as 0: for numbers derived
    /// from measurements, where `Int(_:)` would trap on an out-of-range value.
    public init(saturating value: Double) {
        if value.isNaN {
            self = 0
        } else if value >= 9.223_372_036_854_775_807e18 {
            self = .max
        } else if value <= -9.223_372_036_854_775_808e18 {
            self = .min
        } else {
            self = Int(value)
        }
    }
}
