import DBAdviseModel
import Foundation

/// The gate: every threshold key crossed is a breach named after the key, in the key's
/// configured unit; the gate fails when a breach is at or above `fail_on`.
public enum GateEvaluator {
    public static func evaluate(_ context: RuleContext, failOn: FailOn) -> GateResult {
        var breaches: [GateBreach] = []
        func check(_ key: ThresholdKey, _ target: String, _ measured: Double?) {
            guard let measured else { return }
            let levels = context.levels(key)
            guard let severity = levels.severity(of: measured) else { return }
            let limit = severity == .critical ? levels.critical : levels.warning
            let scale = key.unit.measured(1)
            breaches.append(
                GateBreach(
                    threshold: key, target: target, value: tidy(measured / scale, key: key),
                    limit: limit, unit: key.unit.rawValue, severity: severity))
        }
        let database = context.databaseName
        for key in ThresholdKey.allCases {
            // Database-wide keys read the same judgment as the rules: a rate over an unsettled
            // window, a hit ratio over a few blocks or from a cold cache, a growth slope over
            // too short a series are shown in the report but are no measurement to break on.
            if let judgment = context.judgment(key) {
                check(key, database, judgment.judged)
                continue
            }
            switch key {
            case .tableSizeGB:
                for table in context.sizes.unpartitionedTables {
                    check(key, table.name, Double(table.bytes))
                }
            case .partitionSizeGB:
                for partition in context.sizes.partitions {
                    check(key, partition.name, Double(partition.bytes))
                }
            case .deadTupleRatio:
                for table in context.snapshot.tables ?? [] {
                    check(key, table.qualifiedName, deadTupleRatio(table))
                }
            case .daysToCritical:
                for forecast in context.sizeTrends?.criticalForecasts(config: context.config) ?? [] {
                    check(key, forecast.breachTarget, forecast.days)
                }
            default:
                break
            }
        }
        breaches.sort {
            ($0.severity, $1.threshold.rawValue, $1.target) > ($1.severity, $0.threshold.rawValue, $0.target)
        }
        let passed = !breaches.contains { failOn.fails(on: $0.severity) }
        return GateResult(failOn: failOn, passed: passed, breaches: breaches)
    }

    /// n_dead_tup / (n_live_tup + n_dead_tup) for tables big enough to judge, else nil.
    public static func deadTupleRatio(_ table: TableStats) -> Double? {
        guard let live = table.nLiveTup, let dead = table.nDeadTup else { return nil }
        let total = Double(live + dead)
        guard total >= ThresholdKey.minimumRowsForDeadTupleRatio else { return nil }
        return Double(dead) / total
    }

    /// Two decimals (GB, ratios, rates); days to one, a forecast is no more precise than that.
    private static func tidy(_ value: Double, key: ThresholdKey) -> Double {
        let scale = key.unit == .days ? 10.0 : 100.0
        return (value * scale).rounded() / scale
    }
}
