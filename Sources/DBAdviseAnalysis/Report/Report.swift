import DBAdviseModel
import Foundation

/// What `analyze` and `check` print: see the contract's "Report" section. Keys are snake_case
/// on disk (``ReportCoding``); unknown values are `null`, with a note in ``notes``.
public struct Report: Codable, Sendable, Equatable {
    public static let currentSchemaVersion = 1
    public static let kindName = "dbadvise.report"

    public var schemaVersion: Int = Report.currentSchemaVersion
    public var kind: String = Report.kindName
    /// The dbadvise that wrote the report.
    public var tool: ToolInfo = .current
    public var generatedAt: Date
    /// The config the report was made with (or the defaults), and warnings about it.
    public var config: ReportConfig = ReportConfig(origin: .defaults)
    public var source: ReportSource
    /// One sentence: the next step, or "Stay on one box" with the numbers.
    public var summary: String
    public var growthShape: GrowthShape
    /// Why the shape was chosen, with the numbers.
    public var growthShapeReason: String
    public var metrics: ReportMetrics
    /// Why a metric is null (`active_sessions_per_vcpu`: "hardware.vcpus is not configured").
    public var notes: [MetricNote]
    /// Ordered by the ladder: the next step first, `tuning` last.
    public var recommendations: [Recommendation]
    public var notRecommended: [NotRecommended]
    /// Findings accepted by the config's `ignore:` entries: out of the recommendations and the
    /// gate, listed here with the reason.
    public var suppressed: [SuppressedFinding] = []
    public var gate: GateResult
    /// Size trends over a series of snapshots; null for a single snapshot.
    public var growth: ReportGrowth?
    /// When each configured threshold will be crossed at the measured trend, soonest first;
    /// empty for a single snapshot (no trend can be told from one).
    public var forecasts: [Forecast] = []
    /// `analyze --what-if` only: the plan at the scaled load. Left out of the JSON otherwise.
    public var whatIf: ReportWhatIf?
    /// `check --baseline` only: what is new, worse and resolved since the baseline. Left out
    /// of the JSON when no baseline was used.
    public var baseline: ReportBaseline?
    /// Statement classes per table beside the tables' measured rates; null (with a note) when
    /// pg_stat_statements is unavailable.
    public var queryMix: QueryMix?
    /// The hardware judged against, each figure configured, from the instance class,
    /// inferred or assumed.
    public var hardware: ResolvedHardware?
    /// What the rates were measured over and whether they count as demand.
    public var window: MeasurementWindow?
    /// Demand against capacity per resource.
    public var capacity: CapacityModel?

    public init(
        generatedAt: Date, source: ReportSource, summary: String, growthShape: GrowthShape,
        growthShapeReason: String, metrics: ReportMetrics, notes: [MetricNote],
        recommendations: [Recommendation], notRecommended: [NotRecommended], gate: GateResult,
        growth: ReportGrowth? = nil, forecasts: [Forecast] = [], baseline: ReportBaseline? = nil,
        queryMix: QueryMix? = nil
    ) {
        self.generatedAt = generatedAt
        self.source = source
        self.summary = summary
        self.growthShape = growthShape
        self.growthShapeReason = growthShapeReason
        self.metrics = metrics
        self.notes = notes
        self.recommendations = recommendations
        self.notRecommended = notRecommended
        self.gate = gate
        self.growth = growth
        self.forecasts = forecasts
        self.baseline = baseline
        self.queryMix = queryMix
    }

    private enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version"
        case kind
        case tool
        case generatedAt = "generated_at"
        case config
        case source
        case summary
        case growthShape = "growth_shape"
        case growthShapeReason = "growth_shape_reason"
        case metrics
        case notes
        case recommendations
        case notRecommended = "not_recommended"
        case suppressed
        case gate
        case growth
        case forecasts
        case whatIf = "what_if"
        case baseline
        case queryMix = "query_mix"
        case hardware
        case window
        case capacity
    }

    /// `tool`, `config` and `suppressed` came with 0.3.0: reports written before read without them.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        schemaVersion = try container.decode(Int.self, forKey: .schemaVersion)
        kind = try container.decode(String.self, forKey: .kind)
        // A report from before 0.3.0 does not say which dbadvise wrote it.
        tool = try container.decodeIfPresent(ToolInfo.self, forKey: .tool) ?? ToolInfo(version: "unknown")
        generatedAt = try container.decode(Date.self, forKey: .generatedAt)
        config = try container.decodeIfPresent(ReportConfig.self, forKey: .config) ?? ReportConfig(origin: .defaults)
        source = try container.decode(ReportSource.self, forKey: .source)
        summary = try container.decode(String.self, forKey: .summary)
        growthShape = try container.decode(GrowthShape.self, forKey: .growthShape)
        growthShapeReason = try container.decode(String.self, forKey: .growthShapeReason)
        metrics = try container.decode(ReportMetrics.self, forKey: .metrics)
        notes = try container.decode([MetricNote].self, forKey: .notes)
        recommendations = try container.decode([Recommendation].self, forKey: .recommendations)
        notRecommended = try container.decode([NotRecommended].self, forKey: .notRecommended)
        suppressed = try container.decodeIfPresent([SuppressedFinding].self, forKey: .suppressed) ?? []
        gate = try container.decode(GateResult.self, forKey: .gate)
        growth = try container.decodeIfPresent(ReportGrowth.self, forKey: .growth)
        forecasts = try container.decodeIfPresent([Forecast].self, forKey: .forecasts) ?? []
        whatIf = try container.decodeIfPresent(ReportWhatIf.self, forKey: .whatIf)
        baseline = try container.decodeIfPresent(ReportBaseline.self, forKey: .baseline)
        queryMix = try container.decodeIfPresent(QueryMix.self, forKey: .queryMix)
        hardware = try container.decodeIfPresent(ResolvedHardware.self, forKey: .hardware)
        window = try container.decodeIfPresent(MeasurementWindow.self, forKey: .window)
        capacity = try container.decodeIfPresent(CapacityModel.self, forKey: .capacity)
    }

    /// `growth` is written as null for a single snapshot, `query_mix` as null without
    /// statements; `baseline` only when one was used.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(schemaVersion, forKey: .schemaVersion)
        try container.encode(kind, forKey: .kind)
        try container.encode(tool, forKey: .tool)
        try container.encode(generatedAt, forKey: .generatedAt)
        try container.encode(config, forKey: .config)
        try container.encode(source, forKey: .source)
        try container.encode(summary, forKey: .summary)
        try container.encode(growthShape, forKey: .growthShape)
        try container.encode(growthShapeReason, forKey: .growthShapeReason)
        try container.encode(metrics, forKey: .metrics)
        try container.encode(notes, forKey: .notes)
        try container.encode(recommendations, forKey: .recommendations)
        try container.encode(notRecommended, forKey: .notRecommended)
        try container.encode(suppressed, forKey: .suppressed)
        try container.encode(gate, forKey: .gate)
        try container.encode(growth, forKey: .growth)
        try container.encode(forecasts, forKey: .forecasts)
        try container.encodeIfPresent(whatIf, forKey: .whatIf)
        try container.encodeIfPresent(baseline, forKey: .baseline)
        try container.encode(queryMix, forKey: .queryMix)
        try container.encodeIfPresent(hardware, forKey: .hardware)
        try container.encodeIfPresent(window, forKey: .window)
        try container.encodeIfPresent(capacity, forKey: .capacity)
    }

    /// The first recommendation that is a scaling step, else nil ("stay on one box").
    public var nextStep: Recommendation? {
        recommendations.first { $0.strategy.isScalingStep }
    }

    public var staysOnOneBox: Bool { nextStep == nil }
}

/// `config` in a report: which config was used and how it was found, and what is wrong with
/// it that did not stop the run (an expired `ignore:` entry).
public struct ReportConfig: Codable, Sendable, Equatable {
    public var source: ConfigOrigin.Source
    public var path: String?
    public var warnings: [String]

    public init(origin: ConfigOrigin, warnings: [String] = []) {
        self.source = origin.source
        self.path = origin.path
        self.warnings = warnings
    }

    public var origin: ConfigOrigin { ConfigOrigin(source: source, path: path) }

    private enum CodingKeys: String, CodingKey { case source, path, warnings }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(source, forKey: .source)
        try container.encode(path, forKey: .path)
        try container.encode(warnings, forKey: .warnings)
    }
}

public struct ReportSource: Codable, Sendable, Equatable {
    /// `live` (collected by this run) or `snapshot` (read with `--input`).
    public enum SourceType: String, Codable, Sendable { case live, snapshot }

    public var type: SourceType
    public var database: String?
    public var serverVersionNum: Int
    /// `primary` or `standby`; null when recovery state was unreadable.
    public var role: String?
    /// How many snapshots the report is built from.
    public var snapshots: Int
    /// When the latest snapshot finished sampling.
    public var collectedAt: Date

    public init(
        type: SourceType, database: String?, serverVersionNum: Int, role: String?,
        snapshots: Int, collectedAt: Date
    ) {
        self.type = type
        self.database = database
        self.serverVersionNum = serverVersionNum
        self.role = role
        self.snapshots = snapshots
        self.collectedAt = collectedAt
    }

    private enum CodingKeys: String, CodingKey {
        case type
        case database
        case serverVersionNum = "server_version_num"
        case role
        case snapshots
        case collectedAt = "collected_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type, forKey: .type)
        try container.encode(database, forKey: .database)
        try container.encode(serverVersionNum, forKey: .serverVersionNum)
        try container.encode(role, forKey: .role)
        try container.encode(snapshots, forKey: .snapshots)
        try container.encode(collectedAt, forKey: .collectedAt)
    }
}

/// The growth shape: which kind of load dominates. See ``GrowthShapeClassifier``.
public enum GrowthShape: String, Codable, Sendable, CaseIterable {
    case idle
    case readHeavy = "read-heavy"
    case writeHeavy = "write-heavy"
    case dataHeavy = "data-heavy"
    case mixed
}

public struct MetricNote: Codable, Sendable, Equatable {
    public var metric: MetricKey
    public var reason: String
    public init(metric: MetricKey, reason: String) {
        self.metric = metric
        self.reason = reason
    }
}

/// One measured number behind a finding. `value` or `threshold` is null when unknown, and
/// `note` then says why.
public struct Evidence: Codable, Sendable, Equatable {
    public var metric: MetricKey
    public var value: Double?
    public var threshold: Double?
    public var unit: EvidenceUnit
    public var note: String?

    public init(
        metric: MetricKey, value: Double?, threshold: Double?, unit: EvidenceUnit, note: String? = nil
    ) {
        self.metric = metric
        self.value = value.flatMap(Evidence.tidy)
        self.threshold = threshold.flatMap(Evidence.tidy)
        self.unit = unit
        self.note = note
    }

    /// A measured value against a threshold key's level (bytes for sizes).
    public init(
        metric: MetricKey, value: Double?, levels: ThresholdLevels, severity: Severity?,
        note: String? = nil
    ) {
        self.init(
            metric: metric, value: value, threshold: levels.measuredLimit(for: severity),
            unit: levels.key.unit.measuredUnit, note: note)
    }

    /// Four decimals are plenty, and keep `0.30000000000000004` out of reports; non-finite
    /// values are unknown.
    private static func tidy(_ value: Double) -> Double? {
        guard value.isFinite else { return nil }
        if abs(value) >= 1_000_000 { return value.rounded() }
        return (value * 10_000).rounded() / 10_000
    }

    private enum CodingKeys: String, CodingKey { case metric, value, threshold, unit, note }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(metric, forKey: .metric)
        try container.encode(value, forKey: .value)
        try container.encode(threshold, forKey: .threshold)
        try container.encode(unit, forKey: .unit)
        try container.encodeIfPresent(note, forKey: .note)
    }
}

public struct Recommendation: Codable, Sendable, Equatable {
    /// The id of the rule that made it.
    public var rule: String
    public var strategy: Strategy
    public var severity: Severity
    /// `schema.table` for per-table findings, the database name otherwise.
    public var target: String
    public var title: String
    /// One or two sentences with the numbers: what was measured and why it leads here.
    public var summary: String
    public var evidence: [Evidence]
    /// Concrete next actions, most useful first.
    public var actions: [String]

    public init(
        rule: String, strategy: Strategy, severity: Severity, target: String, title: String,
        summary: String, evidence: [Evidence], actions: [String]
    ) {
        self.rule = rule
        self.strategy = strategy
        self.severity = severity
        self.target = target
        self.title = title
        self.summary = summary
        self.evidence = evidence
        self.actions = actions
    }
}

public struct NotRecommended: Codable, Sendable, Equatable {
    public var strategy: Strategy
    /// The measured reason, with numbers ("largest table 42 GB < 100 GB ...").
    public var reason: String
    public var evidence: [Evidence]
    /// The rules of this strategy that were checked.
    public var rules: [String]

    public init(strategy: Strategy, reason: String, evidence: [Evidence], rules: [String]) {
        self.strategy = strategy
        self.reason = reason
        self.evidence = evidence
        self.rules = rules
    }
}

public struct GateResult: Codable, Sendable, Equatable {
    public var failOn: FailOn
    public var passed: Bool
    public var breaches: [GateBreach]

    private enum CodingKeys: String, CodingKey {
        case failOn = "fail_on"
        case passed
        case breaches
    }

    public init(failOn: FailOn, passed: Bool, breaches: [GateBreach]) {
        self.failOn = failOn
        self.passed = passed
        self.breaches = breaches
    }
}

/// A threshold crossed, named after its config key, in the key's configured unit (GB for sizes).
public struct GateBreach: Codable, Sendable, Equatable {
    public var threshold: ThresholdKey
    public var target: String
    public var value: Double
    public var limit: Double
    public var unit: String
    public var severity: Severity

    public init(
        threshold: ThresholdKey, target: String, value: Double, limit: Double, unit: String,
        severity: Severity
    ) {
        self.threshold = threshold
        self.target = target
        self.value = value
        self.limit = limit
        self.unit = unit
        self.severity = severity
    }
}

/// Reports go to disk as snapshots do: snake_case keys, ISO-8601 dates, sorted keys, pretty.
public enum ReportCoding {
    public static func encoder() -> JSONEncoder { SnapshotCoding.encoder() }
    public static func decoder() -> JSONDecoder { SnapshotCoding.decoder() }

    /// A report as JSON with no `"Infinity"` or `"NaN"` (strings its own schema rejects): the
    /// inputs are range-checked as they are read, so no derived number should be non-finite,
    /// and should one be, it is written as null, the contract's word for unknown.
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = encoder()
        // A NUL cannot occur in a PostgreSQL name or text, so the marker cannot be data.
        let marker = "\u{0}non-finite"
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: marker, negativeInfinity: marker, nan: marker)
        let data = try encoder.encode(value)
        let encodedMarker = Data("\"\\u0000non-finite\"".utf8)
        guard data.range(of: encodedMarker) != nil else { return data }
        var text = String(decoding: data, as: UTF8.self)
        text = text.replacingOccurrences(of: "\"\\u0000non-finite\"", with: "null")
        return Data(text.utf8)
    }
}

extension Report {
    /// The summary without its leading "Stay on one box: ", for renderers that print the
    /// verdict as a heading of their own.
    public var summaryAfterVerdict: String {
        let verdict = "Stay on one box: "
        guard summary.hasPrefix(verdict) else { return summary }
        let rest = summary.dropFirst(verdict.count)
        return rest.prefix(1).uppercased() + rest.dropFirst()
    }
}
