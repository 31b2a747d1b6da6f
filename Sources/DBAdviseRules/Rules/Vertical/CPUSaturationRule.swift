import DBAdviseCore

/// Active sessions per vCPU: the load a bigger machine relieves first.
public struct CPUSaturationRule: Rule {
    public static let cpuWaitTypes = ["CPU"]
    public static let ioWaitTypes = ["IO"]

    public static let description = RuleDescription(
        id: "vertical-cpu-saturation", strategy: .vertical,
        title: "Move to a machine with more vCPUs",
        rationale: """
            When the average number of active sessions approaches the number of vCPUs, \
            queries queue for a core. Sessions active with no wait event are on CPU; IO waits \
            point at memory and storage instead. A larger instance is the cheapest step that \
            relieves it, up to hardware.max_vcpus.
            """,
        sources: [Manual.statActivity, Manual.waitEvents],
        thresholds: [.activeSessionsPerVCPU],
        inputs: [
            "activity.avg_active_sessions", "activity.wait_event_types", "hardware.vcpus",
            "hardware.max_vcpus",
        ])

    public init() {}

    public func evaluate(_ context: RuleContext) -> RuleVerdict {
        let perVCPU = context.metrics.activeSessionsPerVCPU
        let (evidence, severity) = context.judge("active_sessions_per_vcpu", perVCPU, .activeSessionsPerVCPU)
        guard let severity, let perVCPU, let vcpus = context.hardware.vcpus else {
            return pass(
                context.comparison(perVCPU, .activeSessionsPerVCPU, metric: "active sessions per vCPU"), [evidence])
        }
        let cpuShare = context.waitShare(Self.cpuWaitTypes)
        let ioShare = context.waitShare(Self.ioWaitTypes)
        var all = [evidence]
        all.append(
            Evidence(
                metric: "cpu_wait_share", value: cpuShare, threshold: nil, unit: "ratio",
                note: cpuShare == nil ? "no wait-event samples" : nil))
        all.append(Evidence(metric: "io_wait_share", value: ioShare, threshold: nil, unit: "ratio"))
        all.append(
            Evidence(
                metric: "vcpus", value: Double(vcpus), threshold: context.hardware.maxVCPUs.map(Double.init),
                unit: "vCPUs", note: "threshold: hardware.max_vcpus, the vertical ceiling"))
        let target = nextSize(current: Double(vcpus), ceiling: context.hardware.maxVCPUs.map(Double.init))
        var actions: [String] = []
        if Double(vcpus) < target {
            actions.append(
                "Move the primary from \(vcpus) to \(Formatting.number(target)) vCPUs"
                    + (context.hardware.maxVCPUs.map { " (ceiling \($0))" } ?? "") + ".")
        } else {
            actions.append("The primary is at hardware.max_vcpus; see the sharding findings.")
        }
        if let ioShare, let cpuShare, ioShare > cpuShare {
            actions.append("IO waits exceed CPU: add memory so the working set is cached before adding cores.")
        } else {
            actions.append(
                "Check the top statements by total time for plans that burn CPU (missing indexes, large sorts).")
        }
        let summary =
            "\(Formatting.rate(context.snapshot.activity?.avgActiveSessions ?? 0)) active sessions on \(vcpus) vCPUs: "
            + "\(context.comparison(perVCPU, .activeSessionsPerVCPU, metric: "active sessions per vCPU"))."
        return .recommend([
            recommendation(
                severity: severity, target: context.databaseName, summary: summary,
                evidence: all, actions: actions)
        ])
    }
}
