import DBAdviseModel
import Foundation

/// One finding as a baseline records it: a gate breach (`threshold:<key>`) or a
/// recommendation (`rule:<rule id>`), on a target.
public struct BaselineFinding: Codable, Sendable, Equatable {
    /// `threshold:table_size_gb` or `rule:partition-large-time-series`.
    public var id: String
    /// `schema.table`, the database name, or `public.events (table_size_gb)` for
    /// `days_to_critical`.
    public var target: String
    public var severity: Severity
    /// Breaches: the measured value in the key's configured unit (GB for sizes).
    /// Recommendations: the first evidence value, when there is one.
    public var value: Double?
    /// Breaches: the level crossed. Recommendations: the first evidence threshold.
    public var limit: Double?
    public var unit: String?

    public static let thresholdPrefix = "threshold:"
    public static let rulePrefix = "rule:"

    public init(
        id: String, target: String, severity: Severity, value: Double? = nil,
        limit: Double? = nil, unit: String? = nil
    ) {
        self.id = id
        self.target = target
        self.severity = severity
        self.value = value
        self.limit = limit
        self.unit = unit
    }

    public init(breach: GateBreach) {
        self.init(
            id: Self.thresholdPrefix + breach.threshold.rawValue, target: breach.target,
            severity: breach.severity, value: breach.value, limit: breach.limit, unit: breach.unit)
    }

    public init(recommendation: Recommendation) {
        let evidence = recommendation.evidence.first
        self.init(
            id: Self.rulePrefix + recommendation.rule, target: recommendation.target,
            severity: recommendation.severity, value: evidence?.value, limit: evidence?.threshold,
            unit: evidence?.unit.rawValue)
    }

    /// The threshold key of a breach finding; nil for a rule finding or an unknown key.
    public var thresholdKey: ThresholdKey? {
        guard id.hasPrefix(Self.thresholdPrefix) else { return nil }
        return ThresholdKey(rawValue: String(id.dropFirst(Self.thresholdPrefix.count)))
    }

    /// The rule id of a recommendation finding; nil for a breach.
    public var ruleID: String? {
        id.hasPrefix(Self.rulePrefix) ? String(id.dropFirst(Self.rulePrefix.count)) : nil
    }

    /// Whether the finding can fail the gate: threshold breaches can, recommendations are
    /// reported but never gate, with or without a baseline (see ``BaselineComparison``).
    public var gates: Bool { id.hasPrefix(Self.thresholdPrefix) }

    /// Findings are the same finding when id and target match; severity and value may move.
    var identity: String { "\(id)\u{0}\(target)" }
}

/// `check --write-baseline FILE` writes it; `check --baseline FILE` reads it and fails only on
/// findings that are new or got worse since.
///
/// ```json
/// {"schema_version": 1, "kind": "dbadvise.baseline", "created_at": "…", "database": "shop",
///  "findings": [{"id": "threshold:table_size_gb", "target": "public.events",
///                "severity": "warning", "value": 120.5, "limit": 100, "unit": "GB"}]}
/// ```
///
/// `schema_version` lets the format evolve: a file of another version or kind is refused with
/// a ``BaselineError``, never half-read.
public struct Baseline: Codable, Sendable, Equatable {
    public static let currentSchemaVersion = 1
    public static let kindName = "dbadvise.baseline"

    public var schemaVersion: Int = Baseline.currentSchemaVersion
    public var kind: String = Baseline.kindName
    public var createdAt: Date
    /// The database the findings are of; nil when the report did not know it.
    public var database: String?
    /// Sorted by id, then target, so that two baselines diff cleanly.
    public var findings: [BaselineFinding]

    private enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version"
        case kind
        case createdAt = "created_at"
        case database
        case findings
    }

    public init(createdAt: Date, database: String?, findings: [BaselineFinding]) {
        self.createdAt = createdAt
        self.database = database
        self.findings = findings.sorted { ($0.id, $0.target) < ($1.id, $1.target) }
    }

    /// Today's findings: every gate breach and every recommendation of the report.
    /// `createdAt` defaults to the report's `generated_at`.
    public init(report: Report, createdAt: Date? = nil) {
        self.init(
            createdAt: createdAt ?? report.generatedAt, database: report.source.database,
            findings: Self.findings(of: report))
    }

    static func findings(of report: Report) -> [BaselineFinding] {
        report.gate.breaches.map(BaselineFinding.init(breach:))
            + report.recommendations.map(BaselineFinding.init(recommendation:))
    }

    /// snake_case, sorted keys, pretty, ending with a newline.
    public func encoded() throws -> Data {
        var data = try SnapshotCoding.encoder().encode(self)
        data.append(contentsOf: Array("\n".utf8))
        return data
    }

    /// Reads a baseline file. `file` only names the source in errors.
    public static func decode(_ data: Data, file: String? = nil) throws(BaselineError) -> Baseline {
        let decoder = SnapshotCoding.decoder()
        let header: Header
        do {
            header = try decoder.decode(Header.self, from: data)
        } catch let error as DecodingError {
            throw .malformed(file: file, problem: BaselineError.describe(error))
        } catch {
            throw .malformed(file: file, problem: "not valid JSON")
        }
        guard header.kind == kindName else { throw .wrongKind(file: file, kind: header.kind) }
        guard header.schemaVersion == currentSchemaVersion else {
            throw .unsupportedVersion(file: file, version: header.schemaVersion)
        }
        do {
            let baseline = try decoder.decode(Baseline.self, from: data)
            try baseline.checkNumbers()
            return baseline
        } catch let error as NumberOutOfRange {
            throw .malformed(file: file, problem: error.description)
        } catch let error as DecodingError {
            throw .malformed(file: file, problem: BaselineError.describe(error))
        } catch {
            throw .malformed(file: file, problem: "\(error)")
        }
    }

    /// Reads and decodes a baseline file.
    public static func load(path: String) throws(BaselineError) -> Baseline {
        let data: Data
        do {
            data = try InputFile.read(path)
        } catch {
            throw .unreadable(file: path, reason: error.reason)
        }
        return try decode(data, file: path)
    }

    /// Refuses a baseline recorded for another database: every finding would read as new.
    /// `file` only names the source in the error.
    public func checkDatabase(of report: Report, file: String? = nil) throws(BaselineError) {
        guard let database, let current = report.source.database, database != current else {
            return
        }
        throw .otherDatabase(file: file, baseline: database, input: current)
    }

    /// Sorts today's findings into new, worse and unchanged against this baseline, and lists
    /// the baseline's findings that are gone as resolved. See ``BaselineComparison``.
    public func compare(with report: Report) -> BaselineComparison {
        var remaining: [String: [BaselineFinding]] = [:]
        for finding in findings { remaining[finding.identity, default: []].append(finding) }
        var new: [BaselineFinding] = []
        var worse: [BaselineChange] = []
        var unchanged: [BaselineChange] = []
        for current in Self.findings(of: report) {
            guard var candidates = remaining[current.identity], !candidates.isEmpty else {
                new.append(current)
                continue
            }
            let recorded = candidates.removeFirst()
            remaining[current.identity] = candidates
            let change = BaselineChange(baseline: recorded, current: current)
            if change.isWorse { worse.append(change) } else { unchanged.append(change) }
        }
        let resolved = findings.filter { finding in
            guard var left = remaining[finding.identity], !left.isEmpty else { return false }
            left.removeFirst()
            remaining[finding.identity] = left
            return true
        }
        return BaselineComparison(
            baselineCreatedAt: createdAt, new: new, worse: worse, unchanged: unchanged,
            resolved: resolved, breaches: report.gate.breaches)
    }

    /// Read before the whole file, so that another kind or version gets its own error.
    private struct Header: Decodable {
        var kind: String?
        var schemaVersion: Int?

        private enum CodingKeys: String, CodingKey {
            case kind
            case schemaVersion = "schema_version"
        }
    }
}

/// A finding in both the baseline and today's report.
public struct BaselineChange: Codable, Sendable, Equatable {
    public var baseline: BaselineFinding
    public var current: BaselineFinding

    public init(baseline: BaselineFinding, current: BaselineFinding) {
        self.baseline = baseline
        self.current = current
    }

    /// A value must move at least this share of the baseline's value in the bad direction
    /// (10%) to count as worse at the same severity, so that day-to-day noise in a size or a
    /// rate does not fail a build.
    public static let worseTolerance = 0.10

    /// Worse when the severity went up, or, for threshold findings at the same severity, when
    /// the value moved at least ``worseTolerance`` of the baseline value in the key's bad
    /// direction (up for sizes, down for `cache_hit_ratio` and `days_to_critical`). Rule
    /// findings are worse only by severity.
    public var isWorse: Bool {
        if current.severity != baseline.severity { return current.severity > baseline.severity }
        guard let key = current.thresholdKey, let now = current.value, let then = baseline.value
        else { return false }
        let movedTowardWorse = key.direction == .higherIsWorse ? now - then : then - now
        // A relative epsilon keeps an exact 10% step from losing to rounding.
        let needed = Self.worseTolerance * abs(then) * (1 - 1e-9)
        return movedTowardWorse > 0 && movedTowardWorse >= needed
    }
}

/// Today's findings against a baseline.
///
/// - `new`: not in the baseline (matched by id and target).
/// - `worse`: in the baseline, and either the severity went up, or, at the same severity, a
///   threshold value moved at least 10% (``BaselineChange/worseTolerance``) of the baseline's
///   value in the bad direction. Rule findings are worse only by severity.
/// - `unchanged`: in the baseline and not worse (better counts as unchanged).
/// - `resolved`: in the baseline, gone today.
///
/// The gate (``gate(failOn:)``) fails only on new or worse threshold findings at or above
/// `fail_on`. Recommendations are compared and reported but never fail the gate, just as
/// without a baseline, where the gate is the thresholds crossed.
public struct BaselineComparison: Codable, Sendable, Equatable {
    public var baselineCreatedAt: Date
    public var new: [BaselineFinding]
    public var worse: [BaselineChange]
    public var unchanged: [BaselineChange]
    public var resolved: [BaselineFinding]
    /// Today's breaches, all of them: the gate lists them and judges only the new or worse.
    public var breaches: [GateBreach]

    private enum CodingKeys: String, CodingKey {
        case baselineCreatedAt = "baseline_created_at"
        case new
        case worse
        case unchanged
        case resolved
        case breaches
    }

    public init(
        baselineCreatedAt: Date, new: [BaselineFinding], worse: [BaselineChange],
        unchanged: [BaselineChange], resolved: [BaselineFinding], breaches: [GateBreach]
    ) {
        self.baselineCreatedAt = baselineCreatedAt
        self.new = new
        self.worse = worse
        self.unchanged = unchanged
        self.resolved = resolved
        self.breaches = breaches
    }

    /// The new or worse findings that fail the gate at `failOn`.
    public func failing(failOn: FailOn) -> [BaselineFinding] {
        (new + worse.map(\.current)).filter { $0.gates && failOn.fails(on: $0.severity) }
    }

    /// The gate with the baseline: every breach of today listed, passed unless a new or worse
    /// one is at or above `failOn`.
    public func gate(failOn: FailOn) -> GateResult {
        GateResult(failOn: failOn, passed: failing(failOn: failOn).isEmpty, breaches: breaches)
    }

    /// Whether a finding of today is new, worse or unchanged.
    public func status(of finding: BaselineFinding) -> BaselineStatus {
        if new.contains(finding) { return .new }
        if worse.contains(where: { $0.current == finding }) { return .worse }
        return .unchanged
    }

    public func status(of breach: GateBreach) -> BaselineStatus {
        status(of: BaselineFinding(breach: breach))
    }

    public func status(of recommendation: Recommendation) -> BaselineStatus {
        status(of: BaselineFinding(recommendation: recommendation))
    }
}

/// Where a finding of today stands against the baseline.
public enum BaselineStatus: String, Codable, Sendable {
    case new, worse, unchanged
}

/// A baseline file that cannot be used. The CLI maps every case to exit status 2.
public enum BaselineError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(file: String, reason: String)
    case malformed(file: String?, problem: String)
    case wrongKind(file: String?, kind: String?)
    case unsupportedVersion(file: String?, version: Int?)
    case otherDatabase(file: String?, baseline: String, input: String)

    public var description: String {
        let rewrite = "write a new one with `dbadvise check --write-baseline FILE`"
        switch self {
        case let .unreadable(file, reason):
            return "cannot read baseline \(file): \(reason)"
        case let .malformed(file, problem):
            return "cannot read baseline \(file ?? "(input)"): \(problem)"
        case let .wrongKind(file, kind):
            let found = kind.map { "kind \"\($0)\"" } ?? "no kind"
            return "\(file ?? "baseline") is not a dbadvise baseline (\(found), expected "
                + "\"\(Baseline.kindName)\"); \(rewrite)"
        case let .unsupportedVersion(file, version):
            let found = version.map { "schema_version \($0)" } ?? "no schema_version"
            return "\(file ?? "baseline"): \(found) is not supported (this dbadvise reads "
                + "\(Baseline.currentSchemaVersion)); \(rewrite)"
        case let .otherDatabase(file, baseline, input):
            return "baseline\(file.map { " \($0)" } ?? "") records database \"\(baseline)\" but the input is "
                + "\"\(input)\"; use that database's baseline or \(rewrite)"
        }
    }

    /// One line for a decoding failure: where and what.
    static func describe(_ error: DecodingError) -> String {
        if case .dataCorrupted(let context) = error, context.codingPath.isEmpty {
            return "not valid JSON"
        }
        return DecodingErrorText.describe(error)
    }
}

extension Baseline {
    /// Throws for the first value or limit that is not finite within ±2^53 (a value may be a
    /// negative growth, so only the magnitude is bounded).
    public func checkNumbers() throws(NumberOutOfRange) {
        let c = NumberChecker()
        for (i, finding) in findings.enumerated() {
            try c.check(finding.value, .signed, "findings[\(i)].value")
            try c.check(finding.limit, .signed, "findings[\(i)].limit")
        }
    }
}
