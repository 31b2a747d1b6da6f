import DBAdviseAnalysis
import DBAdviseModel

/// A working set larger than memory, with sessions waiting on IO: the memory step.
///
/// A low cache hit ratio alone is not that: right after a restart or a bulk load the cache is
/// cold, and a database smaller than shared_buffers cannot outgrow memory. The rule needs the
/// ratio past its level, a warm cache, the working set (tables read or written in the window)
/// beyond the machine's memory, and sessions waiting on IO (the capacity model's memory
/// resource); otherwise it notes what it saw.
public struct MemoryPressureRule: Rule {
    public static let description = RuleDescription(
        id: "vertical-memory-pressure", strategy: .vertical,
        title: "Add memory: the working set does not fit in cache",
        rationale: """
            A falling buffer cache hit ratio means queries read from disk what they used to \
            find in shared_buffers or the OS cache; when the database is larger than the \
            machine's memory and sessions wait on IO, more memory is the cheapest fix. A ratio \
            over fewer than 10,000 shared-buffer accesses (or 100 a second), or from a cache \
            cold after a restart or a bulk load, is not judged, by this rule or by the gate.
            """,
        sources: [Manual.statDatabase, Manual.resourceMemory, Manual.waitEvents],
        thresholds: [.cacheHitRatio],
        inputs: [
            "rates.cache_hit_ratio", "rates.blks_hit_per_second", "rates.blks_read_per_second", "database.size_bytes",
            "activity.wait_event_types",
            "hardware.memory_gb", "hardware.max_memory_gb",
        ])

    public init() {}

    public func evaluate(_ context: RuleContext) -> RuleVerdict {
        let ratio = context.metrics.cacheHitRatio
        let (evidence, severity) = context.judge(.cacheHitRatio, ratio, .cacheHitRatio)
        // The gate reads the same judgment: a ratio over a few blocks or from a cold cache is
        // shown, never acted on.
        if let judgment = context.judgment(.cacheHitRatio), let reason = judgment.unmeasuredReason {
            return pass(
                "cache hit ratio \(judgment.value.map(Formatting.rate) ?? "unknown") is not judged: \(reason)",
                [evidence])
        }
        guard let severity else {
            return pass(context.comparison(ratio, .cacheHitRatio, metric: .cacheHitRatioSpoken), [evidence])
        }
        let workingSet = context.capacity.resource("memory")
        var all = [evidence]
        all.append(
            Evidence(
                metric: .workingSetBytes, value: workingSet?.demand, threshold: context.hardware.memoryBytes,
                unit: .bytes,
                note: "tables read or written in the window; threshold: memory "
                    + "(\(context.resolvedHardware.memorySource?.rawValue ?? "unknown"))"))
        all.append(
            Evidence(
                metric: .ioWaitSessions, value: context.capacity.ioSessions, threshold: nil, unit: .sessions))
        let comparison = context.comparison(ratio, .cacheHitRatio, metric: .cacheHitRatioSpoken)
        if let database = context.metrics.databaseBytes,
            let buffers = context.snapshot.server.setting("shared_buffers")?.bytes, database <= buffers
        {
            return pass(
                "\(comparison), but the whole database (\(Formatting.bytes(database))) fits in shared_buffers "
                    + "(\(Formatting.bytes(buffers))): more memory would not change it", all)
        }
        guard workingSet?.saturated == true else {
            let set = workingSet?.demand.map(Formatting.bytes) ?? "unknown"
            let machine = context.hardware.memoryBytes.map(Formatting.bytes) ?? "unknown"
            return pass(
                "\(comparison), but the working set (\(set)) fits in memory (\(machine)) or sessions do not wait on IO",
                all)
        }
        var actions: [String] = []
        if let memory = context.hardware.memoryGB {
            // The working set with a quarter spare, as the next power of two clouds rent.
            let setGB = (workingSet?.demand ?? 0) * 1.25 / ThresholdUnit.bytesPerGigabyte
            var sized = 2.0
            while sized < max(setGB, memory * 2) { sized *= 2 }
            let target = min(sized, context.hardware.maxMemoryGB ?? sized)
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
                    "\(context.comparison(ratio, .cacheHitRatio, metric: .cacheHitRatioSpoken)): reads are going to disk.",
                evidence: all, actions: actions)
        ])
    }
}
