import DBAdviseAnalysis
import DBAdviseModel

/// The primary is saturated and already the largest machine available.
public struct VerticalCeilingRule: Rule {
    public static let description = RuleDescription(
        id: "shard-vertical-ceiling", strategy: .sharding,
        title: "Shard: no larger machine is left",
        rationale: """
            Vertical scaling ends at the largest instance the team can buy (hardware.max_vcpus). \
            A primary that is saturated at that size has no cheaper step left for its writes: \
            spread the load over several primaries with Citus.
            """,
        sources: [Manual.citus, Manual.statActivity] + ShardKeyRanking.sources,
        thresholds: [.activeSessionsPerVCPU], parameters: ShardKeyRanking.parameters,
        inputs: ["activity.avg_active_sessions", "hardware.vcpus", "hardware.max_vcpus"] + ShardKeyRanking.inputs)

    public init() {}

    public func evaluate(_ context: RuleContext) -> RuleVerdict {
        let perVCPU = context.metrics.activeSessionsPerVCPU
        let (evidence, severity) = context.judge(.activeSessionsPerVCPU, perVCPU, .activeSessionsPerVCPU)
        guard let vcpus = context.hardware.vcpus, let ceiling = context.hardware.maxVCPUs else {
            return pass("hardware.vcpus or hardware.max_vcpus is not configured", [evidence])
        }
        let headroom = Evidence(
            metric: .vcpuHeadroom, value: Double(ceiling) / Double(vcpus), threshold: 1, unit: .times,
            note: "hardware.max_vcpus \(ceiling) / hardware.vcpus \(vcpus)")
        let cpuSaturated = context.window.settled && context.capacity.resource("cpu")?.saturated == true
        guard vcpus >= ceiling, severity == .critical, cpuSaturated else {
            let reason =
                vcpus < ceiling
                ? "vertical headroom \(Formatting.rate(Double(ceiling) / Double(vcpus)))× (\(vcpus) of \(ceiling) vCPUs)"
                : cpuSaturated
                    ? "at the \(ceiling)-vCPU ceiling but \(context.comparison(perVCPU, .activeSessionsPerVCPU, metric: .activeSessionsPerVCPUSpoken))"
                    : "at the \(ceiling)-vCPU ceiling, but CPU is not saturated over a settled window"
            return pass(reason, [evidence, headroom])
        }
        return .recommend([
            recommendation(
                severity: .critical, target: context.databaseName,
                summary:
                    "The primary has \(vcpus) vCPUs, the ceiling, and \(context.comparison(perVCPU, .activeSessionsPerVCPU, metric: .activeSessionsPerVCPUSpoken)).",
                evidence: [evidence, headroom] + ShardKeyRanking.evidence(context.snapshot),
                actions: ["Move read load to replicas and caches first if reads dominate."]
                    + ShardKeyRanking.citusActions(context.snapshot))
        ])
    }
}
