import DBAdviseModel

extension RuleContext {
    /// The CPU side of the capacity model as evidence: demand, lock waits, vCPUs and ceiling.
    public func cpuEvidence() -> [Evidence] {
        let capacity = capacity
        let cpu = capacity.resource("cpu")
        let vcpus = hardware.vcpus.map(Double.init)
        let source = resolvedHardware.vcpusSource?.rawValue ?? "unknown"
        return [
            Evidence(
                metric: .cpuSessions, value: cpu?.demand, threshold: cpu?.capacity, unit: .sessions,
                note: "\(cpu?.basis ?? "CPU demand unknown")"),
            Evidence(
                metric: .statementSecondsPerSecond, value: capacity.statementSecondsPerSecond, threshold: nil,
                unit: .sessions,
                note: capacity.statementSecondsPerSecond == nil
                    ? "pg_stat_statements over a sampled interval gives it" : "pg_stat_statements"),
            Evidence(
                metric: .lockWaitSessions, value: capacity.lockSessions, threshold: nil, unit: .sessions,
                note: "waiting on heavyweight locks: contention, not CPU demand"),
            Evidence(
                metric: .vcpus, value: vcpus, threshold: Double(hardware.maxVCPUs ?? ResolvedHardware.assumedMaxVCPUs),
                unit: .vcpus,
                note: "\(source); threshold: the ceiling (\(resolvedHardware.maxVCPUsSource.rawValue))"),
        ]
    }
}
