import DBAdviseModel
import Foundation

/// Sources the rules cite, spelled once.
public enum Manual {
    public static let waitEvents = "https://www.postgresql.org/docs/current/monitoring-stats.html#WAIT-EVENT-TABLE"
    public static let statActivity =
        "https://www.postgresql.org/docs/current/monitoring-stats.html#MONITORING-PG-STAT-ACTIVITY-VIEW"
    public static let statDatabase =
        "https://www.postgresql.org/docs/current/monitoring-stats.html#MONITORING-PG-STAT-DATABASE-VIEW"
    public static let statTables =
        "https://www.postgresql.org/docs/current/monitoring-stats.html#MONITORING-PG-STAT-ALL-TABLES-VIEW"
    public static let statIndexes =
        "https://www.postgresql.org/docs/current/monitoring-stats.html#MONITORING-PG-STAT-ALL-INDEXES-VIEW"
    public static let resourceMemory =
        "https://www.postgresql.org/docs/current/runtime-config-resource.html#RUNTIME-CONFIG-RESOURCE-MEMORY"
    public static let connections =
        "https://www.postgresql.org/docs/current/runtime-config-connection.html#GUC-MAX-CONNECTIONS"
    public static let walConfiguration = "https://www.postgresql.org/docs/current/wal-configuration.html"
    public static let walInternals = "https://www.postgresql.org/docs/current/wal-internals.html"
    public static let partitioning = "https://www.postgresql.org/docs/current/ddl-partitioning.html"
    public static let partitioningBestPractices =
        "https://www.postgresql.org/docs/current/ddl-partitioning.html#DDL-PARTITIONING-DECLARATIVE-BEST-PRACTICES"
    public static let pgStats = "https://www.postgresql.org/docs/current/view-pg-stats.html"
    public static let hotStandby = "https://www.postgresql.org/docs/current/hot-standby.html"
    public static let replication = "https://www.postgresql.org/docs/current/warm-standby.html#STREAMING-REPLICATION"
    public static let statReplication =
        "https://www.postgresql.org/docs/current/monitoring-stats.html#MONITORING-PG-STAT-REPLICATION-VIEW"
    public static let recoveryControl =
        "https://www.postgresql.org/docs/current/functions-admin.html#FUNCTIONS-RECOVERY-CONTROL"
    public static let replicationSlots =
        "https://www.postgresql.org/docs/current/warm-standby.html#STREAMING-REPLICATION-SLOTS"
    public static let slotWalKeepSize =
        "https://www.postgresql.org/docs/current/runtime-config-replication.html#GUC-MAX-SLOT-WAL-KEEP-SIZE"
    public static let statStatements = "https://www.postgresql.org/docs/current/pgstatstatements.html"
    public static let vacuum = "https://www.postgresql.org/docs/current/routine-vacuuming.html"
    public static let wraparound =
        "https://www.postgresql.org/docs/current/routine-vacuuming.html#VACUUM-FOR-WRAPAROUND"
    public static let citus = "https://docs.citusdata.com/en/stable/get_started/what_is_citus.html"
    public static let cqrs = "https://martinfowler.com/bliki/CQRS.html"
    public static let materializedViews = "https://www.postgresql.org/docs/current/rules-materializedviews.html"
    public static let logicalReplication = "https://www.postgresql.org/docs/current/logical-replication.html"
    public static let cacheAside =
        "https://docs.aws.amazon.com/whitepapers/latest/database-caching-strategies-using-redis/caching-patterns.html"
    public static let pgbouncer = "https://www.pgbouncer.org/features.html"
}

extension RuleContext {
    /// Evidence and severity of a database-wide metric against a threshold key. A null
    /// metric gives evidence with the note saying why.
    public func judge(_ metric: MetricKey, _ value: Double?, _ key: ThresholdKey) -> (
        evidence: Evidence, severity: Severity?
    ) {
        let levels = levels(key)
        let severity = value.flatMap(levels.severity(of:))
        let evidence = Evidence(
            metric: metric, value: value, levels: levels, severity: severity,
            note: value == nil ? note(for: metric) : nil)
        return (evidence, severity)
    }

    /// `0.42 < 0.7 active_sessions_per_vcpu warning`, or `unknown (reason)`.
    public func comparison(_ value: Double?, _ key: ThresholdKey, metric: MetricKey) -> String {
        let levels = levels(key)
        let unit = key.unit.measuredUnit
        guard let value else {
            return "\(metric) unknown (\(note(for: metric) ?? "not measured"))"
        }
        let severity = levels.severity(of: value)
        // Units are implied by the key's name except for sizes, shown as sizes.
        func show(_ number: Double) -> String {
            unit == .bytes ? Formatting.bytes(number) : Formatting.rate(number)
        }
        let limit = show(levels.measuredLimit(for: severity))
        let shown = show(value)
        let relation: String
        switch key.direction {
        case .higherIsWorse: relation = severity == nil ? "<" : "≥"
        case .lowerIsWorse: relation = severity == nil ? ">" : "≤"
        }
        let level = severity?.rawValue ?? "warning"
        return "\(metric) \(shown) \(relation) \(limit) \(key.rawValue) \(level)"
    }

    /// Whether the primary is short of what moving load away relieves (CPU or IO, per the
    /// capacity model, over a settled window): replicas, caches and read models are worth
    /// their cost only then. Nil when it is busy; otherwise the reason it is not.
    public func primaryHeadroom() -> String? {
        guard window.settled else {
            return "the window is unsettled (\(window.unsettledReason ?? "")): no load to move is measured"
        }
        guard capacity.saturated.contains(where: { ["cpu", "io"].contains($0.resource) }) else {
            let cpu = capacity.resource("cpu")?.utilization.map(Formatting.percent) ?? "unknown"
            let io = capacity.resource("io")?.utilization.map(Formatting.percent) ?? "unknown"
            return "the primary has headroom (CPU at \(cpu), IO at \(io) of their targets): "
                + "moving load off it would remove nothing that hurts"
        }
        return nil
    }

    /// Sessions a set of statements keeps busy: their execution time per second of the window.
    public func busySessions(ofStatementTimeMs milliseconds: Double) -> Double? {
        intervalSeconds.map { milliseconds / 1_000 / $0 }
    }

    /// The share of active time spent in each wait class, from the activity samples.
    public func waitShare(_ types: [String]) -> Double? {
        guard let activity = snapshot.activity, activity.avgActiveSessions > 0 else { return nil }
        let total = activity.waitEventTypes.values.reduce(0, +)
        guard total > 0 else { return nil }
        return types.reduce(0) { $0 + (activity.waitEventTypes[$1] ?? 0) } / total
    }
}

extension RuleParameter {
    /// The evidence line for a parameter-based comparison.
    public func evidence(metric: MetricKey, value: Double?, note: String? = nil) -> Evidence {
        Evidence(metric: metric, value: value, threshold: self.value, unit: unit, note: note)
    }
}

/// `2 × 16 = 32 vCPUs` style sizing: the next machine up, capped by the ceiling.
public func nextSize(current: Double, ceiling: Double?) -> Double {
    let doubled = current * 2
    guard let ceiling else { return doubled }
    return min(doubled, ceiling)
}
