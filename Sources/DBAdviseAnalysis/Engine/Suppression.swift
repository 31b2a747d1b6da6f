import DBAdviseModel
import Foundation

/// A finding an `ignore:` entry kept out of the recommendations or the gate, with the entry's
/// reason: the report lists every one, so nothing is silenced without a trace.
public struct SuppressedFinding: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable { case recommendation, breach }

    public var kind: Kind
    /// The rule id (recommendations) or threshold key (breaches).
    public var rule: String
    public var target: String
    public var severity: Severity
    /// The recommendation's title, or the breach as the gate words it.
    public var finding: String
    /// The `ignore:` entry's reason and last day.
    public var reason: String
    public var until: String?

    public init(
        kind: Kind, rule: String, target: String, severity: Severity, finding: String, reason: String,
        until: String?
    ) {
        self.kind = kind
        self.rule = rule
        self.target = target
        self.severity = severity
        self.finding = finding
        self.reason = reason
        self.until = until
    }

    private enum CodingKeys: String, CodingKey { case kind, rule, target, severity, finding, reason, until }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .kind)
        try container.encode(rule, forKey: .rule)
        try container.encode(target, forKey: .target)
        try container.encode(severity, forKey: .severity)
        try container.encode(finding, forKey: .finding)
        try container.encode(reason, forKey: .reason)
        try container.encode(until, forKey: .until)
    }
}

/// Applies the config's `ignore:` entries to a report's findings.
///
/// An entry naming a rule removes that rule's recommendations (on its target, or on every
/// target) and with each one its gate breach: the breaches on the same target of the threshold
/// keys the rule reads. An entry naming a threshold key removes that key's breaches. An entry
/// past its `until` day (judged at the latest snapshot's time) suppresses nothing and becomes
/// a warning.
public enum Suppression {
    public struct Outcome: Sendable, Equatable {
        public var recommendations: [Recommendation]
        public var breaches: [GateBreach]
        public var suppressed: [SuppressedFinding]
        /// One sentence per expired entry.
        public var warnings: [String]
    }

    public static func apply(
        _ entries: [IgnoreEntry], asOf: Date, recommendations: [Recommendation], breaches: [GateBreach],
        thresholdsOfRule: [String: [ThresholdKey]]
    ) -> Outcome {
        let active = entries.filter { $0.isActive(asOf: asOf) }
        let warnings = entries.filter { !$0.isActive(asOf: asOf) }.map { entry in
            "ignore entry \(entry.subject) expired on \(entry.until ?? "?") (\(entry.reason)): it no longer "
                + "suppresses; renew its until date or remove it"
        }
        func matching(_ rule: String, _ target: String) -> IgnoreEntry? {
            active.first { $0.rule == rule && ($0.target == nil || $0.target == target) }
        }
        var kept: [Recommendation] = []
        var suppressed: [SuppressedFinding] = []
        // (target, key) → the entry whose recommendation took the breach with it
        var breachOwners: [(target: String, keys: [ThresholdKey], entry: IgnoreEntry)] = []
        for recommendation in recommendations {
            guard let entry = matching(recommendation.rule, recommendation.target) else {
                kept.append(recommendation)
                continue
            }
            suppressed.append(
                SuppressedFinding(
                    kind: .recommendation, rule: recommendation.rule, target: recommendation.target,
                    severity: recommendation.severity, finding: recommendation.title, reason: entry.reason,
                    until: entry.until))
            breachOwners.append((recommendation.target, thresholdsOfRule[recommendation.rule] ?? [], entry))
        }
        var keptBreaches: [GateBreach] = []
        for breach in breaches {
            let entry =
                matching(breach.threshold.rawValue, breach.target)
                ?? breachOwners.first { $0.target == breach.target && $0.keys.contains(breach.threshold) }?.entry
            guard let entry else {
                keptBreaches.append(breach)
                continue
            }
            suppressed.append(
                SuppressedFinding(
                    kind: .breach, rule: breach.threshold.rawValue, target: breach.target,
                    severity: breach.severity, finding: EvidenceText.breach(breach), reason: entry.reason,
                    until: entry.until))
        }
        return Outcome(recommendations: kept, breaches: keptBreaches, suppressed: suppressed, warnings: warnings)
    }
}
