import DBAdviseAnalysis
import DBAdviseModel
import DBAdviseOutput
import Foundation
import Testing

/// A minimal snapshot: only what the metrics read.
func minimalSnapshot(writes: Double? = 100, reads: Double? = 1_000, activeSessions: Double = 1) -> Snapshot {
    var rates = Rates()
    rates.writesPerSecond = writes
    rates.readsPerSecond = reads
    rates.cacheHitRatio = 0.999
    var database = DatabaseStats(name: "app")
    database.sizeBytes = 1_000_000
    let finished = Date(timeIntervalSince1970: 1_795_000_000)
    return Snapshot(
        tool: ToolInfo(version: "test"),
        interval: SampleInterval(
            mode: .delta, requestedSeconds: 10, startedAt: finished.addingTimeInterval(-10),
            finishedAt: finished, rateSeconds: 10, activitySamples: 10),
        connection: ConnectionInfo(host: nil, port: nil, database: "app", user: nil),
        server: ServerInfo(
            versionNum: 170_000, version: nil, inRecovery: false, startTime: nil, statsReset: nil,
            systemIdentifier: nil, settings: [], extensions: nil),
        database: database, rates: rates, tables: nil, indexes: nil, partitionedTables: nil, columnStats: nil,
        replication: nil, wal: nil, checkpoints: nil,
        activity: ActivitySummary(
            samples: 10, avgActiveSessions: activeSessions, peakActiveSessions: 2, connections: 10,
            maxConnections: 100, waitEventTypes: [:], idleInTransaction: 0,
            oldestQuerySeconds: nil, oldestTransactionSeconds: nil),
        statements: StatementStats(available: false, reason: "not installed"),
        unavailable: [Unavailable(section: "tables", reason: "permission denied for pg_class")])
}

@Suite struct GrowthShapeTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let metrics: ReportMetrics
        let shape: GrowthShape
        var testDescription: String { shape.rawValue }
    }

    static let cases: [Case] = [
        Case(metrics: ReportMetrics(writesPerSecond: 2, readsPerSecond: 50), shape: .idle),
        Case(metrics: ReportMetrics(writesPerSecond: 100, readsPerSecond: 5_000), shape: .readHeavy),
        Case(metrics: ReportMetrics(writesPerSecond: 1_000, readsPerSecond: 1_500), shape: .writeHeavy),
        Case(metrics: ReportMetrics(writesPerSecond: 6_000, readsPerSecond: 600_000), shape: .writeHeavy),
        Case(metrics: ReportMetrics(writesPerSecond: 1_000, readsPerSecond: 5_000), shape: .mixed),
        Case(metrics: ReportMetrics(writesPerSecond: nil, readsPerSecond: nil), shape: .mixed),
        Case(
            metrics: ReportMetrics(databaseBytes: 2_000 * 1_073_741_824, writesPerSecond: 1, readsPerSecond: 1),
            shape: .dataHeavy),
        Case(
            metrics: ReportMetrics(
                largestTableBytes: 150 * 1_073_741_824, largestTable: "public.t", writesPerSecond: 1, readsPerSecond: 1),
            shape: .dataHeavy),
    ]

    @Test(arguments: cases)
    func classifies(_ example: Case) {
        let (shape, reason) = GrowthShapeClassifier.classify(example.metrics, config: Config())
        #expect(shape == example.shape, "\(reason)")
        #expect(!reason.isEmpty)
    }
}

@Suite struct MetricsAndGateTests {
    @Test func unknownMetricsAreNullWithANote() throws {
        var snapshot = minimalSnapshot()
        snapshot.activity = nil
        let context = RuleContext(latest: snapshot, config: Config())
        #expect(context.metrics.largestTableBytes == nil)
        #expect(context.note(for: .largestTableBytes) == "tables: permission denied for pg_class")
        #expect(context.metrics.activeSessionsPerVCPU == nil)
        #expect(context.metrics.replicationLagSeconds == nil)
        #expect(context.note(for: .replicationLagSeconds) != nil)
        let json = String(decoding: try ReportCoding.encoder().encode(context.metrics), as: UTF8.self)
        #expect(json.contains("\"active_sessions_per_vcpu\" : null"))
        #expect(json.contains("\"largest_table_bytes\" : null"))
    }

    @Test func activeSessionsPerVCPUNeedsHardware() {
        let snapshot = minimalSnapshot(activeSessions: 4)
        #expect(RuleContext(latest: snapshot, config: Config()).metrics.activeSessionsPerVCPU == nil)
        let known = RuleContext(latest: snapshot, config: Config(hardware: Hardware(vcpus: 8)))
        #expect(known.metrics.activeSessionsPerVCPU == 0.5)
        #expect(known.metrics.connectionsUsedRatio == 0.1)
    }

    @Test func eachCrossedThresholdIsABreachNamedAfterItsKey() {
        let snapshot = minimalSnapshot(writes: 25_000, reads: 30_000, activeSessions: 6)
        let context = RuleContext(latest: snapshot, config: Config(hardware: Hardware(vcpus: 8)))
        let gate = GateEvaluator.evaluate(context, failOn: .critical)
        #expect(gate.breaches.map(\.threshold) == [.writesPerSecond, .activeSessionsPerVCPU])
        #expect(
            gate.breaches.first
                == GateBreach(
                    threshold: .writesPerSecond, target: "app", value: 25_000, limit: 20_000,
                    unit: "rows/s", severity: .critical))
        #expect(gate.breaches.last?.severity == .warning)
        #expect(!gate.passed)
        #expect(GateEvaluator.evaluate(context, failOn: .never).passed)
        let calm = RuleContext(latest: minimalSnapshot(writes: 6_000), config: Config())
        #expect(GateEvaluator.evaluate(calm, failOn: .critical).passed)
        #expect(!GateEvaluator.evaluate(calm, failOn: .warning).passed)
    }

    @Test func analyzerWithoutRulesExplainsEveryStrategy() throws {
        let report = try Analyzer(rules: []).report(
            snapshots: [minimalSnapshot()], config: Config(), sourceType: .live,
            generatedAt: Date(timeIntervalSince1970: 0))
        #expect(report.staysOnOneBox)
        #expect(report.notRecommended.map(\.strategy) == Strategy.allCases)
        #expect(report.source.database == "app")
        #expect(report.source.role == "primary")
    }
}

@Suite struct RenderingTests {
    @Test func wrapKeepsTo80Columns() {
        let text = String(repeating: "word ", count: 60)
        let lines = TextReportRenderer.wrap(text, indent: "  ", hanging: "    ")
        #expect(lines.count > 1)
        #expect(lines.allSatisfy { $0.count <= 80 })
    }

    @Test func formatting() {
        #expect(Formatting.bytes(1_073_741_824) == "1 GB")
        #expect(Formatting.bytes(1_536 * 1_048_576) == "1.5 GB")
        #expect(Formatting.bytes(10_000 * 1_073_741_824.0) == "10,000 GB")
        #expect(Formatting.bytes(512) == "512 bytes")
        #expect(Formatting.percent(0.934) == "93.4%")
        #expect(Formatting.rate(0.2) == "0.20")
        #expect(Formatting.number(12_345) == "12,345")
    }
}
