import DBAdviseAnalysis
import DBAdviseModel
import DBAdviseOutput
import Foundation
import Testing

/// A report with exactly these breaches and recommendations (everything else from an empty
/// analysis of a minimal snapshot). The gate is evaluated as GateEvaluator does.
func checkReport(
    breaches: [GateBreach], recommendations: [Recommendation] = [], failOn: FailOn = .critical,
    snapshots: [Snapshot] = [minimalSnapshot()]
) throws -> Report {
    var report = try Analyzer(rules: []).report(
        snapshots: snapshots, config: Config(), failOn: failOn, sourceType: .snapshot,
        generatedAt: Date(timeIntervalSince1970: 1_795_000_100))
    report.gate = GateResult(
        failOn: failOn, passed: !breaches.contains { failOn.fails(on: $0.severity) }, breaches: breaches)
    report.recommendations = recommendations
    return report
}

func tableBreach(_ target: String = "public.events", value: Double, severity: Severity = .critical) -> GateBreach {
    GateBreach(
        threshold: .tableSizeGB, target: target, value: value,
        limit: severity == .critical ? 1000 : 100, unit: "GB", severity: severity)
}

func ruleFinding(_ rule: String, target: String = "public.events", severity: Severity, value: Double? = 10)
    -> Recommendation
{
    Recommendation(
        rule: rule, strategy: .partitioning, severity: severity, target: target, title: "Partition \(target)",
        summary: "It is big.", evidence: [Evidence(metric: .tableBytes, value: value, threshold: 5, unit: .bytes)],
        actions: ["Partition it."])
}

@Suite struct BaselineTests {
    static let accepted = [tableBreach(value: 1_200), tableBreach("public.logs", value: 150, severity: .warning)]

    func comparison(_ baselineBreaches: [GateBreach], _ current: [GateBreach], failOn: FailOn = .critical)
        throws -> (BaselineComparison, GateResult)
    {
        let baseline = Baseline(report: try checkReport(breaches: baselineBreaches))
        let comparison = baseline.compare(with: try checkReport(breaches: current, failOn: failOn))
        return (comparison, comparison.gate(failOn: failOn))
    }

    @Test func sameFindingsPass() throws {
        let (comparison, gate) = try comparison(Self.accepted, Self.accepted)
        #expect(try checkReport(breaches: Self.accepted).gate.passed == false, "without the baseline it fails")
        #expect(gate.passed)
        #expect(gate.breaches == Self.accepted, "the gate still lists every breach")
        #expect(comparison.unchanged.count == 2)
        #expect(comparison.new.isEmpty && comparison.worse.isEmpty && comparison.resolved.isEmpty)
    }

    @Test func aNewFindingFails() throws {
        let added = tableBreach("public.orders", value: 1_100)
        let (comparison, gate) = try comparison(Self.accepted, Self.accepted + [added])
        #expect(!gate.passed)
        #expect(comparison.new == [BaselineFinding(breach: added)])
        #expect(comparison.failing(failOn: .critical) == [BaselineFinding(breach: added)])
        #expect(comparison.status(of: added) == .new)
        #expect(comparison.status(of: Self.accepted[0]) == .unchanged)
    }

    @Test func aNewFindingBelowFailOnPasses() throws {
        let added = tableBreach("public.orders", value: 110, severity: .warning)
        let (comparison, gate) = try comparison(Self.accepted, Self.accepted + [added])
        #expect(gate.passed)
        #expect(comparison.new.count == 1)
        #expect(try self.comparison(Self.accepted, Self.accepted + [added], failOn: .warning).1.passed == false)
    }

    @Test func aWorseFindingFails() throws {
        // Severity up: public.logs went from warning to critical.
        let escalated = [Self.accepted[0], tableBreach("public.logs", value: 1_050)]
        let (bySeverity, severityGate) = try comparison(Self.accepted, escalated)
        #expect(!severityGate.passed)
        #expect(bySeverity.worse.map(\.current.target) == ["public.logs"])
        #expect(bySeverity.worse.first?.baseline.severity == .warning)
        // Same severity, 25% bigger.
        let grown = [tableBreach(value: 1_500), Self.accepted[1]]
        let (byValue, valueGate) = try comparison(Self.accepted, grown)
        #expect(!valueGate.passed)
        #expect(byValue.worse.map(\.current.value) == [1_500])
        #expect(byValue.status(of: grown[0]) == .worse)
    }

    @Test func aBetterFindingPasses() throws {
        let better = [tableBreach(value: 1_001), tableBreach("public.logs", value: 120, severity: .warning)]
        let (comparison, gate) = try comparison(Self.accepted, better)
        #expect(gate.passed)
        #expect(comparison.unchanged.count == 2)
        let calmer = [tableBreach(value: 900, severity: .warning)]
        let (downgraded, downgradedGate) = try self.comparison(Self.accepted, calmer)
        #expect(downgradedGate.passed)
        #expect(downgraded.unchanged.count == 1)
        #expect(downgraded.resolved.map(\.target) == ["public.logs"])
    }

    struct ToleranceCase: Sendable, CustomTestStringConvertible {
        let key: ThresholdKey
        let baseline: Double
        let current: Double
        let worse: Bool
        var testDescription: String { "\(key.rawValue) \(baseline) → \(current)" }
    }

    static let toleranceCases = [
        ToleranceCase(key: .tableSizeGB, baseline: 1_200, current: 1_320, worse: true),  // exactly +10%
        ToleranceCase(key: .tableSizeGB, baseline: 1_200, current: 1_319.9, worse: false),
        ToleranceCase(key: .tableSizeGB, baseline: 1_200, current: 1_000, worse: false),
        ToleranceCase(key: .writesPerSecond, baseline: 0.5, current: 0.55, worse: true),
        ToleranceCase(key: .cacheHitRatio, baseline: 0.9, current: 0.81, worse: true),  // lower is worse
        ToleranceCase(key: .cacheHitRatio, baseline: 0.9, current: 0.82, worse: false),
        ToleranceCase(key: .cacheHitRatio, baseline: 0.9, current: 0.95, worse: false),
        ToleranceCase(key: .daysToCritical, baseline: 20, current: 18, worse: true),
        ToleranceCase(key: .daysToCritical, baseline: 20, current: 18.5, worse: false),
        ToleranceCase(key: .daysToCritical, baseline: 20, current: 40, worse: false),
        ToleranceCase(key: .replicationLagSeconds, baseline: 0, current: 0, worse: false),
        ToleranceCase(key: .replicationLagSeconds, baseline: 0, current: 31, worse: true),
    ]

    @Test(arguments: toleranceCases)
    func tenPercentTolerance(_ example: ToleranceCase) throws {
        func breach(_ value: Double) -> GateBreach {
            GateBreach(
                threshold: example.key, target: "app", value: value, limit: 1, unit: example.key.unit.rawValue,
                severity: .critical)
        }
        let (comparison, gate) = try comparison([breach(example.baseline)], [breach(example.current)])
        #expect(comparison.worse.isEmpty == !example.worse)
        #expect(gate.passed == !example.worse)
    }

    @Test func ruleFindingsAreComparedBySeverityAndNeverGate() throws {
        let baseline = Baseline(
            report: try checkReport(
                breaches: [],
                recommendations: [
                    ruleFinding("partition-large-time-series", severity: .warning, value: 10)
                ]))
        #expect(
            baseline.findings == [
                BaselineFinding(
                    id: "rule:partition-large-time-series", target: "public.events", severity: .warning, value: 10,
                    limit: 5,
                    unit: "bytes")
            ])
        let bigger = try checkReport(
            breaches: [],
            recommendations: [
                ruleFinding("partition-large-time-series", severity: .warning, value: 100)
            ])
        #expect(baseline.compare(with: bigger).worse.isEmpty, "rule findings are worse only by severity")
        let escalated = try checkReport(
            breaches: [],
            recommendations: [
                ruleFinding("partition-large-time-series", severity: .critical),
                ruleFinding("shard-by-tenant", target: "app", severity: .critical),
            ])
        let comparison = baseline.compare(with: escalated)
        #expect(comparison.worse.map(\.current.id) == ["rule:partition-large-time-series"])
        #expect(comparison.new.map(\.id) == ["rule:shard-by-tenant"])
        #expect(comparison.gate(failOn: .critical).passed, "recommendations are reported, the gate is the thresholds")
        #expect(comparison.failing(failOn: .warning).isEmpty)
    }

    @Test func roundTripsAsVersionedSnakeCaseJSON() throws {
        let report = try checkReport(
            breaches: Self.accepted, recommendations: [ruleFinding("partition-large-time-series", severity: .warning)])
        let baseline = Baseline(report: report)
        #expect(baseline.createdAt == report.generatedAt)
        #expect(baseline.database == "app")
        #expect(
            baseline.findings.map(\.id) == [
                "rule:partition-large-time-series", "threshold:table_size_gb", "threshold:table_size_gb",
            ])
        #expect(baseline.findings.map(\.target) == ["public.events", "public.events", "public.logs"])
        let data = try baseline.encoded()
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"schema_version\" : 1"))
        #expect(text.contains("\"kind\" : \"dbadvise.baseline\""))
        #expect(text.contains("\"created_at\" : \"2026-11-18T"))
        let keys = ["created_at", "database", "findings", "kind", "schema_version"].map { "\"\($0)\" :" }
        let positions = keys.compactMap { text.range(of: $0)?.lowerBound }
        #expect(positions.count == keys.count && positions == positions.sorted(), "sorted keys")
        #expect(try Baseline.decode(data) == baseline)
        try validateJSON(data, schema: "baseline.schema.json")
    }

    @Test func anotherKindOrVersionIsRefused() throws {
        let report = JSONReportRenderer.render(try checkReport(breaches: []))
        #expect(throws: BaselineError.wrongKind(file: "r.json", kind: "dbadvise.report")) {
            try Baseline.decode(Data(report.utf8), file: "r.json")
        }
        let future =
            #"{"schema_version": 2, "kind": "dbadvise.baseline", "created_at": "2026-01-01T00:00:00Z", "findings": []}"#
        #expect(throws: BaselineError.unsupportedVersion(file: "b.json", version: 2)) {
            try Baseline.decode(Data(future.utf8), file: "b.json")
        }
        #expect(throws: BaselineError.malformed(file: nil, problem: "not valid JSON")) {
            try Baseline.decode(Data("{not json".utf8))
        }
        let missing = #"{"schema_version": 1, "kind": "dbadvise.baseline", "created_at": "2026-01-01T00:00:00Z"}"#
        #expect(throws: BaselineError.self) { try Baseline.decode(Data(missing.utf8)) }
        #expect(throws: BaselineError.unreadable(file: "/nonexistent/b.json", reason: "no such file")) {
            try Baseline.load(path: "/nonexistent/b.json")
        }
        let errors: [BaselineError] = [
            .wrongKind(file: "r.json", kind: "dbadvise.report"), .wrongKind(file: nil, kind: nil),
            .unsupportedVersion(file: "b.json", version: 2), .malformed(file: "b.json", problem: "findings: missing"),
            .unreadable(file: "b.json", reason: "no such file"),
            .otherDatabase(file: "b.json", baseline: "shop", input: "app"),
        ]
        for error in errors {
            #expect(!error.description.contains("\n"), "one line: \(error.description)")
            #expect(
                error.description.contains("b.json") || error.description.contains("r.json")
                    || error.description.contains("baseline"))
        }
        #expect(
            BaselineError.wrongKind(file: "r.json", kind: "dbadvise.report").description
                == "r.json is not a dbadvise baseline (kind \"dbadvise.report\", expected \"dbadvise.baseline\"); "
                + "write a new one with `dbadvise check --write-baseline FILE`")
    }

    @Test func aBaselineOfAnotherDatabaseIsRefused() throws {
        let report = try checkReport(breaches: [])
        let other = Baseline(createdAt: Date(), database: "shop", findings: [])
        #expect(throws: BaselineError.otherDatabase(file: "b.json", baseline: "shop", input: "app")) {
            try other.checkDatabase(of: report, file: "b.json")
        }
        try Baseline(report: report).checkDatabase(of: report)
        try Baseline(createdAt: Date(), database: nil, findings: []).checkDatabase(of: report)
    }
}
