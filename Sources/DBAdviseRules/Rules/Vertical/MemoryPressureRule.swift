import DBAdviseCore

/// A cache hit ratio below the threshold with a working set larger than memory.
public struct MemoryPressureRule: Rule {
    public static let description = RuleDescription(
        id: "vertical-memory-pressure", strategy: .vertical,
        title: "Add memory: the working set does not fit in cache",
        rationale: """
            A falling buffer cache hit ratio means queries read from disk what they used to \
            find in shared_buffers or the OS cache; when the database is larger than the \
            machine's memory and sessions wait on IO, more memory is the cheapest fix.
            """,
        sources: [Manual.statDatabase, Manual.resourceMemory, Manual.waitEvents],
        thresholds: [.cacheHitRatio],
        inputs: [
            "rates.cache_hit_ratio", "database.size_bytes", "activity.wait_event_types",
            "hardware.memory_gb", "hardware.max_memory_gb",
        ])

    public init() {}

    public func evaluate(_ context: RuleContext) -> RuleVerdict {
        let ratio = context.metrics.cacheHitRatio
        let (evidence, severity) = context.judge("cache_hit_ratio", ratio, .cacheHitRatio)
        guard let severity, context.growthShape != .idle else {
            let idle = context.growthShape == .idle ? " (and the database is idle)" : ""
            return pass(context.comparison(ratio, .cacheHitRatio, metric: "cache hit ratio") + idle, [evidence])
        }
        var all = [evidence]
        let databaseBytes = context.metrics.databaseBytes.map(Double.init)
        all.append(
            Evidence(
                metric: "database_bytes", value: databaseBytes,
                threshold: context.hardware.memoryBytes, unit: "bytes",
                note: context.hardware.memoryBytes == nil
                    ? "hardware.memory_gb is not configured" : "threshold: hardware.memory_gb"))
        all.append(
            Evidence(
                metric: "io_wait_share", value: context.waitShare(CPUSaturationRule.ioWaitTypes), threshold: nil,
                unit: "ratio"))
        var actions: [String] = []
        if let memory = context.hardware.memoryGB {
            let target = nextSize(current: memory, ceiling: context.hardware.maxMemoryGB)
            actions.append(
                target > memory
                    ? "Move to a machine with \(Formatting.number(target)) GB of memory (now \(Formatting.number(memory)) GB) and raise shared_buffers to about a quarter of it."
                    : "Memory is at hardware.max_memory_gb: partition so the hot part of the data fits, or shard.")
        } else {
            actions.append(
                "Set hardware.memory_gb, then size memory to the working set; raise shared_buffers to about a quarter of memory."
            )
        }
        actions.append("Look at the statements with the most shared_blks_read for scans an index would avoid.")
        return .recommend([
            recommendation(
                severity: severity, target: context.databaseName,
                summary:
                    "\(context.comparison(ratio, .cacheHitRatio, metric: "cache hit ratio")): reads are going to disk.",
                evidence: all, actions: actions)
        ])
    }
}
