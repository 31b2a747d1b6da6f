import DBAdviseModel
import Foundation

/// Many databases in one report, most urgent first: what `collect --all-databases` /
/// `--dsn-file` print, and what `analyze --input FLEET_DIR/` prints for a directory of
/// per-database snapshot series. Each database keeps its whole report (``Report``).
public struct FleetReport: Codable, Sendable, Equatable {
    public static let currentSchemaVersion = 1
    public static let kindName = "dbadvise.fleet_report"

    public var schemaVersion: Int = FleetReport.currentSchemaVersion
    public var kind: String = FleetReport.kindName
    /// The dbadvise that wrote the report.
    public var tool: ToolInfo = .current
    public var generatedAt: Date
    /// Ranked by ``FleetReport/isMoreUrgent(_:than:)``; `rank` 1 is the most urgent.
    public var databases: [FleetDatabase]
    /// Entries that could not be read (a live collection only), with the reason.
    public var unreachable: [FleetFailure]
    public var gate: FleetGate

    /// One database's report with where it came from, before ranking.
    public struct Entry: Sendable {
        /// The per-database directory name (`host-port-dbname`).
        public var key: String
        public var connection: ConnectionInfo
        public var report: Report

        public init(key: String, connection: ConnectionInfo, report: Report) {
            self.key = key
            self.connection = connection
            self.report = report
        }
    }

    /// Ranks the entries and gates them with `failOn`.
    public init(
        entries: [Entry], unreachable: [FleetFailure], failOn: FailOn, generatedAt: Date = Date()
    ) {
        self.generatedAt = generatedAt
        let databases = entries.map(FleetDatabase.init(entry:))
            .sorted(by: Self.isMoreUrgent)
        self.databases = databases.enumerated().map { index, database in
            var ranked = database
            ranked.rank = index + 1
            return ranked
        }
        self.unreachable = unreachable
        let failed = self.databases.filter { !$0.report.gate.passed }.map(\.key)
        self.gate = FleetGate(failOn: failOn, passed: failed.isEmpty, failed: failed)
    }

    /// Urgency: the worst severity among the findings (recommendations and gate breaches);
    /// then more critical findings; then
    /// more warnings; then the next scaling step higher on the ladder (sharding takes longer
    /// to prepare than a larger machine); then the larger database; then the name.
    public static func isMoreUrgent(_ lhs: FleetDatabase, than rhs: FleetDatabase) -> Bool {
        let left = lhs.worstSeverity.map { Severity.allCases.firstIndex(of: $0) ?? 0 } ?? -1
        let right = rhs.worstSeverity.map { Severity.allCases.firstIndex(of: $0) ?? 0 } ?? -1
        if left != right { return left > right }
        if lhs.findings.critical != rhs.findings.critical {
            return lhs.findings.critical > rhs.findings.critical
        }
        if lhs.findings.warning != rhs.findings.warning {
            return lhs.findings.warning > rhs.findings.warning
        }
        let leftStep = lhs.nextStep?.ladderPosition ?? -1
        let rightStep = rhs.nextStep?.ladderPosition ?? -1
        if leftStep != rightStep { return leftStep > rightStep }
        let leftBytes = lhs.report.metrics.databaseBytes ?? -1
        let rightBytes = rhs.report.metrics.databaseBytes ?? -1
        if leftBytes != rightBytes { return leftBytes > rightBytes }
        return lhs.key < rhs.key
    }

    private enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version"
        case kind
        case tool
        case generatedAt = "generated_at"
        case databases
        case unreachable
        case gate
    }
}

/// One ranked database.
public struct FleetDatabase: Codable, Sendable, Equatable {
    public var rank: Int
    /// The per-database directory name: `host-port-dbname`, sanitized.
    public var key: String
    public var database: String?
    public var host: String?
    public var port: String?
    /// The most severe finding (a recommendation or a gate breach); null when there is none.
    public var worstSeverity: Severity?
    /// Recommendations and gate breaches by severity.
    public var findings: FindingCounts
    /// The first recommendation that is a scaling step; null: stay on one box.
    public var nextStep: Strategy?
    public var summary: String
    public var report: Report

    public init(entry: FleetReport.Entry) {
        let severities =
            entry.report.recommendations.map(\.severity) + entry.report.gate.breaches.map(\.severity)
        rank = 0
        key = entry.key
        database = entry.report.source.database ?? entry.connection.database
        host = entry.connection.host
        port = entry.connection.port
        worstSeverity = severities.max()
        findings = FindingCounts(
            critical: severities.count { $0 == .critical }, warning: severities.count { $0 == .warning },
            info: severities.count { $0 == .info })
        nextStep = entry.report.nextStep?.strategy
        summary = entry.report.summary
        report = entry.report
    }

    private enum CodingKeys: String, CodingKey {
        case rank
        case key
        case database
        case host
        case port
        case worstSeverity = "worst_severity"
        case findings
        case nextStep = "next_step"
        case summary
        case report
    }

    /// Unknown values are written as null, not left out.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(rank, forKey: .rank)
        try container.encode(key, forKey: .key)
        try container.encode(database, forKey: .database)
        try container.encode(host, forKey: .host)
        try container.encode(port, forKey: .port)
        try container.encode(worstSeverity, forKey: .worstSeverity)
        try container.encode(findings, forKey: .findings)
        try container.encode(nextStep, forKey: .nextStep)
        try container.encode(summary, forKey: .summary)
        try container.encode(report, forKey: .report)
    }
}

/// How many findings (recommendations and gate breaches) of each severity one database has.
public struct FindingCounts: Codable, Sendable, Equatable {
    public var critical: Int
    public var warning: Int
    public var info: Int

    public init(critical: Int, warning: Int, info: Int) {
        self.critical = critical
        self.warning = warning
        self.info = info
    }
}

/// An entry of a live fleet collection that could not be read. `entry` names it without its
/// password.
public struct FleetFailure: Codable, Sendable, Equatable {
    public var entry: String
    public var reason: String

    public init(entry: String, reason: String) {
        self.entry = entry
        self.reason = reason
    }
}

/// The fleet's gate: it passes when every database's gate passes.
public struct FleetGate: Codable, Sendable, Equatable {
    public var failOn: FailOn
    public var passed: Bool
    /// The keys of the databases whose gate failed, in rank order.
    public var failed: [String]

    private enum CodingKeys: String, CodingKey {
        case failOn = "fail_on"
        case passed
        case failed
    }

    public init(failOn: FailOn, passed: Bool, failed: [String]) {
        self.failOn = failOn
        self.passed = passed
        self.failed = failed
    }
}
