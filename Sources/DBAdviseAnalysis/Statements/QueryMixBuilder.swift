import DBAdviseModel

/// The report's `query_mix`: the classified statements counted for every snapshot table they
/// name, beside the rows each table had written and read per second (pg_stat_user_tables).
public enum QueryMixBuilder {
    /// How many names that are no table of the snapshot a note lists.
    public static let listedUnknownNames = 5

    /// Nil when statements cannot be used (the report then notes why).
    public static func build(_ context: RuleContext) -> QueryMix? {
        guard context.statementsUnavailableReason == nil else { return nil }
        return build(context, StatementClassifier.classify(context))
    }

    public static func build(_ context: RuleContext, _ classification: StatementClassification) -> QueryMix {
        var byTable: [String: [ClassifiedStatement]] = [:]
        var tables: [String: TableStats] = [:]
        var unknown = Set<String>()
        for statement in classification.statements {
            var named = Set<String>()
            for name in statement.parsed.tablesRead + statement.parsed.tablesWritten {
                guard let table = context.resolveTable(name) else {
                    unknown.insert(name)
                    continue
                }
                tables[table.qualifiedName] = table
                // `t` and `public.t` in one statement are one table
                if named.insert(table.qualifiedName).inserted {
                    byTable[table.qualifiedName, default: []].append(statement)
                }
            }
        }
        let ordered = byTable.map { name, statements in
            (name: name, statements: statements, ms: statements.reduce(0) { $0 + $1.statement.totalExecTimeMs })
        }.sorted { ($0.ms, $1.name) > ($1.ms, $0.name) }

        var notes: [String] = []
        if let note = classification.unparsedNote { notes.append(note) }
        if classification.redacted > 0 {
            notes.append(
                "\(classification.redacted) statement(s) have neither text nor parsed shape (redacted) and are left out"
            )
        }
        if !unknown.isEmpty {
            let names = unknown.sorted()
            let listed = names.prefix(listedUnknownNames).joined(separator: ", ")
            notes.append(
                "names that are no table of the snapshot (views, functions, CTEs of other statements) are left out: \(listed)"
                    + (names.count > listedUnknownNames ? " and \(names.count - listedUnknownNames) more" : ""))
        }
        if context.intervalSeconds == nil {
            notes.append("calls per second unknown: the interval length is unknown (interval.rate_seconds is null)")
        }
        if classification.totalMs == nil {
            notes.append("time shares unknown: pg_stat_statements recorded no execution time")
        }
        return QueryMix(
            statements: classification.statements.count, unparsedStatements: classification.unparsed.count,
            unreadableStatements: classification.redacted,
            classes: shares(classification.statements, context, classification),
            tables: ordered.map { entry in
                let table = tables[entry.name]
                return QueryMix.Table(
                    table: entry.name, writesPerSecond: table?.writesPerSecond, readsPerSecond: table?.readsPerSecond,
                    classes: shares(entry.statements, context, classification))
            },
            notes: notes)
    }

    /// The statements grouped by class, in class order.
    public static func shares(
        _ statements: [ClassifiedStatement], _ context: RuleContext, _ classification: StatementClassification
    ) -> [QueryMix.ClassShare] {
        Dictionary(grouping: statements, by: \.kind)
            .sorted { $0.key < $1.key }
            .map { statementClass, members in
                let calls = members.reduce(0) { $0 + Double($1.statement.calls) }
                let ms = members.reduce(0) { $0 + $1.statement.totalExecTimeMs }
                return QueryMix.ClassShare(
                    statementClass: statementClass,
                    queryids: members.sorted { $0.statement.totalExecTimeMs > $1.statement.totalExecTimeMs }
                        .map(\.statement.queryid),
                    callsPerSecond: context.intervalSeconds.map { tidy(calls / $0) },
                    timeShare: classification.totalMs.flatMap { $0 > 0 ? tidy(ms / $0) : nil })
            }
    }

    /// Six decimals: enough for any share or rate, and no `0.30000000000000004` in reports.
    public static func tidy(_ value: Double) -> Double { (value * 1_000_000).rounded() / 1_000_000 }
}
