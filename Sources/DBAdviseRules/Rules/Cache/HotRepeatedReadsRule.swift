import DBAdviseAnalysis
import DBAdviseModel

/// The same cheap read, many times a second, on data that rarely changes.
public struct HotRepeatedReadsRule: Rule {
    public static let callsPerSecond = RuleParameter(
        name: "calls_per_second", value: 500, unit: .callsPerSecond,
        why: "Hundreds of identical lookups a second are where a cache saves real work.")
    public static let rowsPerCall = RuleParameter(
        name: "rows_per_call", value: 10, unit: .rows,
        why: "Small results are cheap to cache and to invalidate.")
    public static let writeToReadRatio = RuleParameter(
        name: "table_writes_per_read", value: 0.01, unit: .ratio,
        why: "A table written less than once per hundred rows read keeps a cache valid.")
    public static let sessionsRemoved = RuleParameter(
        name: "busy_sessions_removed", value: 1, unit: .sessions,
        why: """
            On a primary with headroom a cache is worth its invalidation problem only when the \
            statement keeps at least a whole session busy: PostgreSQL already serves cached \
            lookups from shared buffers in microseconds.
            """)
    public static let timeShare = RuleParameter(
        name: "statement_time_share", value: 0.1, unit: .ratio,
        why: "The reads must cost a tenth of statement time for the cache to pay for itself.")
    public static let ttlShareOfWriteInterval = RuleParameter(
        name: "ttl_share_of_write_interval", value: 0.5, unit: .ratio,
        why:
            "Start the TTL at half the mean time between writes of the most-written table read, so most entries expire before the next write lands."
    )
    public static let minimumTTL = RuleParameter(
        name: "minimum_starting_ttl_seconds", value: 1, unit: .seconds,
        why: "Below a second a cache entry saves little; invalidate on write instead.")
    public static let maximumTTL = RuleParameter(
        name: "maximum_starting_ttl_seconds", value: 300, unit: .seconds,
        why:
            "Short TTLs first: even for tables not written in the interval, start at five minutes and lengthen as hit rates are measured."
    )

    public static let description = RuleDescription(
        id: "cache-hot-repeated-reads", strategy: .cache,
        title: "Cache hot, rarely-changing reads in front of PostgreSQL",
        rationale: """
            A statement called hundreds of times a second returning a few rows from tables \
            that are rarely written is served faster and cheaper from a cache such as Redis \
            (cache-aside). Statements are parsed with PostgreSQL's own grammar (libpg_query) to \
            find the tables they read and the parameters that key them. The starting TTL is \
            ttl_share_of_write_interval × the mean time between writes (1 / writes_per_second) \
            of the most-written table read, clamped to the minimum and maximum starting TTL: a \
            table written every 2 s starts at 1 s. Start short and lengthen as hit rates are \
            measured; the load removed is at most the statement's calls/s and time share. \
            Candidates come in order of the primary time they would remove. A redacted snapshot \
            keeps each statement's parsed shape (tables, key columns, hashed), so the advice \
            holds without the texts.
            """,
        sources: [Manual.cacheAside, Manual.statStatements],
        thresholds: [],
        parameters: [
            callsPerSecond, rowsPerCall, writeToReadRatio, timeShare, sessionsRemoved, ttlShareOfWriteInterval,
            minimumTTL, maximumTTL,
        ],
        inputs: [
            "statements.top_by_calls", "statements.top_by_total_time", "statements.*.shape",
            "interval.rate_seconds", "tables.writes_per_second", "tables.reads_per_second",
        ])

    public init() {}

    /// ttl_share_of_write_interval × (1 / writes per second), within the starting bounds.
    static func startingTTL(writesPerSecond: Double) -> Double {
        guard writesPerSecond > 0 else { return maximumTTL.value }
        let ttl = ttlShareOfWriteInterval.value / writesPerSecond
        return min(maximumTTL.value, max(minimumTTL.value, ttl))
    }

    public func evaluate(_ context: RuleContext) -> RuleVerdict {
        if let reason = context.statementsUnavailableReason {
            return pass(
                "statements unavailable: \(reason)",
                [Self.callsPerSecond.evidence(metric: .callsPerSecond, value: nil, note: reason)])
        }
        guard context.intervalSeconds != nil else {
            return pass(
                "interval length unknown, calls per second cannot be computed",
                [
                    Self.callsPerSecond.evidence(
                        metric: .callsPerSecond, value: nil, note: "interval.rate_seconds is null")
                ])
        }
        // A cache must take load off a primary that needs it: a busy primary, or a statement
        // that keeps a whole session busy by itself.
        let headroom = context.primaryHeadroom()
        let classification = StatementClassifier.classify(context)
        let mix = QueryMixBuilder.build(context, classification)
        var busiest = 0.0
        // why the busiest statement over the calls threshold was not a candidate
        var busiestRejection: String?
        var found: [Recommendation] = []
        for read in classification.statements where read.isRead && read.statement.calls > 0 {
            let statement = read.statement
            let rate = read.callsPerSecond ?? 0
            let isBusiest = rate > busiest
            busiest = max(busiest, rate)
            let rows = read.rowsPerCall
            let share = read.timeShare ?? 0
            func reject(_ why: String) {
                if isBusiest { busiestRejection = "\(statement.queryid) at \(Formatting.rate(rate)) calls/s \(why)" }
            }
            guard rate >= Self.callsPerSecond.value else { continue }
            guard rows <= Self.rowsPerCall.value else {
                reject("returns \(Formatting.rate(rows)) rows per call (> \(Formatting.rate(Self.rowsPerCall.value)))")
                continue
            }
            guard share >= Self.timeShare.value else {
                reject(
                    "takes \(Formatting.percent(share)) of statement time (< \(Formatting.percent(Self.timeShare.value)))"
                )
                continue
            }
            guard !read.parsed.tablesRead.isEmpty else {
                reject("reads no table")
                continue
            }
            let removed = context.busySessions(ofStatementTimeMs: statement.totalExecTimeMs) ?? 0
            if let headroom, removed < Self.sessionsRemoved.value {
                reject(
                    "keeps \(Formatting.rate(removed)) sessions busy (< \(Formatting.rate(Self.sessionsRemoved.value))) and \(headroom)"
                )
                continue
            }
            let resolved = read.parsed.tablesRead.map { ($0, context.resolveTable($0)) }
            let unknown = resolved.filter { $0.1 == nil }.map(\.0)
            let tables = resolved.compactMap(\.1)
            let ratios = tables.map { table -> Double? in
                guard let writes = table.writesPerSecond, let reads = table.readsPerSecond, reads > 0 else {
                    return nil
                }
                return writes / reads
            }
            guard unknown.isEmpty, !ratios.contains(where: { $0 == nil }) else {
                let names = unknown + zip(tables, ratios).filter { $0.1 == nil }.map(\.0.qualifiedName)
                reject("reads tables whose write rate is unknown (\(names.joined(separator: ", ")))")
                continue
            }
            let worst = ratios.compactMap { $0 }.max() ?? 0
            guard worst <= Self.writeToReadRatio.value else {
                reject(
                    "reads tables written \(Formatting.rate(worst)) times per row read (> \(Formatting.rate(Self.writeToReadRatio.value))): too often for a cache to stay valid"
                )
                continue
            }
            found.append(candidate(read, tables: tables, writesPerRead: worst, mix: mix, context: context))
        }
        let unparsed = classification.unparsedEvidence.map { [$0] } ?? []
        guard found.isEmpty else {
            return .recommend(
                found.map { recommendation in
                    var withNote = recommendation
                    withNote.evidence += unparsed
                    return withNote
                })
        }
        let why =
            busiestRejection.map { "busiest hot read-only statement \($0)" }
            ?? "busiest read-only statement \(Formatting.rate(busiest)) calls/s (threshold \(Formatting.rate(Self.callsPerSecond.value)))"
        let skipped =
            classification.unparsed.isEmpty ? "" : "; \(classification.unparsed.count) statement(s) failed to parse"
        return pass(
            "no cacheable hot read: \(why)\(skipped)",
            [Self.callsPerSecond.evidence(metric: .callsPerSecond, value: busiest)] + unparsed)
    }

    /// The recommendation for one cacheable statement: what to cache, under which key, for how long.
    private func candidate(
        _ read: ClassifiedStatement, tables: [TableStats], writesPerRead: Double, mix: QueryMix, context: RuleContext
    ) -> Recommendation {
        let statement = read.statement
        let rate = read.callsPerSecond ?? 0
        let share = read.timeShare ?? 0
        let hottest = tables.max { ($0.writesPerSecond ?? 0) < ($1.writesPerSecond ?? 0) }
        let writes = hottest?.writesPerSecond ?? 0
        let ttl = Self.startingTTL(writesPerSecond: writes)
        let writeInterval = writes > 0 ? 1 / writes : nil
        let written =
            writeInterval.map { "written every \(Formatting.rate($0)) s" } ?? "not written during the interval"
        let text = read.text(limit: 120)
        // each table read, as the query mix sees it: its statements beside its measured writes
        let perTable = tables.sorted { $0.qualifiedName < $1.qualifiedName }.map { table in
            Evidence(
                metric: .tableWritesPerSecond, value: table.writesPerSecond, threshold: nil, unit: .rowsPerSecond,
                note: "\(table.qualifiedName): " + (mix.table(table.qualifiedName)?.summary ?? "no statement names it"))
        }
        return recommendation(
            severity: .info, target: tables.map(\.qualifiedName).sorted().joined(separator: ", "),
            summary:
                "Statement \(statement.queryid) runs \(Formatting.rate(rate)) times/s returning \(Formatting.rate(read.rowsPerCall)) row\(read.rowsPerCall == 1 ? "" : "s") per call (\(Formatting.percent(share)) of primary statement time) from tables written \(Formatting.rate(writesPerRead)) times per row read.",
            evidence: [
                Self.callsPerSecond.evidence(
                    metric: .callsPerSecond, value: rate, note: "queryid \(statement.queryid): \(text)"),
                Self.rowsPerCall.evidence(metric: .rowsPerCall, value: read.rowsPerCall),
                Self.writeToReadRatio.evidence(metric: .tableWritesPerRead, value: writesPerRead),
                Self.timeShare.evidence(metric: .statementTimeShare, value: share),
                Self.sessionsRemoved.evidence(
                    metric: .busySessionsRemoved,
                    value: context.busySessions(ofStatementTimeMs: statement.totalExecTimeMs),
                    note: "the statement's execution time per second: the load a full hit rate takes off the primary"),
                Self.maximumTTL.evidence(
                    metric: .startingTTLSeconds, value: ttl,
                    note:
                        "\(hottest?.qualifiedName ?? "tables read") \(written); TTL = \(Formatting.rate(Self.ttlShareOfWriteInterval.value)) × write interval, within \(Formatting.rate(Self.minimumTTL.value))–\(Formatting.rate(Self.maximumTTL.value)) s"
                ),
            ] + perTable,
            actions: [
                "Cache the result of statement \(statement.queryid) in Redis (cache-aside): \(text)",
                "Key it by its parameters: \(read.parsed.keyShape).",
                "Start with a TTL of \(Formatting.rate(ttl)) s (\(hottest?.qualifiedName ?? "its tables") \(written)); lengthen it as the measured hit rate allows, and invalidate on writes to \(tables.map(\.qualifiedName).sorted().joined(separator: ", ")).",
                "Expected load removed: up to \(Formatting.rate(rate)) calls/s and \(Formatting.percent(share)) of primary statement time at a full hit rate, scaling with the hit rate measured.",
            ])
    }
}
