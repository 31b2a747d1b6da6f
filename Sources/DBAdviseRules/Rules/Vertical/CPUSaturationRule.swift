import DBAdviseAnalysis
import DBAdviseModel

/// Sessions on CPU beyond what the machine's vCPUs carry: the load a bigger machine relieves
/// first, sized from the measured demand.
///
/// Demand is the capacity model's CPU sessions: active sessions with no wait event or waiting
/// on in-memory contention (`LWLock`, `BufferPin`, `IPC`: `CapacityModel.cpuSideWaitTypes`,
/// pg_stat_activity samples), or statement time per second over a sampled interval when that
/// is larger (sub-millisecond statements slip between samples). Sessions waiting on `Lock`
/// are left out: they wait for each other, and more cores would not release a row lock (see
/// `tuning-lock-contention`). The window must be settled; the size named is the smallest
/// machine that carries the demand at the `active_sessions_per_vcpu` warning level, up to
/// the ceiling (`hardware.max_vcpus`, else the assumed 128).
public struct CPUSaturationRule: Rule {
    public static let description = RuleDescription(
        id: "vertical-cpu-saturation", strategy: .vertical,
        title: "Move to a machine with more vCPUs",
        rationale: """
            When the sessions on CPU approach the number of vCPUs, queries queue for a core. \
            Sessions active with no wait event are on CPU, and so are those waiting on LWLock, \
            BufferPin or IPC (in-memory contention and parallel workers: how a saturated CPU \
            shows in the samples); statement time per second counts \
            the short statements that sampling misses; sessions waiting on locks are contention, \
            not a CPU shortage. A larger instance is the cheapest step that relieves CPU, sized \
            from the demand at the active_sessions_per_vcpu warning level, up to hardware.max_vcpus.
            """,
        sources: [Manual.statActivity, Manual.waitEvents, Manual.statStatements],
        thresholds: [.activeSessionsPerVCPU],
        inputs: [
            "activity.avg_active_sessions", "activity.wait_event_types", "statements.total_exec_time_ms",
            "interval", "hardware.vcpus", "hardware.max_vcpus", "host.vcpus",
        ])

    public init() {}

    public func evaluate(_ context: RuleContext) -> RuleVerdict {
        let capacity = context.capacity
        let cpu = capacity.resource("cpu")
        let evidence = context.cpuEvidence()
        guard let cpu, let demand = cpu.demand, let vcpus = context.hardware.vcpus else {
            return pass("CPU demand or vCPUs unknown (\(context.resolvedHardware.summary))", evidence)
        }
        let perVCPU = demand / Double(vcpus)
        guard context.window.settled else {
            return pass(
                "\(Formatting.rate(demand)) sessions on CPU over the \(context.window.description) is unsettled "
                    + "(\(context.window.unsettledReason ?? "")); \(MeasurementWindow.measureNext)", evidence)
        }
        guard cpu.saturated else {
            return pass(
                "CPU has headroom: \(Formatting.rate(demand)) sessions on CPU on \(vcpus) vCPUs "
                    + "(\(Formatting.rate(perVCPU)) per vCPU < \(Formatting.rate(capacity.targetPerVCPU)) target)",
                evidence)
        }
        let levels = context.levels(.activeSessionsPerVCPU)
        let severity: Severity = perVCPU >= levels.critical ? .critical : .warning
        let ceiling = context.hardware.maxVCPUs ?? ResolvedHardware.assumedMaxVCPUs
        let needed = capacity.vcpusNeeded() ?? vcpus * 2
        var actions: [String] = []
        if vcpus >= ceiling {
            actions.append("The primary is at the \(ceiling)-vCPU ceiling; see the sharding findings.")
        } else if needed > ceiling {
            actions.append(
                "Move the primary from \(vcpus) to \(ceiling) vCPUs (the ceiling); the demand needs \(needed), "
                    + "so plan the next step (read replicas for reads, then sharding for writes).")
        } else {
            actions.append(
                "Move the primary from \(vcpus) to \(needed) vCPUs: \(Formatting.rate(demand)) sessions on CPU at "
                    + "\(Formatting.rate(capacity.targetPerVCPU)) per vCPU (ceiling \(ceiling)).")
        }
        actions.append("Check the top statements by total time for plans that burn CPU (missing indexes, large sorts).")
        let summary =
            "\(Formatting.rate(demand)) sessions on CPU on \(vcpus) vCPUs (\(Formatting.rate(perVCPU)) per vCPU ≥ "
            + "\(Formatting.rate(capacity.targetPerVCPU)) target) over the \(context.window.description)."
        return .recommend([
            recommendation(
                severity: severity, target: context.databaseName, summary: summary, evidence: evidence,
                actions: actions)
        ])
    }
}
