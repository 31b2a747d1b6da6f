import DBAdviseAnalysis
import DBAdviseModel

/// Sustained writes that even the largest machine could not carry: the write-side reason to
/// shard, decided by a projection, never by a writes/s number alone.
///
/// The measured write rate divided by the CPU sessions that carried it gives writes per busy
/// session; the ceiling machine (`hardware.max_vcpus`, else the assumed 128 vCPUs) offers
/// `max_vcpus × target × efficiency` busy sessions, where target is the
/// `active_sessions_per_vcpu` warning level and efficiency (``scalingEfficiency``) discounts
/// what does not scale with cores. Sharding is recommended only when the sustained rate
/// (lowest of a settled series spanning `measurement.sustained_hours`) exceeds that
/// projection. `writes_per_second` stays the gate's line in CI.
public struct WriteThroughputRule: Rule {
    public static let scalingEfficiency = RuleParameter(
        name: "write_scaling_efficiency", value: 0.5, unit: .ratio,
        why: """
            Writes scale less than linearly with cores: every commit inserts into one WAL stream \
            (a fixed number of WAL insertion locks) and flushes it, and hot indexes and the lock \
            manager serialize more as cores grow. Half of linear is a deliberately cautious \
            reading of published pgbench scaling curves on 64–128 core machines.
            """)

    public static let description = RuleDescription(
        id: "shard-write-throughput", strategy: .sharding,
        title: "Shard: sustained writes beyond the largest primary",
        rationale: """
            One primary writes one WAL stream. When the sustained write rate, projected onto \
            the largest machine the team could move to, still exceeds what that machine would \
            carry, spreading writes needs several primaries: a sharded engine such as Citus. \
            Below that, a bigger machine is the cheaper step.
            """,
        sources: [Manual.citus, Manual.walConfiguration, Manual.walInternals] + ShardKeyRanking.sources,
        thresholds: [.writesPerSecond, .activeSessionsPerVCPU],
        parameters: [scalingEfficiency] + ShardKeyRanking.parameters,
        inputs: [
            "rates.writes_per_second (every snapshot of the series)", "interval", "activity.wait_event_types",
            "statements.total_exec_time_ms", "hardware.vcpus", "hardware.max_vcpus",
        ] + ShardKeyRanking.inputs)

    public init() {}

    public func evaluate(_ context: RuleContext) -> RuleVerdict {
        let window = context.window
        let writes = context.metrics.writesPerSecond
        let measured = Evidence(
            metric: .writesPerSecond, value: writes, threshold: context.levels(.writesPerSecond).measuredCritical,
            unit: .rowsPerSecond,
            note: "over the \(window.description); threshold: the gate's writes_per_second critical")
        guard let writes else { return pass("write rate unknown", [measured]) }
        guard window.settled else {
            return pass(
                "writes \(Formatting.rate(writes))/s are unsettled (\(window.unsettledReason ?? "")): no sharding "
                    + "from them. \(MeasurementWindow.measureNext)", [measured])
        }
        guard let projection = Projection(context, writes: writes) else {
            return pass(
                "writes \(Formatting.rate(writes))/s cannot be projected onto a larger machine: CPU demand is "
                    + "unknown or zero (\(context.resolvedHardware.summary))", [measured])
        }
        let evidence = [measured] + projection.evidence
        guard writes > projection.ceilingWrites else {
            return pass(
                "\(Formatting.rate(writes)) writes/s ≤ \(Formatting.rate(projection.ceilingWrites)) writes/s the "
                    + "\(projection.ceilingVCPUs)-vCPU ceiling machine (\(projection.ceilingSource)) would carry at this "
                    + "write mix (projected from \(Formatting.rate(projection.cpuSessions)) sessions on CPU, "
                    + "\(Formatting.rate(WriteThroughputRule.scalingEfficiency.value)) write-scaling efficiency)",
                evidence)
        }
        // Sustained: every snapshot of a settled series spanning the policy's hours.
        let rates = context.series.compactMap(\.writesPerSecond)
        guard window.sustained, rates.count == context.series.count, let lowest = rates.min(),
            lowest > projection.ceilingWrites
        else {
            let why =
                window.notSustainedReason(context.config.measurement)
                ?? "the lowest rate of the series is within the ceiling machine's projection"
            return pass(
                "writes \(Formatting.rate(writes))/s exceed the ceiling projection "
                    + "\(Formatting.rate(projection.ceilingWrites))/s in this window, but \(why). "
                    + MeasurementWindow.measureNext, evidence)
        }
        return .recommend([
            recommendation(
                severity: .critical, target: context.databaseName,
                summary:
                    "Writes stay at \(Formatting.rate(lowest))/s or more over \(window.settledSnapshots) snapshots, "
                    + "beyond the \(Formatting.rate(projection.ceilingWrites))/s the \(projection.ceilingVCPUs)-vCPU "
                    + "ceiling machine would carry.",
                evidence: evidence + ShardKeyRanking.evidence(context.snapshot),
                actions: ["Until sharded, batch writes and move write-only logs to a separate database."]
                    + ShardKeyRanking.citusActions(context.snapshot))
        ])
    }

    /// The measured writes carried by the measured CPU sessions, scaled onto the ceiling.
    struct Projection {
        var cpuSessions: Double
        var ceilingVCPUs: Int
        /// `configured`, `instance` or `assumed`.
        var ceilingSource: String
        var ceilingSessions: Double
        var ceilingWrites: Double
        var evidence: [Evidence]

        init?(_ context: RuleContext, writes: Double) {
            guard let cpu = context.capacity.cpuSessions, cpu > 0 else { return nil }
            let target = context.capacity.targetPerVCPU
            let efficiency = WriteThroughputRule.scalingEfficiency.value
            cpuSessions = cpu
            ceilingVCPUs = context.hardware.maxVCPUs ?? ResolvedHardware.assumedMaxVCPUs
            ceilingSource = context.resolvedHardware.maxVCPUsSource.rawValue
            ceilingSessions = Double(ceilingVCPUs) * target * efficiency
            ceilingWrites = writes / cpu * ceilingSessions
            let source = ceilingSource
            evidence = [
                Evidence(
                    metric: .writesPerCPUSession, value: writes / cpu, threshold: nil, unit: .rowsPerSecond,
                    note: "\(Formatting.rate(writes)) writes/s carried by \(Formatting.rate(cpu)) sessions on CPU"),
                Evidence(
                    metric: .ceilingCPUSessions, value: ceilingSessions, threshold: nil, unit: .sessions,
                    note: "\(ceilingVCPUs) vCPUs (\(source)) × \(Formatting.rate(target)) target × "
                        + "\(Formatting.rate(efficiency)) write_scaling_efficiency"),
                Evidence(
                    metric: .ceilingWritesPerSecond, value: ceilingWrites, threshold: nil, unit: .rowsPerSecond,
                    note: "what the largest machine would carry at this write mix"),
            ]
        }
    }
}
