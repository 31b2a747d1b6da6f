import DBAdviseAnalysis
import DBAdviseModel

/// Sessions queueing on heavyweight locks: hot-row contention, which no larger machine,
/// replica or shard count relieves.
///
/// pgbench with 16 clients on 5 branch rows spends ~96 % of its active time in `Lock` waits:
/// every transaction updates one of five rows. The fix is in the schema and the statements
/// (spread the hot rows, shorten the transactions that hold them), so the finding is tuning
/// and names the tables updated most per row and the writing statements that take the most
/// time.
public struct LockContentionRule: Rule {
    public static let minimumSessions = RuleParameter(
        name: "lock_wait_sessions", value: 1, unit: .sessions,
        why: "At least one session waiting on a lock on average, all the time: a queue, not a blip.")
    public static let minimumShare = RuleParameter(
        name: "lock_wait_share", value: 0.3, unit: .ratio,
        why: "Lock waits are a third or more of active time: they, not CPU or IO, bound throughput.")

    public static let description = RuleDescription(
        id: "tuning-lock-contention", strategy: .tuning,
        title: "Sessions queue on row locks: fix the hot rows, not the machine",
        rationale: """
            Sessions waiting on heavyweight locks (wait_event_type Lock: transactionid, tuple) \
            wait for each other. More vCPUs, replicas or shards do not shorten that queue; \
            spreading the rows every transaction updates (counters, balances, a few parent rows) \
            and shortening the transactions that hold them does.
            """,
        sources: [Manual.waitEvents, Manual.statActivity, Manual.statTables],
        thresholds: [], parameters: [minimumSessions, minimumShare],
        inputs: ["activity.wait_event_types", "activity.avg_active_sessions", "tables.n_tup_upd", "tables.n_live_tup"])

    public init() {}

    public func evaluate(_ context: RuleContext) -> RuleVerdict {
        guard let activity = context.snapshot.activity, let lock = context.capacity.lockSessions else {
            return pass("no activity samples", [])
        }
        let share = activity.avgActiveSessions > 0 ? lock / activity.avgActiveSessions : 0
        let evidence = [
            Self.minimumSessions.evidence(metric: .lockWaitSessions, value: lock),
            Self.minimumShare.evidence(metric: .lockWaitShare, value: share),
        ]
        guard lock >= Self.minimumSessions.value, share >= Self.minimumShare.value else {
            return pass(
                "\(Formatting.rate(lock)) sessions wait on locks (\(Formatting.percent(share)) of active time)",
                evidence)
        }
        // Hot rows: updates per live row, most first.
        let hot = (context.snapshot.tables ?? []).compactMap { table -> (String, Double)? in
            guard let updates = table.nTupUpd, updates > 0, let live = table.nLiveTup, live > 0 else { return nil }
            return (table.qualifiedName, Double(updates) / Double(live))
        }.sorted { $0.1 > $1.1 }.prefix(3)
        let writers = context.statements.filter { statement in
            statement.shape.map { !$0.tablesWritten.isEmpty } ?? false
        }.prefix(3)
        var actions = [
            "Do not scale for this: more vCPUs, replicas or shards leave the same rows contended."
        ]
        if !hot.isEmpty {
            actions.append(
                "Spread the hot rows: "
                    + hot.map { "\($0.0) (\(Formatting.number($0.1)) updates per row)" }
                    .joined(separator: ", ")
                    + " — e.g. sharded counters (N rows per key, summed on read) or append-only rows aggregated later.")
        }
        if !writers.isEmpty {
            actions.append(
                "Shorten the transactions around the writing statements that take the most time: "
                    + writers.map { "\($0.query.map { String($0.prefix(80)) } ?? "queryid \($0.queryid)")" }
                    .joined(separator: "; "))
        }
        actions.append("Take row locks in a consistent order and as late as possible in each transaction.")
        return .recommend([
            recommendation(
                severity: .warning, target: context.databaseName,
                summary:
                    "\(Formatting.rate(lock)) of \(Formatting.rate(activity.avgActiveSessions)) active sessions wait on locks "
                    + "(\(Formatting.percent(share))): contention on hot rows bounds throughput, not the machine.",
                evidence: evidence, actions: actions)
        ])
    }
}
