import DBAdviseAnalysis
import DBAdviseModel
import DBAdviseOutput
import DBAdviseRules
import Foundation
import Testing

let fixedDate = Date(timeIntervalSince1970: 1_795_000_100)

func report(failOn: FailOn? = nil, _ edit: RuleExample.Edit = { _, _ in }) throws -> Report {
    var snapshot = try BaseFixture.snapshot()
    var config = BaseFixture.config
    edit(&snapshot, &config)
    return try RuleRegistry.analyzer.report(
        snapshots: [snapshot], config: config, failOn: failOn, sourceType: .snapshot, generatedAt: fixedDate)
}

/// The "done when" scenarios, over the whole registry.
@Suite struct AnalyzerTests {
    @Test func idleDatabaseStaysOnOneBox() throws {
        let report = try report { snapshot, _ in
            snapshot.rates.writesPerSecond = 0.2
            snapshot.rates.readsPerSecond = 30
            snapshot.activity?.avgActiveSessions = 0.05
        }
        #expect(report.growthShape == .idle)
        #expect(report.staysOnOneBox)
        #expect(report.recommendations.filter(\.strategy.isScalingStep).isEmpty)
        #expect(report.summary.hasPrefix("Stay on one box"))
        #expect(report.summary.contains("0.20 writes/s"))
        #expect(Set(report.notRecommended.map(\.strategy)) == Set(Strategy.allCases))
        let partitioning = try #require(report.notRecommended.first { $0.strategy == .partitioning })
        #expect(partitioning.reason.contains("largest table public.pgbench_accounts"))
        #expect(partitioning.reason.contains("< 64 GB table_size_gb warning"))
    }

    @Test func everyStrategyIsEitherRecommendedOrExplained() throws {
        for example in ruleExamples {
            let report = try report(example.edit)
            let recommended = Set(report.recommendations.map(\.strategy))
            let explained = report.notRecommended.map(\.strategy)
            #expect(recommended.isDisjoint(with: explained), sourceLocation: example.location)
            #expect(recommended.union(explained) == Set(Strategy.allCases), sourceLocation: example.location)
            #expect(Set(explained).count == explained.count, sourceLocation: example.location)
            for entry in report.notRecommended {
                #expect(!entry.reason.isEmpty, sourceLocation: example.location)
            }
            let positions = report.recommendations.map(\.strategy.ladderPosition)
            #expect(positions == positions.sorted(), "ladder order", sourceLocation: example.location)
        }
    }

    @Test func writeHeavyLoadNeverGetsReplicasFirst() throws {
        let report = try report { snapshot, _ in
            snapshot.rates.writesPerSecond = 6_000
            snapshot.rates.readsPerSecond = 3_000
            snapshot.activity?.avgActiveSessions = 14
        }
        #expect(report.growthShape == .writeHeavy)
        #expect(report.nextStep?.strategy == .vertical)
        #expect(!report.recommendations.contains { $0.strategy == .readReplicas })
    }

    @Test func readHeavyLoadOnSmallHardwareGetsVerticalOrReplicasFirst() throws {
        let report = try report { snapshot, config in
            config.hardware = Hardware(vcpus: 2, memoryGB: 8, maxVCPUs: 64)
            snapshot.rates.readsPerSecond = 60_000
            snapshot.rates.writesPerSecond = 300
            snapshot.activity?.avgActiveSessions = 1.8
        }
        #expect(report.growthShape == .readHeavy)
        let first = try #require(report.nextStep)
        #expect([.vertical, .readReplicas].contains(first.strategy))
        #expect(report.recommendations.contains { $0.strategy == .readReplicas })
    }

    @Test func largeTimeOrderedTableGetsPartitioningNotSharding() throws {
        let report = try report { snapshot, config in
            config.hardware.maxMemoryGB = 1_024
            config.hardware.storageGB = 4_000
            snapshot.tables?.append(BaseFixture.table("events", bytes: 400 * BaseFixture.gigabyte))
            snapshot.columnStats = [
                BaseFixture.column("events", "created_at", type: "timestamp with time zone", correlation: 0.99)
            ]
        }
        #expect(report.growthShape == .dataHeavy)
        #expect(report.nextStep?.rule == "partition-large-time-series")
        #expect(report.nextStep?.target == "public.events")
        #expect(!report.recommendations.contains { $0.strategy == .sharding })
    }

    @Test func snapshotsOfDifferentDatabasesAreRefused() throws {
        let first = try BaseFixture.snapshot()
        var second = first
        second.database?.name = "other"
        #expect(throws: AnalysisError.self) {
            try RuleRegistry.analyzer.report(snapshots: [first, second], config: Config(), sourceType: .snapshot)
        }
        #expect(throws: AnalysisError.noSnapshots) {
            try RuleRegistry.analyzer.report(snapshots: [], config: Config(), sourceType: .snapshot)
        }
    }

    @Test func gateFollowsFailOn() throws {
        let warningOnly: RuleExample.Edit = { snapshot, _ in snapshot.rates.writesPerSecond = 6_000 }
        let critical = try report(failOn: .critical, warningOnly)
        #expect(critical.gate.passed)
        #expect(critical.gate.breaches.map(\.threshold) == [.writesPerSecond])
        #expect(critical.gate.breaches.first?.severity == .warning)
        #expect(try report(failOn: .warning, warningOnly).gate.passed == false)
        #expect(try report(failOn: .never) { snapshot, _ in snapshot.rates.writesPerSecond = 50_000 }.gate.passed)
        #expect(
            try report { snapshot, _ in snapshot.rates.writesPerSecond = 50_000 }.gate.passed == false,
            "config's fail_on (critical) applies without an override")
    }
}

/// The report's JSON against schemas/report.schema.json, and the text report against its golden file.
@Suite struct ReportOutputTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    @Test(arguments: ["base", "idle", "busy"])
    func jsonMatchesTheSchema(_ name: String) throws {
        let report = try Self.scenario(name)
        let json = ReportRenderer.render(report, as: .json)
        try validate(json: json, schema: Self.repository.appendingPathComponent("schemas/report.schema.json").path)
        let decoded = try ReportCoding.decoder().decode(Report.self, from: Data(json.utf8))
        #expect(decoded.recommendations.count == report.recommendations.count)
        #expect(json.contains("\"active_sessions_per_vcpu\""))
        #expect(json.contains("\"replication_lag_seconds\" : null"))
    }

    @Test func textReportMatchesGolden() throws {
        let text = ReportRenderer.render(try Self.scenario("busy"), as: .text, useColor: false)
        for line in text.split(separator: "\n") {
            #expect(line.count <= 80, "too wide: \(line)")
        }
        #expect(!text.contains("\u{1B}"))
        let golden = Self.repository.appendingPathComponent("Tests/DBAdviseRulesTests/Golden/busy-report.txt")
        if ProcessInfo.processInfo.environment["DBADVISE_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(
                at: golden.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: golden, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: golden, encoding: .utf8)
        #expect(text == expected, "run with DBADVISE_UPDATE_GOLDEN=1 to accept the new output")
        let colored = ReportRenderer.render(try Self.scenario("busy"), as: .text, useColor: true)
        #expect(colored.contains("\u{1B}["))
    }

    @Test func markdownLeadsWithTheNextStep() throws {
        let markdown = ReportRenderer.render(try Self.scenario("busy"), as: .markdown)
        #expect(markdown.hasPrefix("# dbadvise report: shop"))
        #expect(markdown.contains("**Next step: Move to a machine with more vCPUs**"))
        #expect(markdown.contains("## Not recommended"))
        let idle = ReportRenderer.render(try Self.scenario("idle"), as: .markdown)
        #expect(idle.contains("**Stay on one box:**"))
    }

    static func scenario(_ name: String) throws -> Report {
        switch name {
        case "idle":
            return try report { snapshot, config in
                snapshot.rates.writesPerSecond = 0.2
                snapshot.rates.readsPerSecond = 30
                config.hardware.vcpus = nil
            }
        case "busy":
            return try report { snapshot, config in
                config.hardware.maxVCPUs = 64
                snapshot.activity?.avgActiveSessions = 13
                snapshot.activity?.connections = 80
                snapshot.rates.cacheHitRatio = 0.97
                snapshot.database?.datfrozenxidAge = 250_000_000
                snapshot.tables?.append(
                    BaseFixture.table("events", bytes: 90 * BaseFixture.gigabyte, writes: 300, reads: 10))
                snapshot.columnStats = [
                    BaseFixture.column("events", "created_at", type: "timestamp with time zone", correlation: 1)
                ]
            }
        default:
            return try report()
        }
    }
}

/// Validates with python3's jsonschema; a missing python3 or module fails the test.
func validate(json: String, schema: String) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    let script = """
        import json, sys, jsonschema
        schema = json.load(open(sys.argv[1]))
        jsonschema.Draft202012Validator.check_schema(schema)
        errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(json.load(sys.stdin)), key=str)
        for error in errors:
            print("/".join(map(str, error.absolute_path)) + ": " + error.message)
        sys.exit(1 if errors else 0)
        """
    process.arguments = ["python3", "-c", script, schema]
    let input = Pipe()
    let output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    process.standardError = output
    try process.run()
    input.fileHandleForWriting.write(Data(json.utf8))
    try input.fileHandleForWriting.close()
    let messages = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(
        process.terminationStatus == 0, "schema validation failed (python3 and jsonschema are required): \(messages)")
}
