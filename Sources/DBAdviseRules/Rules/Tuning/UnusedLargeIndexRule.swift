import DBAdviseAnalysis
import DBAdviseModel
import Foundation

/// Large indexes no query has used since statistics began.
public struct UnusedLargeIndexRule: Rule {
    public static let minimumBytes = RuleParameter(
        name: "index_bytes", value: 1_073_741_824, unit: .bytes,
        why: "An unused index of a gigabyte or more costs real write amplification and cache space.")
    public static let minimumStatsAgeDays = RuleParameter(
        name: "statistics_age_days", value: 7, unit: .days,
        why: "idx_scan counts since the last statistics reset; a week covers weekly jobs.")

    public static let description = RuleDescription(
        id: "tuning-unused-large-indexes", strategy: .tuning,
        title: "Drop large unused indexes",
        rationale: """
            Every index is updated on every write to its table and competes for cache. An \
            index with idx_scan = 0 over a long enough statistics window serves no query; \
            unique and primary-key indexes are kept because they enforce constraints.
            """,
        sources: [Manual.statIndexes],
        thresholds: [], parameters: [minimumBytes, minimumStatsAgeDays],
        inputs: [
            "indexes.idx_scan", "indexes.bytes", "indexes.is_unique", "indexes.is_primary",
            "server.stats_reset", "server.start_time",
        ])

    public init() {}

    public func evaluate(_ context: RuleContext) -> RuleVerdict {
        let since = context.snapshot.server.statsReset ?? context.snapshot.server.startTime
        let ageDays = since.map { context.snapshot.interval.finishedAt.timeIntervalSince($0) / 86_400 }
        let ageEvidence = Self.minimumStatsAgeDays.evidence(
            metric: .statisticsAgeDays, value: ageDays,
            note: ageDays == nil ? "stats_reset and start_time unknown" : nil)
        if let ageDays, ageDays < Self.minimumStatsAgeDays.value {
            return pass(
                "statistics are \(Formatting.rate(ageDays)) days old, too young to call an index unused", [ageEvidence])
        }
        let unused = (context.snapshot.indexes ?? []).filter { index in
            index.idxScan == 0 && !index.isUnique && !index.isPrimary && index.isValid
                && Double(index.bytes ?? 0) >= Self.minimumBytes.value
        }
        guard !unused.isEmpty else {
            return pass("no unused index of \(Formatting.bytes(Self.minimumBytes.value)) or more", [ageEvidence])
        }
        return .recommend(
            unused.map { index in
                recommendation(
                    severity: .warning, target: index.qualifiedTable,
                    summary:
                        "Index \(index.qualifiedName) (\(Formatting.bytes(index.bytes ?? 0))) has not been scanned"
                        + (ageDays.map { " in \(Formatting.number($0)) days." } ?? " since statistics began."),
                    evidence: [
                        Self.minimumBytes.evidence(metric: .indexBytes, value: index.bytes.map(Double.init)),
                        Evidence(metric: .idxScan, value: 0, threshold: nil, unit: .scans), ageEvidence,
                    ],
                    actions: [
                        "Check replicas too (idx_scan is per server), then DROP INDEX CONCURRENTLY \(index.qualifiedName)."
                    ])
            })
    }
}
