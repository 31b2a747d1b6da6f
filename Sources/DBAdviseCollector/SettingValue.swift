import DBAdviseModel

/// Turns a pg_settings row into bytes or seconds, using its `unit` column the way the server
/// does (`shared_buffers` = 16384 with unit `8kB` is 128 MB).
enum SettingValue {
    static func make(name: String, setting: String, unit: String?) -> Setting {
        var bytes: Int? = nil
        var seconds: Double? = nil
        if let unit, let number = Double(setting), number >= 0 {
            if let unitBytes = bytesPerUnit(unit) {
                bytes = Int(number * Double(unitBytes))
            } else if let unitSeconds = secondsPerUnit(unit) {
                seconds = number * unitSeconds
            }
        }
        return Setting(name: name, setting: setting, unit: unit, bytes: bytes, seconds: seconds)
    }

    /// Memory units as pg_settings reports them: B, kB, MB, GB, TB with an optional multiplier
    /// (`8kB` for pages, `16MB` for WAL segments).
    static func bytesPerUnit(_ unit: String) -> Int? {
        let digits = unit.prefix { $0.isNumber }
        let multiplier = digits.isEmpty ? 1 : Int(digits) ?? 1
        let scale: Int
        switch unit.dropFirst(digits.count) {
        case "B": scale = 1
        case "kB": scale = 1024
        case "MB": scale = 1024 * 1024
        case "GB": scale = 1024 * 1024 * 1024
        case "TB": scale = 1024 * 1024 * 1024 * 1024
        default: return nil
        }
        return multiplier * scale
    }

    static func secondsPerUnit(_ unit: String) -> Double? {
        switch unit {
        case "us": 0.000_001
        case "ms": 0.001
        case "s": 1
        case "min": 60
        case "h": 3600
        case "d": 86400
        default: nil
        }
    }
}
