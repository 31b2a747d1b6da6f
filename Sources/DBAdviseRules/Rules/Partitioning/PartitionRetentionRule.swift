import DBAdviseAnalysis
import DBAdviseModel
import Foundation

/// Old partitions that retention could drop: detaching and dropping a partition is free,
/// DELETEing its rows is not.
///
/// Logic, per table range-partitioned on one timestamp or date column (bounds parsed from
/// `pg_get_expr(relpartbound)`, oldest first), two signals of a retention horizon found in the
/// data, both from the partitions' own pg_stat_user_tables counters (cumulative since the
/// statistics were reset, which the evidence states):
///
/// 1. **Old rows are deleted.** Some partitions show `n_tup_del > 0`, and a newer partition
///    holds rows with no deletes at all: the deletes stay at the old end, as a retention job
///    (`DELETE ... WHERE created_at < now() - interval '90 days'`) leaves them. Rows before the
///    newest partition with deletes are gone or going, so every partition that ends at or
///    before its lower bound (or its upper bound, once it is empty) is past the horizon: it
///    holds only what the job has still to delete, dead tuples and bloat. The fix drops them
///    and replaces the DELETE job with DROP (pg_partman retention). Severity warning: the job
///    costs vacuum and WAL every day.
/// 2. **Cold partitions.** Partitions whose range ended before now, with no row inserted,
///    updated or deleted and no sequential or index scan since the statistics reset, all
///    older than every partition that takes writes (inserts or updates: deletes at the old
///    end are the first signal, not new data). Nobody uses them: a candidate for a
///    retention policy, not proof of one (a yearly report may read them), so severity info and
///    the action says to archive first when in doubt. Partitions still read are left out.
///
/// PgHero and pgmetrics show partition sizes; what a user expects beyond them is the list of
/// partitions they could drop with the bytes it frees, and the statements to do it without
/// blocking: `DETACH PARTITION ... CONCURRENTLY` (PostgreSQL 14+, not allowed while the table
/// has a default partition, then a plain DETACH under a short lock_timeout), then DROP TABLE.
/// A redacted snapshot has no bounds and is not judged.
public struct PartitionRetentionRule: Rule {
    public static let coldScans = RuleParameter(
        name: "cold_partition_writes_and_scans", value: 0, unit: .rowsAndScans,
        why: "A partition nobody wrote or read since the statistics reset serves no query.")
    public static let listedPartitions = RuleParameter(
        name: "listed_partition_drops", value: 10, unit: .partitions,
        why: "The SQL is spelled out for the ten oldest partitions; the rest follow the same steps.")
    public static let detachConcurrentlyVersion = RuleParameter(
        name: "detach_concurrently_server_version", value: 140_000, unit: .serverVersionNum,
        why: "DETACH PARTITION ... CONCURRENTLY exists from PostgreSQL 14.")

    public static let description = RuleDescription(
        id: "partition-retention-drop", strategy: .partitioning,
        title: "Drop old partitions instead of deleting or keeping their rows",
        rationale: """
            Partitioning's cheapest win is retention: a whole partition is detached and \
            dropped in milliseconds, where DELETE of the same rows writes WAL for each and \
            leaves dead tuples for vacuum. Partitions entirely older than the horizon the data \
            shows (old rows being deleted, or partitions nobody wrote or read since the \
            statistics reset while newer ones take the writes) are listed with their sizes and \
            the statements to drop them without blocking queries.
            """,
        sources: [Manual.partitioningMaintenance, Manual.alterTableDetach, Manual.pgPartman, Manual.pgStatReset],
        thresholds: [], parameters: [coldScans, listedPartitions, detachConcurrentlyVersion],
        inputs: [
            "partitioned_tables.partitions.bound", "partitioned_tables.partitions.total_bytes",
            "partitioned_tables.partitions.rows", "tables.n_tup_ins", "tables.n_tup_upd", "tables.n_tup_del",
            "tables.seq_scan", "tables.idx_scan", "tables.writes_per_second", "server.stats_reset",
            "server.extensions",
        ])

    public init() {}

    struct Finding {
        var tree: PartitionTree
        /// Partitions past the horizon, oldest first.
        var partitions: [TimedPartition]
        /// Partitions whose rows are being deleted (signal 1); empty for cold partitions only.
        var deleting: [TimedPartition]
        /// Partitions nobody wrote or read (signal 2).
        var cold: [TimedPartition]
    }

    public func evaluate(_ context: RuleContext) -> RuleVerdict {
        let trees = context.topLevelPartitionTrees
        guard !trees.isEmpty else { return pass("no partitioned tables", []) }
        var timedTrees = 0
        var found: [Recommendation] = []
        for tree in trees {
            guard let timed = context.timedPartitions(of: tree) else { continue }
            timedTrees += 1
            if let finding = finding(tree, timed, now: context.snapshot.interval.finishedAt) {
                found.append(recommend(finding, context))
            }
        }
        guard found.isEmpty else { return .recommend(found) }
        if timedTrees == 0 {
            let redacted = context.snapshot.redacted ? " (partition bounds are not in a redacted snapshot)" : ""
            return pass("no table range-partitioned on a time column\(redacted)", [])
        }
        return pass(
            "no partition is past a retention horizon the data shows (\(timedTrees) time-partitioned table(s): no old-row deletes, no cold partitions)",
            [
                Evidence(
                    metric: .statisticsDays, value: context.statisticsDays, threshold: nil, unit: .days,
                    note: "the counters cover the time since the statistics reset")
            ])
    }

    func finding(_ tree: PartitionTree, _ timed: [TimedPartition], now: Date) -> Finding? {
        let past = timed.filter { ($0.range.upper.map { $0 <= now }) ?? false }
        // 1. Old-row deletes, confined to the old end.
        var byDeletes: [TimedPartition] = []
        let deleting = timed.filter { ($0.counters.deleted ?? 0) > 0 }
        if let newest = deleting.last, let newestEnd = newest.range.upper {
            let untouchedNewer = timed.contains { later in
                (later.range.lower.map { $0 >= newestEnd } ?? false) && (later.counters.liveRows ?? 0) > 0
                    && later.counters.deleted == 0
            }
            let horizon = newest.counters.liveRows == 0 ? newestEnd : newest.range.lower
            if untouchedNewer, let horizon {
                byDeletes = past.filter { ($0.range.upper ?? .distantFuture) <= horizon }
            }
        }
        // 2. Cold partitions, older than everything written.
        var cold: [TimedPartition] = []
        // Deletes at the old end are retention at work, not the partition taking writes.
        let written = timed.filter { partition in
            let counters = partition.counters
            return (counters.inserted ?? 0) + (counters.updated ?? 0) > 0
                || ((counters.writesPerSecond ?? 0) > 0 && (counters.deleted ?? 0) == 0)
        }
        if !written.isEmpty, written.allSatisfy({ $0.range.lower != nil }),
            let oldestWritten = written.compactMap(\.range.lower).min()
        {
            cold = past.filter { partition in
                partition.counters.isIdle && partition.counters.scans == 0
                    && (partition.range.upper ?? .distantFuture) <= oldestWritten
            }
        }
        let names = Set(byDeletes.map(\.name) + cold.map(\.name))
        guard !names.isEmpty else { return nil }
        return Finding(
            tree: tree, partitions: timed.filter { names.contains($0.name) },
            deleting: byDeletes.isEmpty ? [] : deleting, cold: cold)
    }

    private func recommend(_ finding: Finding, _ context: RuleContext) -> Recommendation {
        let tree = finding.tree
        let partitions = finding.partitions
        let now = context.snapshot.interval.finishedAt
        let horizon = partitions.compactMap(\.range.upper).max() ?? now
        let retentionDays = max(0, ((now.timeIntervalSince(horizon)) / GrowthTrend.secondsPerDay).rounded(.down))
        let sizes = partitions.map(\.counters.bytes)
        let totalBytes = sizes.contains { $0 == nil } ? nil : sizes.compactMap { $0 }.reduce(0, +)
        let listed = partitions.map { partition in
            "\(partition.name) (\(partition.counters.bytes.map(Formatting.bytes) ?? "size unknown"))"
        }
        let statisticsNote =
            context.statisticsDays.map { "the statistics reset \(Self.age(days: $0)) ago" }
            ?? "the statistics reset (time unknown)"
        var reasons: [String] = []
        let deletedRows = finding.deleting.compactMap(\.counters.deleted).reduce(0, +)
        if !finding.deleting.isEmpty {
            reasons.append(
                "old rows are deleted: \(Formatting.grouped(deletedRows)) rows deleted from the \(finding.deleting.count) oldest partition(s) since \(statisticsNote), none from newer ones that hold rows"
            )
        }
        if !finding.cold.isEmpty {
            reasons.append(
                "\(finding.cold.count) partition(s) had no writes and no scans since \(statisticsNote) while newer ones take writes"
            )
        }
        let summary =
            "\(tree.qualifiedName): \(partitions.count) partition(s) entirely older than \(TimeBounds.day(horizon))\(totalBytes.map { ", \(Formatting.bytes($0)) in all" } ?? ""): \(listed.joined(separator: ", ")). \(reasons.joined(separator: "; ").capitalizedFirst)."
        var evidence = [
            Evidence(
                metric: .droppablePartitions, value: Double(partitions.count), threshold: nil, unit: .partitions),
            Evidence(
                metric: .droppablePartitionBytes, value: totalBytes.map(Double.init), threshold: nil, unit: .bytes),
            Evidence(
                metric: .retentionDays, value: retentionDays, threshold: nil, unit: .days,
                note: "the newest listed partition ends \(TimeBounds.day(horizon))"),
            Evidence(
                metric: .statisticsDays, value: context.statisticsDays, threshold: nil, unit: .days,
                note: "the counters cover the time since the statistics reset"),
        ]
        if !finding.deleting.isEmpty {
            evidence.append(
                Evidence(
                    metric: .oldPartitionDeletes, value: Double(deletedRows), threshold: nil, unit: .rows,
                    note: finding.deleting.map(\.name).joined(separator: ", ")))
        }
        if !finding.cold.isEmpty {
            evidence.append(
                Evidence(
                    metric: .coldPartitions, value: Double(finding.cold.count), threshold: nil, unit: .partitions,
                    note:
                        "no writes and no scans (\(Self.coldScans.name) = \(Formatting.number(Self.coldScans.value))): \(finding.cold.map(\.name).joined(separator: ", "))"
                ))
        }
        return recommendation(
            severity: finding.deleting.isEmpty ? .info : .warning, target: tree.qualifiedName, summary: summary,
            evidence: evidence, actions: actions(finding, retentionDays: Int(saturating: retentionDays), context))
    }

    /// `12 minutes`, `5 hours`, `40 days`: how long the counters have been counting.
    static func age(days: Double) -> String {
        let minutes = days * 24 * 60
        if minutes < 120 { return "\(Int(saturating: minutes.rounded())) minutes" }
        if days < 2 { return "\(Int(saturating: (minutes / 60).rounded())) hours" }
        return "\(Int(saturating: days.rounded())) days"
    }

    private func actions(_ finding: Finding, retentionDays: Int, _ context: RuleContext) -> [String] {
        let tree = finding.tree
        let parent = SQL.qualified(tree.schema, tree.name)
        let shown = finding.partitions.prefix(Int(Self.listedPartitions.value))
        let names = shown.map { SQL.qualified($0.partition.schema, $0.partition.name) }
        var actions: [String] = []
        if !finding.cold.isEmpty {
            actions.append(
                "No writes or reads is not yet a retention policy: check nothing (a yearly report, an audit, a legal hold) needs these partitions, or archive them first (pg_dump -t, or keep them detached)."
            )
        }
        let concurrent =
            context.snapshot.server.versionNum >= Int(Self.detachConcurrentlyVersion.value)
            && tree.defaultPartition == nil
        if concurrent {
            actions += names.map { name in
                """
                -- Detach \(name) without blocking queries (run alone: CONCURRENTLY cannot run in a transaction block)
                -- lock: SHARE UPDATE EXCLUSIVE on \(parent), ACCESS EXCLUSIVE on \(name) only
                ALTER TABLE \(parent) DETACH PARTITION \(name) CONCURRENTLY;
                """
            }
        } else {
            let why =
                tree.defaultPartition != nil
                ? "\(parent) has a default partition, which rules out DETACH … CONCURRENTLY"
                : "DETACH … CONCURRENTLY needs PostgreSQL 14"
            actions.append(
                """
                -- Detach the old partitions (\(why))
                -- lock: ACCESS EXCLUSIVE on \(parent)\(tree.defaultPartition.map { " and \($0)" } ?? "") for an instant; the lock_timeout keeps it from queueing behind long queries (retry when it times out)
                SET lock_timeout = '5s';
                \(names.map { "ALTER TABLE \(parent) DETACH PARTITION \($0);" }.joined(separator: "\n"))
                """)
        }
        actions.append(
            """
            -- Drop the detached tables (\(shown.compactMap(\.counters.bytes).reduce(0, +) > 0 ? "frees \(Formatting.bytes(shown.compactMap(\.counters.bytes).reduce(0, +)))" : "frees their space"))
            -- lock: ACCESS EXCLUSIVE on the detached tables only
            DROP TABLE \(names.joined(separator: ", "));
            """)
        if finding.partitions.count > shown.count {
            actions.append(
                "The other \(finding.partitions.count - shown.count) partitions the same way, oldest first.")
        }
        let retention = "\(retentionDays) days"
        let partman = context.snapshot.server.extensions?.contains { $0.name == "pg_partman" } ?? false
        if !finding.deleting.isEmpty {
            actions.append(
                "Replace the job that DELETEs old rows from \(tree.qualifiedName) by dropping whole partitions past the horizon (about \(retention) today): no dead tuples, no vacuum, no WAL per row."
            )
        }
        if partman {
            actions.append(
                """
                -- If pg_partman maintains \(tree.qualifiedName): let its maintenance drop partitions older than \(retention)
                -- lock: ROW EXCLUSIVE on partman.part_config; maintenance then detaches under ACCESS EXCLUSIVE on \(parent), briefly
                UPDATE partman.part_config
                    SET retention = \(SQL.literal(retention)), retention_keep_table = false
                    WHERE parent_table = \(SQL.literal(tree.qualifiedName));
                """)
        } else {
            actions.append(
                "Automate it: pg_partman (create_parent, then part_config.retention = '\(retention)', retention_keep_table = false) or a scheduled job that detaches and drops partitions older than \(retention)."
            )
        }
        return actions
    }
}

extension String {
    /// The first letter upper-cased: for reasons joined into a sentence.
    fileprivate var capitalizedFirst: String {
        guard let first else { return self }
        return first.uppercased() + dropFirst()
    }
}

extension TimeBounds {
    /// `2026-03-01`, in UTC.
    static func day(_ date: Date) -> String {
        String(TimeBounds.timestamp(date).prefix(10))
    }
}
