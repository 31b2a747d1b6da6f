import DBAdviseModel
import Foundation

/// A series of snapshots that cannot be analyzed together. The CLI maps it to exit status 2.
public enum AnalysisError: Error, Sendable, Equatable, CustomStringConvertible {
    case noSnapshots
    case mixedDatabases(first: String, other: String)

    public var description: String {
        switch self {
        case .noSnapshots:
            "no snapshot to analyze; pass --dsn or --input FILE|DIR"
        case let .mixedDatabases(first, other):
            "snapshots of different databases in one series (\(first) and \(other)); "
                + "analyze each database's snapshots separately"
        }
    }
}

/// Runs the ordered rules over a snapshot series and builds the report.
public struct Analyzer: Sendable {
    public let rules: [any Rule]
    /// Builds the report's `query_mix` (the rules module parses statements); nil when the
    /// statements are unavailable.
    public let queryMix: (@Sendable (RuleContext) -> QueryMix?)?

    public init(rules: [any Rule], queryMix: (@Sendable (RuleContext) -> QueryMix?)? = nil) {
        self.rules = rules
        self.queryMix = queryMix
    }

    /// Builds the report. `failOn` overrides `config.failOn` (the `--fail-on` flag); a
    /// `whatIf` scenario adds the plan at the scaled load (`isWrite` tells write statements
    /// from reads for the scaling, see ``SnapshotScaler``).
    public func report(
        snapshots: [Snapshot], config: Config, failOn: FailOn? = nil,
        sourceType: ReportSource.SourceType, generatedAt: Date = Date(),
        whatIf: WhatIfScenario? = nil, isWrite: (Statement) -> Bool? = { _ in nil }
    ) throws(AnalysisError) -> Report {
        let ordered = snapshots.sorted { $0.interval.finishedAt < $1.interval.finishedAt }
        guard let latest = ordered.last else { throw .noSnapshots }
        let identity = Self.identity(of: latest)
        if let other = ordered.first(where: { Self.identity(of: $0) != identity }) {
            throw .mixedDatabases(first: identity, other: Self.identity(of: other))
        }
        return report(
            latest: latest, history: SeriesHistory(snapshots: ordered), config: config, failOn: failOn,
            sourceType: sourceType, generatedAt: generatedAt, whatIf: whatIf, isWrite: isWrite)
    }

    /// Builds the report of a series given as its latest snapshot and its history (which
    /// ends with the latest snapshot's point): a history store's path, where the earlier
    /// snapshots are points only.
    public func report(
        latest: Snapshot, history: SeriesHistory, config: Config, failOn: FailOn? = nil,
        sourceType: ReportSource.SourceType, generatedAt: Date = Date(),
        whatIf: WhatIfScenario? = nil, isWrite: (Statement) -> Bool? = { _ in nil }
    ) -> Report {
        let context = RuleContext(latest: latest, history: history, config: config)
        let gate = failOn ?? config.failOn
        var report = report(context: context, failOn: gate, sourceType: sourceType, generatedAt: generatedAt)
        if let whatIf {
            let scaled = SnapshotScaler.scaled(latest, by: whatIf, isWrite: isWrite)
            let scaledReport = self.report(
                context: RuleContext(latest: scaled, config: config, scenario: true), failOn: gate,
                sourceType: sourceType,
                generatedAt: generatedAt)
            report.whatIf = ReportWhatIf(scenario: whatIf, scaled: scaledReport, today: report)
        }
        return report
    }

    /// Builds the report from a prepared context (tests use this with edited snapshots).
    public func report(
        context: RuleContext, failOn: FailOn, sourceType: ReportSource.SourceType,
        generatedAt: Date
    ) -> Report {
        var recommendations: [(order: Int, recommendation: Recommendation)] = []
        var quiet: [Strategy: [(rule: String, reason: String, evidence: [Evidence])]] = [:]
        var triggered = Set<Strategy>()
        var checked: [Strategy: [String]] = [:]
        for (order, rule) in rules.enumerated() {
            let description = rule.ruleDescription
            checked[description.strategy, default: []].append(description.id)
            switch rule.evaluate(context) {
            case let .recommend(list) where !list.isEmpty:
                triggered.insert(description.strategy)
                recommendations += list.map { (order, $0) }
            case .recommend:
                quiet[description.strategy, default: []].append(
                    (description.id, "\(description.id) found nothing", []))
            case let .notTriggered(reason, evidence):
                quiet[description.strategy, default: []].append((description.id, reason, evidence))
            }
        }
        let sorted = recommendations.sorted { lhs, rhs in
            let left = lhs.recommendation
            let right = rhs.recommendation
            if left.strategy != right.strategy { return left.strategy < right.strategy }
            if left.severity != right.severity { return left.severity > right.severity }
            return lhs.order < rhs.order
        }.map(\.recommendation)

        // The config's accepted findings leave the recommendations (and with them, their
        // breaches, below); a strategy left without one is "not recommended" with the reason.
        var gate = GateEvaluator.evaluate(context, failOn: failOn)
        let accepted = Suppression.apply(
            context.config.ignore, asOf: context.snapshot.interval.finishedAt, recommendations: sorted,
            breaches: gate.breaches,
            thresholdsOfRule: Dictionary(
                rules.map { ($0.ruleDescription.id, $0.ruleDescription.thresholds) }, uniquingKeysWith: { $1 }))
        gate.breaches = accepted.breaches
        gate.passed = !accepted.breaches.contains { failOn.fails(on: $0.severity) }
        triggered = Set(accepted.recommendations.map(\.strategy))
        for finding in accepted.suppressed where finding.kind == .recommendation {
            guard let strategy = sorted.first(where: { $0.rule == finding.rule })?.strategy else { continue }
            quiet[strategy, default: []].append(
                (finding.rule, "\(finding.rule) on \(finding.target) accepted in the config: \(finding.reason)", []))
        }

        let notRecommended = Strategy.allCases.filter { !triggered.contains($0) }.map { strategy in
            let entries = quiet[strategy] ?? []
            let reason =
                entries.isEmpty
                ? "no rule for \(strategy.rawValue) is registered"
                : entries.map(\.reason).reduce(into: [String]()) { unique, reason in
                    if !unique.contains(reason) { unique.append(reason) }
                }.joined(separator: "; ")
            return NotRecommended(
                strategy: strategy, reason: reason, evidence: entries.flatMap(\.evidence),
                rules: checked[strategy] ?? [])
        }

        let forecasts =
            context.trends.map { Forecasts.build(trends: $0, series: context.series, config: context.config) }
            ?? []
        let mix = queryMix?(context)
        var notes = context.notes
        // A value shown but judged no measurement (the gate and the rules skip it) says why.
        for key in ThresholdKey.allCases {
            if let judgment = context.judgment(key), let reason = judgment.unmeasuredReason {
                notes.append(MetricNote(metric: MetricKey(threshold: key), reason: "shown, not judged: \(reason)"))
            }
        }
        if queryMix != nil, mix == nil {
            notes.append(
                MetricNote(
                    metric: .queryMix, reason: context.statementsUnavailableReason ?? "no statement to classify"))
        }
        let snapshot = context.snapshot
        let source = ReportSource(
            type: sourceType, database: snapshot.database?.name ?? snapshot.connection.database,
            serverVersionNum: snapshot.server.versionNum,
            role: snapshot.replication?.role
                ?? snapshot.server.inRecovery.map { $0 ? "standby" : "primary" },
            snapshots: context.series.count, collectedAt: snapshot.interval.finishedAt)
        var report = Report(
            generatedAt: generatedAt, source: source,
            summary: Self.summary(accepted.recommendations, context: context, forecasts: forecasts),
            growthShape: context.growthShape, growthShapeReason: context.growthShapeReason,
            metrics: context.metrics, notes: notes, recommendations: accepted.recommendations,
            notRecommended: notRecommended,
            gate: gate,
            growth: context.trends.map { ReportGrowth(trends: $0, config: context.config) },
            forecasts: forecasts, queryMix: mix)
        report.hardware = context.resolvedHardware
        report.window = context.window
        report.capacity = context.capacity
        report.config = ReportConfig(origin: context.config.origin, warnings: accepted.warnings)
        report.suppressed = accepted.suppressed
        return report
    }

    /// One line: the next step, or "stay on one box" with the numbers that justify it.
    /// "Stay on one box" also says when the measured trend reaches a threshold within
    /// ``planningHorizonDays``: the time to plan the step is before the wall.
    static func summary(
        _ recommendations: [Recommendation], context: RuleContext, forecasts: [Forecast] = []
    ) -> String {
        if let next = recommendations.first(where: { $0.strategy.isScalingStep }) {
            return "Next step: \(next.strategy.displayName) — \(next.title) (\(next.target))."
        }
        let metrics = context.metrics
        var numbers: [String] = []
        if let writes = metrics.writesPerSecond { numbers.append("\(Formatting.rate(writes)) writes/s") }
        if let reads = metrics.readsPerSecond { numbers.append("\(Formatting.rate(reads)) reads/s") }
        if let perVCPU = metrics.activeSessionsPerVCPU {
            numbers.append("\(Formatting.rate(perVCPU)) active sessions per vCPU")
        }
        if let bytes = metrics.largestTableBytes { numbers.append("largest table \(Formatting.bytes(bytes))") }
        if let bytes = metrics.databaseBytes { numbers.append("database \(Formatting.bytes(bytes))") }
        if let cpu = context.capacity.resource("cpu"), let utilization = cpu.utilization {
            numbers.append("CPU at \(Formatting.percent(utilization)) of its target")
        }
        let measured = numbers.isEmpty ? "" : " (\(numbers.joined(separator: ", ")))"
        let unsettled = context.window.unsettledReason.map {
            " The rates are unsettled (\($0)): measure longer before acting on them."
        }
        let tuning = recommendations.isEmpty ? "" : "; fix the tuning findings below"
        let soon = forecasts.first { $0.days <= Self.planningHorizonDays }.map { forecast in
            " At the measured trend \(forecast.target) reaches \(forecast.threshold.rawValue) "
                + "\(forecast.level.rawValue) in ~\(Formatting.days(forecast.days)): plan the step now."
        }
        return
            "Stay on one box: measured load\(measured) needs no scaling step\(tuning).\(unsettled ?? "")\(soon ?? "")"
    }

    /// A quarter: a threshold the trend reaches within it is named in the summary.
    public static let planningHorizonDays = 90.0

    /// Two snapshots belong to one series when cluster and database match.
    public static func identity(of snapshot: Snapshot) -> String {
        let database = snapshot.database?.name ?? snapshot.connection.database ?? "?"
        if let system = snapshot.server.systemIdentifier { return "\(database)@\(system)" }
        return "\(database)@\(snapshot.connection.host ?? "local"):\(snapshot.connection.port ?? "5432")"
    }
}
