import DBAdviseAnalysis
import DBAdviseModel
import DBAdviseOutput
import Foundation
import Testing

@Suite struct ConfigTests {
    static let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("samples/dbadvise.yml").path

    /// samples/dbadvise.yml documents every key with its default: the two must agree.
    @Test func sampleConfigPinsTheDefaults() throws {
        let config = try Config.load(path: Self.sample)
        #expect(config.hardware == Hardware())
        #expect(config.failOn == Config.defaultFailOn)
        #expect(config.measurement == MeasurementPolicy())
        #expect(config.history == HistoryPolicy())
        for key in ThresholdKey.allCases {
            let configured = try #require(
                config.thresholds[key], "samples/dbadvise.yml lacks thresholds.\(key.rawValue)")
            #expect(configured == key.defaultLevels(hardware: Hardware()), "default of \(key.rawValue) drifted")
        }
        let text = try String(contentsOfFile: Self.sample, encoding: .utf8)
        for key in Hardware.keys + Config.gateKeys + MeasurementPolicy.keys + HistoryPolicy.keys {
            #expect(text.contains("\(key):"), "samples/dbadvise.yml lacks \(key)")
        }
        for line in text.split(separator: "\n") where line.contains(":") && !line.hasPrefix("#") {
            #expect(
                line.contains("#")
                    || ["hardware:", "thresholds:", "gate:"].contains(line.trimmingCharacters(in: .whitespaces)),
                "every key is commented: \(line)")
        }
    }

    @Test func historyKeepsFilesForDays() throws {
        #expect(try Config.parse("history: {keep_snapshot_files_days: 14}").history.keepSnapshotFilesDays == 14)
        #expect(try Config.parse("history: {keep_snapshot_files_days: 0.5}").history.keepSnapshotFilesDays == 0.5)
        #expect(try Config.parse("history: {}").history.keepSnapshotFilesDays == nil)
    }

    @Test func emptyConfigIsAllDefaults() throws {
        #expect(try Config.parse("") == Config())
        #expect(try Config.parse("{}") == Config())
    }

    @Test func readsYAMLAndJSONAlike() throws {
        let yaml = try Config.parse(
            """
            hardware: {vcpus: 16, memory_gb: 64, storage_gb: 2000, max_vcpus: 128, max_memory_gb: 1024}
            thresholds:
              table_size_gb: {warning: 0.05, critical: 1}
              cache_hit_ratio: {warning: 0.98, critical: 0.9}
            gate: {fail_on: warning}
            """)
        let json = try Config.parse(
            """
            {"hardware": {"vcpus": 16, "memory_gb": 64, "storage_gb": 2000, "max_vcpus": 128, "max_memory_gb": 1024},
             "thresholds": {"table_size_gb": {"warning": 0.05, "critical": 1},
                            "cache_hit_ratio": {"warning": 0.98, "critical": 0.9}},
             "gate": {"fail_on": "warning"}}
            """)
        #expect(yaml == json)
        #expect(yaml.hardware == Hardware(vcpus: 16, memoryGB: 64, storageGB: 2000, maxVCPUs: 128, maxMemoryGB: 1024))
        #expect(yaml.failOn == .warning)
        #expect(yaml.levels(.tableSizeGB).measuredWarning == 0.05 * 1_073_741_824)
        #expect(yaml.levels(.cacheHitRatio) == ThresholdLevels(key: .cacheHitRatio, warning: 0.98, critical: 0.9))
    }

    @Test func tableSizeDefaultFollowsMemory() throws {
        #expect(try Config.parse("hardware: {memory_gb: 64}").levels(.tableSizeGB).warning == 64)
        #expect(Config().levels(.tableSizeGB).warning == 100)
        // A partial key keeps the other level's default.
        let partial = try Config.parse("thresholds: {writes_per_second: {warning: 100}}")
        #expect(
            partial.levels(.writesPerSecond) == ThresholdLevels(key: .writesPerSecond, warning: 100, critical: 20000))
    }

    struct Invalid: Sendable, CustomTestStringConvertible {
        let yaml: String
        let path: String
        let message: String
        var testDescription: String { path }
    }

    static let invalid: [Invalid] = [
        Invalid(
            yaml: "hardwre: {vcpus: 4}", path: "hardwre",
            message: "unknown key; expected one of: hardware, thresholds, gate"),
        Invalid(yaml: "hardware: {vcpu: 4}", path: "hardware.vcpu", message: "unknown key"),
        Invalid(yaml: "hardware: {vcpus: 1.5}", path: "hardware.vcpus", message: "expected a whole number, got 1.5"),
        Invalid(yaml: "hardware: {vcpus: 0}", path: "hardware.vcpus", message: "expected a number above 0, got 0"),
        Invalid(
            yaml: "hardware: {memory_gb: \"64\"}", path: "hardware.memory_gb", message: "expected a number, got \"64\""),
        Invalid(
            yaml: "hardware: {vcpus: 32, max_vcpus: 16}", path: "hardware.max_vcpus", message: "below hardware.vcpus 32"
        ),
        Invalid(yaml: "hardware: [1, 2]", path: "hardware", message: "expected a mapping, got a list"),
        Invalid(yaml: "thresholds: {table_size: {warning: 1}}", path: "thresholds.table_size", message: "unknown key"),
        Invalid(
            yaml: "thresholds: {table_size_gb: {warning: abc}}", path: "thresholds.table_size_gb.warning",
            message: "expected a number, got \"abc\""),
        Invalid(
            yaml: "thresholds: {table_size_gb: {warn: 1}}", path: "thresholds.table_size_gb.warn",
            message: "unknown key; expected one of: warning, critical"),
        Invalid(
            yaml: "thresholds: {table_size_gb: 100}", path: "thresholds.table_size_gb",
            message: "expected a mapping, got 100"),
        Invalid(
            yaml: "thresholds: {table_size_gb: {warning: 500, critical: 100}}", path: "thresholds.table_size_gb",
            message: "warning must be at or below critical; got warning 500, critical 100"),
        Invalid(
            yaml: "thresholds: {cache_hit_ratio: {warning: 0.9, critical: 0.95}}", path: "thresholds.cache_hit_ratio",
            message: "warning must be at or above critical (lower is worse)"),
        Invalid(
            yaml: "thresholds: {writes_per_second: {warning: 30000}}", path: "thresholds.writes_per_second",
            message: "(the other level is the default)"),
        Invalid(
            yaml: "thresholds: {cache_hit_ratio: {warning: 1.5}}", path: "thresholds.cache_hit_ratio.warning",
            message: "expected a number between 0 and 1, got 1.5"),
        Invalid(
            yaml: "thresholds: {writes_per_second: {critical: -1}}", path: "thresholds.writes_per_second.critical",
            message: "expected a number zero or more, got -1"),
        Invalid(
            yaml: "gate: {fail_on: sometimes}", path: "gate.fail_on",
            message: "expected one of never, warning, critical, got \"sometimes\""),
        Invalid(yaml: "gate: {fail_on: warning, strict: true}", path: "gate.strict", message: "unknown key"),
        Invalid(
            yaml: "history: {keep_snapshot_files_days: 0}", path: "history.keep_snapshot_files_days",
            message: "expected a number above 0, got 0"),
        Invalid(yaml: "history: {keep_files: 3}", path: "history.keep_files", message: "unknown key"),
        Invalid(yaml: "- 1\n- 2", path: "(top level)", message: "expected a mapping, got a list"),
    ]

    @Test(arguments: invalid)
    func invalidKeysNameTheirPath(_ example: Invalid) throws {
        do {
            _ = try Config.parse(example.yaml, file: "dbadvise.yml")
            Issue.record("accepted: \(example.yaml)")
        } catch {
            #expect(error.keyPath == example.path)
            #expect(error.description.hasPrefix("dbadvise.yml:1: \(example.path): "), "\(error.description)")
            #expect(error.description.contains(example.message), "\(error.description)")
        }
    }

    @Test func theBriefsExampleMessage() {
        #expect(
            throws: ConfigError.invalid(
                file: nil, line: 2, keyPath: "thresholds.table_size_gb.warning",
                problem: "expected a number, got \"abc\"")
        ) {
            try Config.parse("thresholds:\n  table_size_gb: {warning: abc}")
        }
        let error = ConfigError.invalid(
            file: nil, line: nil, keyPath: "thresholds.table_size_gb.warning",
            problem: "expected a number, got \"abc\"")
        #expect(error.description == "config: thresholds.table_size_gb.warning: expected a number, got \"abc\"")
    }

    @Test func syntaxErrorsNameTheLine() {
        do {
            _ = try Config.parse("hardware:\n  vcpus: [1, 2\n", file: "x.yml")
            Issue.record("accepted broken YAML")
        } catch {
            #expect(error.keyPath == nil)
            #expect(error.description.hasPrefix("cannot read config x.yml: line "), "\(error.description)")
            #expect(!error.description.contains("\n"))
        }
    }

    @Test func unreadableFile() {
        #expect(throws: ConfigError.unreadable(file: "/nonexistent/dbadvise.yml", reason: "no such file")) {
            try Config.load(path: "/nonexistent/dbadvise.yml")
        }
    }
}

@Suite struct ThresholdTests {
    @Test func severityFollowsDirection() {
        let size = ThresholdLevels(key: .tableSizeGB, warning: 100, critical: 1000)
        let gigabyte = 1_073_741_824.0
        #expect(size.severity(of: 99 * gigabyte) == nil)
        #expect(size.severity(of: 100 * gigabyte) == .warning)
        #expect(size.severity(of: 1000 * gigabyte) == .critical)
        let cache = ThresholdLevels(key: .cacheHitRatio, warning: 0.99, critical: 0.95)
        #expect(cache.severity(of: 0.995) == nil)
        #expect(cache.severity(of: 0.97) == .warning)
        #expect(cache.severity(of: 0.95) == .critical)
        #expect(cache.isOrdered)
        #expect(!ThresholdLevels(key: .cacheHitRatio, warning: 0.9, critical: 0.95).isOrdered)
    }

    @Test func everyKeyIsDocumentedAndOrdered() {
        for key in ThresholdKey.allCases {
            #expect(!key.summary.isEmpty)
            #expect(key.defaultLevels(hardware: Hardware()).isOrdered, "\(key.rawValue)")
            #expect(key.defaultLevels(hardware: Hardware(memoryGB: 8)).isOrdered, "\(key.rawValue)")
        }
        #expect(ThresholdKey.cacheHitRatio.direction == .lowerIsWorse)
    }

    @Test func failOnAndSeverityOrder() {
        #expect(Severity.info < .warning && Severity.warning < .critical)
        #expect(!FailOn.never.fails(on: .critical))
        #expect(FailOn.warning.fails(on: .warning))
        #expect(!FailOn.critical.fails(on: .warning))
        #expect(FailOn.critical.fails(on: .critical))
        #expect(
            Strategy.allCases.map(\.rawValue) == [
                "vertical", "read-replicas", "partitioning", "sharding", "cqrs", "cache", "tuning",
            ])
    }
}
