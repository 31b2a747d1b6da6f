import Foundation

/// One `ignore:` entry: a finding the team has accepted. It keeps the finding out of the
/// recommendations and the gate (the report lists it as suppressed, with the reason) until the
/// end of its `until` day; after that it is a warning in the report and suppresses nothing.
public struct IgnoreEntry: Sendable, Equatable {
    /// A rule id (`dbadvise rules`) or a threshold key (`table_size_gb`).
    public var rule: String
    /// `schema.table` or the database name, as the report names targets; nil for every target.
    public var target: String?
    /// Why the finding is accepted: required, so the next reader knows.
    public var reason: String
    /// The last day (UTC, `YYYY-MM-DD`) the entry suppresses; nil for no end.
    public var until: String?
    /// The entry's line in the config file, for error messages.
    public var line: Int?

    public init(rule: String, target: String? = nil, reason: String, until: String? = nil, line: Int? = nil) {
        self.rule = rule
        self.target = target
        self.reason = reason
        self.until = until
        self.line = line
    }

    /// The keys an entry accepts.
    public static let keys = ["rule", "target", "reason", "until"]

    /// The first instant the entry no longer suppresses: midnight UTC after its `until` day.
    public var expiresAt: Date? {
        guard let until, let day = Self.day(until) else { return nil }
        return day.addingTimeInterval(86_400)
    }

    /// Whether the entry still suppresses at `asOf` (the report's latest snapshot time, so an
    /// old snapshot is judged by the entries as they stood then, and tests need no clock).
    public func isActive(asOf: Date) -> Bool {
        guard let expiresAt else { return true }
        return asOf < expiresAt
    }

    /// Midnight UTC of a `YYYY-MM-DD` day, nil for anything else (2027-02-30 included).
    public static func day(_ text: String) -> Date? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let dayOfMonth = Int(parts[2])
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let components = DateComponents(year: year, month: month, day: dayOfMonth)
        guard components.isValidDate(in: calendar), let date = calendar.date(from: components) else { return nil }
        return date
    }

    /// "cache-hot-repeated-reads on public.countries" or "table_size_gb (every target)".
    public var subject: String { "\(rule) \(target.map { "on \($0)" } ?? "(every target)")" }
}

/// Which config a run used and how it was found (`--config`, `$DBADVISE_CONFIG`,
/// `./dbadvise.yml`, `$XDG_CONFIG_HOME/dbadvise/config.yml`), or that none was: reports name it.
public struct ConfigOrigin: Codable, Sendable, Equatable {
    public enum Source: String, Codable, Sendable, CaseIterable {
        case option
        case environment
        case workingDirectory = "working_directory"
        case userConfig = "user_config"
        case defaults
    }

    public var source: Source
    /// The file read; nil for the defaults.
    public var path: String?

    public init(source: Source, path: String?) {
        self.source = source
        self.path = path
    }

    public static let defaults = ConfigOrigin(source: .defaults, path: nil)

    /// "dbadvise.yml (found in the working directory)", or "defaults (no config file found)"
    /// (none of --config, $DBADVISE_CONFIG, ./dbadvise.yml, the user's config).
    public var description: String {
        guard let path else { return "defaults (no config file found)" }
        switch source {
        case .option: return "\(path) (--config)"
        case .environment: return "\(path) ($DBADVISE_CONFIG)"
        case .workingDirectory: return "\(path) (found in the working directory)"
        case .userConfig: return "\(path) (the user's config)"
        case .defaults: return path
        }
    }

    private enum CodingKeys: String, CodingKey { case source, path }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(source, forKey: .source)
        try container.encode(path, forKey: .path)
    }
}

/// Where the config comes from, in the contract's order: `--config`, else `$DBADVISE_CONFIG`,
/// else `./dbadvise.yml`, else `$XDG_CONFIG_HOME/dbadvise/config.yml` (`~/.config` when
/// XDG_CONFIG_HOME is unset or empty), else the defaults. A path the user named (the option or
/// the variable) is used even when missing, so the error says so; the two looked-for files
/// are used only when they exist.
public enum ConfigDiscovery {
    public static let workingDirectoryFile = "dbadvise.yml"
    public static let userConfigFile = "dbadvise/config.yml"

    public static func locate(
        option: String?, environment: [String: String],
        fileExists: (String) -> Bool = { FileManager.default.fileExists(atPath: $0) }
    ) -> ConfigOrigin {
        if let option { return ConfigOrigin(source: .option, path: option) }
        if let path = environment["DBADVISE_CONFIG"], !path.isEmpty {
            return ConfigOrigin(source: .environment, path: path)
        }
        if fileExists(workingDirectoryFile) {
            return ConfigOrigin(source: .workingDirectory, path: workingDirectoryFile)
        }
        let configHome: String?
        if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty {
            configHome = xdg
        } else if let home = environment["HOME"], !home.isEmpty {
            configHome = home + "/.config"
        } else {
            configHome = nil
        }
        if let configHome {
            let path = configHome + "/" + userConfigFile
            if fileExists(path) { return ConfigOrigin(source: .userConfig, path: path) }
        }
        return .defaults
    }
}
