import DBAdviseAnalysis
import DBAdviseModel

/// Settled writes past the warning level on a primary that is short of CPU or IO: the
/// vertical step for a write-bound primary.
///
/// `writes_per_second` is the gate's line; crossing it is not a reason to scale by itself.
/// The rule needs the window settled and the capacity model to show CPU or IO saturated, and
/// then names the resource; with headroom it says so.
public struct WriteLoadRule: Rule {
    public static let description = RuleDescription(
        id: "vertical-write-load", strategy: .vertical,
        title: "Scale the primary up for write load",
        rationale: """
            Every write goes through the one primary and its WAL; replicas do not take any of \
            it. When a settled write rate past the warning level meets a primary short of CPU \
            or IO, the cheaper answers are a larger machine with faster storage, batching, and \
            WAL settings (wal_compression, max_wal_size). With headroom, nothing needs to change.
            """,
        sources: [Manual.walConfiguration, Manual.statDatabase, Manual.waitEvents],
        thresholds: [.writesPerSecond],
        inputs: ["rates.writes_per_second", "rates.wal_bytes_per_second", "interval", "activity.wait_event_types"])

    public init() {}

    public func evaluate(_ context: RuleContext) -> RuleVerdict {
        let writes = context.metrics.writesPerSecond
        let (evidence, severity) = context.judge(.writesPerSecond, writes, .writesPerSecond)
        guard let severity else {
            return pass(context.comparison(writes, .writesPerSecond, metric: .writesSpoken), [evidence])
        }
        guard context.window.settled else {
            return pass(
                "\(context.comparison(writes, .writesPerSecond, metric: .writesSpoken)) but unsettled "
                    + "(\(context.window.unsettledReason ?? "")): no step from it", [evidence])
        }
        let short = context.capacity.saturated.filter { ["cpu", "io"].contains($0.resource) }
        let resources = context.capacity.resources.filter { ["cpu", "io"].contains($0.resource) }
            .map {
                Evidence(
                    metric: .utilization(resource: $0.resource), value: $0.utilization, threshold: 1, unit: .ratio,
                    note: $0.basis)
            }
        guard !short.isEmpty else {
            let cpu = context.capacity.resource("cpu")?.utilization.map(Formatting.percent) ?? "unknown"
            return pass(
                "\(context.comparison(writes, .writesPerSecond, metric: .writesSpoken)), but the primary carries it "
                    + "with headroom (CPU at \(cpu) of its target)", [evidence] + resources)
        }
        let wal = context.snapshot.rates.walBytesPerSecond
        return .recommend([
            recommendation(
                severity: severity == .critical ? .warning : severity, target: context.databaseName,
                summary:
                    "\(context.comparison(writes, .writesPerSecond, metric: .writesSpoken)) with "
                    + short.map(\.resource).joined(separator: " and ") + " saturated; read replicas would not help.",
                evidence: [
                    evidence, Evidence(metric: .walBytesPerSecond, value: wal, threshold: nil, unit: .bytesPerSecond),
                ] + resources,
                actions: [
                    short.contains { $0.resource == "io" }
                        ? "Move the primary to faster storage (provisioned IOPS, local NVMe)."
                        : "Move the primary to more vCPUs (see vertical-cpu-saturation for the size).",
                    "Batch small writes into multi-row INSERTs or COPY; enable wal_compression.",
                    "Do not answer write load with read replicas: they replay every write too.",
                ])
        ])
    }
}
