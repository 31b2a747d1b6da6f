import Foundation
import Yams

extension Config {
    /// The config ``ConfigDiscovery`` found, or the defaults; the result remembers its origin.
    public static func load(_ origin: ConfigOrigin) throws(ConfigError) -> Config {
        guard let path = origin.path else { return Config(origin: origin) }
        var config = try load(path: path)
        config.origin = origin
        return config
    }

    /// Every `ignore:` entry names a rule id or a threshold key (the rules live above this
    /// module, so the caller passes their ids); anything else is a mistake worth exit 2.
    public func checkIgnoredRules(known ruleIDs: [String]) throws(ConfigError) {
        let thresholdKeys = ThresholdKey.allCases.map(\.rawValue)
        for (index, entry) in ignore.enumerated()
        where !ruleIDs.contains(entry.rule) && !thresholdKeys.contains(entry.rule) {
            throw .invalid(
                file: origin.path, line: entry.line, keyPath: "ignore[\(index)].rule",
                problem: "unknown rule id \"\(entry.rule)\"; expected a rule id from 'dbadvise rules' "
                    + "or a threshold key")
        }
    }

    /// Reads and validates a YAML or JSON config file.
    public static func load(path: String) throws(ConfigError) -> Config {
        let data: Data
        do {
            data = try InputFile.read(path)
        } catch {
            throw .unreadable(file: path, reason: error.reason)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .unreadable(file: path, reason: "not UTF-8 text")
        }
        return try parse(text, file: path)
    }

    /// Parses and validates config text (YAML, or JSON, which YAML reads too). `file` only
    /// names the source in errors.
    public static func parse(_ text: String, file: String? = nil) throws(ConfigError) -> Config {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw syntaxError(error, file: file)
        } catch {
            throw .syntax(file: file, line: nil, column: nil, problem: "\(error)")
        }
        guard let root, root.tagName != .null else { return Config() }
        var reader = ConfigReader(file: file)
        return try reader.config(from: root)
    }

    private static func syntaxError(_ error: YamlError, file: String?) -> ConfigError {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
            let .composer(context, problem, mark, _):
            let detail = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }
            return .syntax(
                file: file, line: mark.line, column: mark.column,
                problem: detail.joined(separator: " "))
        case let .duplicatedKeysInMapping(duplicates, context):
            return .syntax(
                file: file, line: context.mark.line, column: context.mark.column,
                problem: "duplicated key \(duplicates.sorted().joined(separator: ", "))")
        default:
            let firstLine = "\(error)".split(separator: "\n").first.map(String.init)
            return .syntax(file: file, line: nil, column: nil, problem: firstLine ?? "\(error)")
        }
    }
}

/// Walks the composed YAML tree, checking every key and value against what the contract allows.
private struct ConfigReader {
    let file: String?

    mutating func config(from root: Node) throws(ConfigError) -> Config {
        let top = try mapping(root, path: "")
        var config = Config()
        if let node = top["hardware"] { config.hardware = try hardware(node) }
        if let node = top["thresholds"] {
            config.thresholds = try thresholds(node, hardware: config.hardware)
        }
        if let node = top["measurement"] { config.measurement = try measurement(node) }
        if let node = top["history"] {
            let map = try mapping(node, path: "history", allowed: HistoryPolicy.keys)
            if let node = map["keep_snapshot_files_days"] {
                config.history.keepSnapshotFilesDays = try positiveNumber(
                    node, path: "history.keep_snapshot_files_days")
            }
        }
        if let node = top["gate"] {
            let gate = try mapping(node, path: "gate", allowed: Config.gateKeys)
            if let value = gate["fail_on"] {
                config.failOn = try choice(value, path: "gate.fail_on", FailOn.self)
            }
        }
        if let node = top["ignore"] { config.ignore = try ignoreEntries(node) }
        return config
    }

    /// `ignore:`: a list of `{rule, target, reason, until}`; rule and reason required.
    private func ignoreEntries(_ node: Node) throws(ConfigError) -> [IgnoreEntry] {
        if node.tagName == .null { return [] }
        guard case let .sequence(sequence) = node else {
            throw invalid(node, "ignore", "expected a list of {rule, target, reason, until}, got \(describe(node))")
        }
        var entries: [IgnoreEntry] = []
        for (index, item) in sequence.enumerated() {
            let path = "ignore[\(index)]"
            let map = try mapping(item, path: path, allowed: IgnoreEntry.keys)
            guard let rule = try text(map["rule"], path: "\(path).rule") else {
                throw invalid(item, "\(path).rule", "required: the rule id (dbadvise rules) or threshold key to accept")
            }
            guard let reason = try text(map["reason"], path: "\(path).reason") else {
                throw invalid(item, "\(path).reason", "required: say why the finding is accepted")
            }
            let target = try text(map["target"], path: "\(path).target")
            let until = try text(map["until"], path: "\(path).until")
            if let until, IgnoreEntry.day(until) == nil {
                throw invalid(map["until"], "\(path).until", "expected a date YYYY-MM-DD, got \"\(until)\"")
            }
            entries.append(
                IgnoreEntry(rule: rule, target: target, reason: reason, until: until, line: item.mark?.line))
        }
        return entries
    }

    /// Non-empty text (a YAML date such as `until: 2027-06-30` is read as written); nil when
    /// the key is absent or null.
    private func text(_ node: Node?, path: String) throws(ConfigError) -> String? {
        guard let node, node.tagName != .null else { return nil }
        guard case let .scalar(scalar) = node, node.tagName != .bool,
            !scalar.string.trimmingCharacters(in: .whitespaces).isEmpty
        else {
            throw invalid(node, path, "expected text, got \(describe(node))")
        }
        return scalar.string
    }

    private func hardware(_ node: Node) throws(ConfigError) -> Hardware {
        let map = try mapping(node, path: "hardware", allowed: Hardware.keys)
        var hardware = Hardware()
        if let node = map["instance"], node.tagName != .null {
            guard case let .scalar(scalar) = node, node.tagName == .str,
                InstanceCatalog.lookup(scalar.string) != nil
            else {
                throw invalid(
                    node, "hardware.instance",
                    "unknown instance class \(describe(node)); expected e.g. aws:db.r6g.4xlarge, "
                        + "gcp:db-custom-16-65536 or azure:Standard_E16ds_v5 (or set vcpus and memory_gb)")
            }
            hardware.instance = scalar.string
        }
        if let node = map["vcpus"] { hardware.vcpus = try positiveInteger(node, path: "hardware.vcpus") }
        if let node = map["memory_gb"] {
            hardware.memoryGB = try positiveNumber(node, path: "hardware.memory_gb")
        }
        if let node = map["storage_gb"] {
            hardware.storageGB = try positiveNumber(node, path: "hardware.storage_gb")
        }
        if let node = map["max_vcpus"] {
            hardware.maxVCPUs = try positiveInteger(node, path: "hardware.max_vcpus")
        }
        if let node = map["max_memory_gb"] {
            hardware.maxMemoryGB = try positiveNumber(node, path: "hardware.max_memory_gb")
        }
        if let node = map["max_storage_gb"] {
            hardware.maxStorageGB = try positiveNumber(node, path: "hardware.max_storage_gb")
        }
        if let node = map["max_iops"] {
            hardware.maxIOPS = try positiveNumber(node, path: "hardware.max_iops")
        }
        if let vcpus = hardware.vcpus, let max = hardware.maxVCPUs, max < vcpus {
            throw invalid(
                map.node("max_vcpus"), "hardware.max_vcpus",
                "\(max) is below hardware.vcpus \(vcpus); the ceiling cannot be smaller than the "
                    + "machine")
        }
        if let memory = hardware.memoryGB, let max = hardware.maxMemoryGB, max < memory {
            throw invalid(
                map.node("max_memory_gb"), "hardware.max_memory_gb",
                "\(format(max)) is below hardware.memory_gb \(format(memory)); the ceiling cannot "
                    + "be smaller than the machine")
        }
        return hardware
    }

    private func measurement(_ node: Node) throws(ConfigError) -> MeasurementPolicy {
        let map = try mapping(node, path: "measurement", allowed: MeasurementPolicy.keys)
        var policy = MeasurementPolicy()
        if let node = map["settled_since_reset_minutes"],
            let value = try positiveNumber(node, path: "measurement.settled_since_reset_minutes")
        {
            policy.settledSinceResetMinutes = value
        }
        if let node = map["settled_interval_seconds"],
            let value = try positiveNumber(node, path: "measurement.settled_interval_seconds")
        {
            policy.settledIntervalSeconds = value
        }
        if let node = map["sustained_snapshots"],
            let value = try positiveInteger(node, path: "measurement.sustained_snapshots")
        {
            guard value >= 2 else {
                throw invalid(node, "measurement.sustained_snapshots", "expected 2 or more: a trend needs two points")
            }
            policy.sustainedSnapshots = value
        }
        if let node = map["sustained_hours"],
            let value = try positiveNumber(node, path: "measurement.sustained_hours")
        {
            policy.sustainedHours = value
        }
        return policy
    }

    private func thresholds(_ node: Node, hardware: Hardware) throws(ConfigError)
        -> [ThresholdKey: ThresholdLevels]
    {
        let map = try mapping(
            node, path: "thresholds", allowed: ThresholdKey.allCases.map(\.rawValue))
        var result: [ThresholdKey: ThresholdLevels] = [:]
        for key in ThresholdKey.allCases {
            guard let levelsNode = map[key.rawValue] else { continue }
            let path = "thresholds.\(key.rawValue)"
            let levelsMap = try mapping(levelsNode, path: path, allowed: ["warning", "critical"])
            var levels = key.defaultLevels(hardware: hardware)
            for level in ["warning", "critical"] {
                guard let valueNode = levelsMap[level] else { continue }
                let levelPath = "\(path).\(level)"
                guard let value = try number(valueNode, path: levelPath) else {
                    throw invalid(valueNode, levelPath, "expected a number, got null")
                }
                guard key.validRange.contains(value) else {
                    let range =
                        key.unit == .ratio ? "between 0 and 1" : "zero or more"
                    throw invalid(
                        valueNode, levelPath, "expected a number \(range), got \(format(value))")
                }
                if level == "warning" { levels.warning = value } else { levels.critical = value }
            }
            guard levels.isOrdered else {
                let order =
                    key.direction == .lowerIsWorse
                    ? "warning must be at or above critical (lower is worse)"
                    : "warning must be at or below critical"
                let given = levelsMap["warning"] == nil || levelsMap["critical"] == nil
                let defaults = given ? " (the other level is the default)" : ""
                throw invalid(
                    levelsNode, path,
                    "\(order); got warning \(format(levels.warning)), critical "
                        + "\(format(levels.critical))\(defaults)")
            }
            result[key] = levels
        }
        return result
    }

    // MARK: - Typed values

    private func mapping(_ node: Node, path: String, allowed: [String]? = nil)
        throws(ConfigError) -> KeyedNodes
    {
        guard case let .mapping(mapping) = node else {
            throw invalid(node, path.isEmpty ? "(top level)" : path, "expected a mapping, got \(describe(node))")
        }
        var keyed = KeyedNodes()
        for (keyNode, value) in mapping {
            guard case let .scalar(scalar) = keyNode else {
                throw invalid(keyNode, path, "expected text keys, got \(describe(keyNode))")
            }
            let key = scalar.string
            let keyPath = path.isEmpty ? key : "\(path).\(key)"
            if let allowed, !allowed.contains(key) {
                throw invalid(
                    keyNode, keyPath,
                    "unknown key; expected one of: \(allowed.joined(separator: ", "))")
            }
            if path.isEmpty, !Config.topLevelKeys.contains(key) {
                throw invalid(
                    keyNode, keyPath,
                    "unknown key; expected one of: \(Config.topLevelKeys.joined(separator: ", "))")
            }
            keyed.entries.append((key, value))
        }
        return keyed
    }

    /// A number, or nil for an explicit null (`memory_gb:` left empty means unknown).
    private func number(_ node: Node, path: String) throws(ConfigError) -> Double? {
        let tag = node.tagName
        if tag == .null { return nil }
        guard tag == .int || tag == .float, let value = node.float, value.isFinite else {
            throw invalid(node, path, "expected a number, got \(describe(node))")
        }
        // Sizes in GB become bytes and counts become Ints downstream: bounded like a snapshot's.
        guard abs(value) <= NumberRange.largestCount else {
            throw invalid(node, path, "\(describe(node)) is out of range (at most 2^53)")
        }
        return value
    }

    private func positiveNumber(_ node: Node, path: String) throws(ConfigError) -> Double? {
        guard let value = try number(node, path: path) else { return nil }
        guard value > 0 else {
            throw invalid(node, path, "expected a number above 0, got \(format(value))")
        }
        return value
    }

    private func positiveInteger(_ node: Node, path: String) throws(ConfigError) -> Int? {
        if node.tagName == .null { return nil }
        guard node.tagName == .int, let value = node.int else {
            throw invalid(node, path, "expected a whole number, got \(describe(node))")
        }
        guard value > 0 else { throw invalid(node, path, "expected a number above 0, got \(value)") }
        guard Double(value) <= NumberRange.largestCount else {
            throw invalid(node, path, "\(value) is out of range (at most 2^53)")
        }
        return value
    }

    private func choice<Choice: RawRepresentable & CaseIterable>(
        _ node: Node, path: String, _ type: Choice.Type
    ) throws(ConfigError) -> Choice where Choice.RawValue == String {
        let names = Choice.allCases.map(\.rawValue).joined(separator: ", ")
        guard case let .scalar(scalar) = node, let value = Choice(rawValue: scalar.string) else {
            throw invalid(node, path, "expected one of \(names), got \(describe(node))")
        }
        return value
    }

    private func describe(_ node: Node) -> String {
        switch node {
        case let .scalar(scalar):
            switch node.tagName {
            case .null: "null"
            case .int, .float, .bool: scalar.string
            default: "\"\(scalar.string)\""
            }
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    private func invalid(_ node: Node?, _ path: String, _ problem: String) -> ConfigError {
        .invalid(file: file, line: node?.mark?.line, keyPath: path, problem: problem)
    }

    private func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(saturating: value)) : String(value)
    }
}

/// A mapping's entries by text key, keeping the nodes for their line numbers.
private struct KeyedNodes {
    var entries: [(String, Node)] = []
    subscript(key: String) -> Node? { entries.first { $0.0 == key }?.1 }
    func node(_ key: String) -> Node? { self[key] }
}

extension Node {
    /// The resolved tag's name (`Tag.name` itself is internal to Yams).
    fileprivate var tagName: Tag.Name { Tag.Name(rawValue: tag.rawValue) }
}
