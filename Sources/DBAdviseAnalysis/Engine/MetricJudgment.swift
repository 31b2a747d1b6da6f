import DBAdviseModel
import Foundation

/// One judgment of a database-wide metric, read alike by the rules and the gate: its value,
/// and whether it measures anything at all.
///
/// A number can be shown and still be no measurement: a rate over a few seconds since a reset
/// (the window is unsettled), a hit ratio over a handful of catalog reads or from a cold
/// cache, a growth slope over two snapshots minutes apart. The report shows such a value; no
/// rule acts on it and the gate does not break on it.
public struct MetricJudgment: Sendable, Equatable {
    public var key: ThresholdKey
    /// The measured value in the key's measured unit; nil when unknown.
    public var value: Double?
    /// Why the value measures nothing to judge; nil when it does.
    public var unmeasuredReason: String?

    public init(key: ThresholdKey, value: Double?, unmeasuredReason: String? = nil) {
        self.key = key
        self.value = value
        self.unmeasuredReason = value == nil ? nil : unmeasuredReason
    }

    /// The value when it is a measurement, else nil: what thresholds are compared with.
    public var judged: Double? { unmeasuredReason == nil ? value : nil }
}

extension RuleContext {
    /// The judgment of a database-wide key (nil for keys judged per table, partition or
    /// forecast: `table_size_gb`, `partition_size_gb`, `dead_tuple_ratio`, `days_to_critical`).
    public func judgment(_ key: ThresholdKey) -> MetricJudgment? {
        switch key {
        case .databaseSizeGB: return MetricJudgment(key: key, value: metrics.databaseBytes.map(Double.init))
        case .writesPerSecond: return windowed(key, metrics.writesPerSecond)
        case .activeSessionsPerVCPU: return windowed(key, metrics.activeSessionsPerVCPU)
        case .replicationLagSeconds: return MetricJudgment(key: key, value: metrics.replicationLagSeconds)
        case .connectionsUsedRatio: return MetricJudgment(key: key, value: metrics.connectionsUsedRatio)
        case .cacheHitRatio: return cacheHitJudgment
        case .transactionIDAge:
            return MetricJudgment(key: key, value: snapshot.database?.datfrozenxidAge.map(Double.init))
        case .databaseGrowthGBPerDay:
            guard let trend = sizeTrends?.database else { return MetricJudgment(key: key, value: nil) }
            return MetricJudgment(
                key: key, value: trend.slopeBytesPerDay,
                unmeasuredReason: Forecasts.seriesTooShort(trend, policy: config.measurement))
        case .tableSizeGB, .partitionSizeGB, .deadTupleRatio, .daysToCritical:
            return nil
        }
    }

    /// A rate or sampled load: a measurement only over a settled window.
    private func windowed(_ key: ThresholdKey, _ value: Double?) -> MetricJudgment {
        MetricJudgment(
            key: key, value: value,
            unmeasuredReason: window.settled
                ? nil : "the \(window.description) is unsettled: \(window.unsettledReason ?? "")")
    }

    /// The hit ratio counts only over enough block accesses, and not from a cold cache.
    private var cacheHitJudgment: MetricJudgment {
        let key = ThresholdKey.cacheHitRatio
        let ratio = metrics.cacheHitRatio
        if let cold = window.coldCacheReason {
            return MetricJudgment(key: key, value: ratio, unmeasuredReason: "the cache is cold: \(cold)")
        }
        let rates = snapshot.rates
        guard let hit = rates.blksHitPerSecond, let read = rates.blksReadPerSecond, let seconds = intervalSeconds
        else { return MetricJudgment(key: key, value: ratio) }
        let perSecond = hit + read
        let blocks = perSecond * seconds
        guard blocks >= ThresholdKey.minimumBlocksForCacheHitRatio,
            perSecond >= ThresholdKey.minimumBlocksPerSecondForCacheHitRatio
        else {
            return MetricJudgment(
                key: key, value: ratio,
                unmeasuredReason:
                    "only \(Formatting.grouped(Int(saturating: blocks.rounded()))) shared-buffer accesses "
                    + "(\(Formatting.rate(perSecond))/s) over the \(window.description); a ratio needs "
                    + "\(Formatting.grouped(Int(ThresholdKey.minimumBlocksForCacheHitRatio))) and "
                    + "\(Formatting.number(ThresholdKey.minimumBlocksPerSecondForCacheHitRatio))/s")
        }
        return MetricJudgment(key: key, value: ratio)
    }
}
