import DBAdviseAnalysis
import DBAdviseModel

/// Sorts and hashes spilling to temporary files.
public struct TempSpillRule: Rule {
    public static let tempBytesPerSecond = RuleParameter(
        name: "temp_bytes_per_second", value: 10 * 1_048_576, unit: .bytesPerSecond,
        why: "10 MB/s of temp files means sorts and hashes regularly outgrow work_mem.")

    public static let description = RuleDescription(
        id: "vertical-temp-spills", strategy: .vertical,
        title: "Give sorts and hashes more memory: temp files spill to disk",
        rationale: """
            Sorts and hash tables larger than work_mem spill to temporary files, turning \
            memory work into disk IO. Raising work_mem per role or query fixes it while the \
            machine has memory to spare; past that, a machine with more memory does.
            """,
        sources: [Manual.resourceMemory, Manual.statDatabase],
        thresholds: [], parameters: [tempBytesPerSecond],
        inputs: ["rates.temp_bytes_per_second", "server.settings.work_mem", "hardware.memory_gb"])

    public init() {}

    public func evaluate(_ context: RuleContext) -> RuleVerdict {
        let rate = context.snapshot.rates.tempBytesPerSecond
        let limit = Self.tempBytesPerSecond
        let evidence = limit.evidence(
            metric: .tempBytesPerSecond, value: rate,
            note: rate == nil ? "temp file rate was not measured" : nil)
        guard let rate, rate >= limit.value, context.growthShape != .idle else {
            let shown = rate.map { Formatting.bytes($0) + "/s" } ?? "unknown"
            return pass("temp files \(shown) < \(Formatting.bytes(limit.value))/s", [evidence])
        }
        guard context.window.settled else {
            return pass(
                "temp files \(Formatting.bytes(rate))/s over an unsettled window (\(context.window.unsettledReason ?? ""))",
                [evidence])
        }
        let workMem = context.snapshot.server.setting("work_mem")?.bytes
        var all = [evidence]
        all.append(
            Evidence(
                metric: .workMem, value: workMem.map(Double.init), threshold: nil, unit: .bytes,
                note: workMem == nil ? "work_mem setting not collected" : nil))
        return .recommend([
            recommendation(
                severity: .warning, target: context.databaseName,
                summary:
                    "Temporary files are written at \(Formatting.bytes(rate))/s (≥ \(Formatting.bytes(limit.value))/s).",
                evidence: all,
                actions: [
                    "Raise work_mem for the roles or queries that sort (SET work_mem in the session), watching memory: each sort node may use it.",
                    "If memory is already tight, move to a machine with more memory.",
                ])
        ])
    }
}
