import DBAdviseModel
import Foundation

/// The range step of a planned partitioning: a calendar unit for timestamp and date keys, a
/// width of values for serial keys.
public enum PartitionInterval: Sendable, Equatable {
    case time(TimeStep)
    case integer(Int)

    public enum TimeStep: String, Sendable, CaseIterable {
        case day, week, month, quarter, year

        /// The interval literal (`1 month`), as pg_partman's `p_interval` takes it.
        public var sql: String {
            switch self {
            case .day: "1 day"
            case .week: "1 week"
            case .month: "1 month"
            case .quarter: "3 months"
            case .year: "1 year"
            }
        }

        var days: Double {
            switch self {
            case .day: 1
            case .week: 7
            case .month: 30.44
            case .quarter: 91.31
            case .year: 365.25
            }
        }
    }

    /// `1 month`, or `1000000` for a serial key: pg_partman's `p_interval`.
    public var sql: String {
        switch self {
        case let .time(step): step.sql
        case let .integer(width): String(width)
        }
    }

    /// `monthly`, `every 1,000,000 ids`.
    public var label: String {
        switch self {
        case .time(.day): "daily"
        case .time(.week): "weekly"
        case .time(.month): "monthly"
        case .time(.quarter): "quarterly"
        case .time(.year): "yearly"
        case let .integer(width): "every \(Formatting.grouped(width)) values"
        }
    }
}

/// Chooses a partition interval from measured growth so each partition lands in a size band.
public enum PartitionSizing {
    /// The interval whose partitions come closest to `upperBytes` without passing it: the
    /// coarsest calendar step, or for serial keys a round number of values.
    public static func timeStep(bytesPerDay: Double?, upperBytes: Double) -> PartitionInterval.TimeStep {
        guard let bytesPerDay, bytesPerDay > 0 else { return .month }
        let fitting = PartitionInterval.TimeStep.allCases.reversed().first {
            Double($0.days) * bytesPerDay <= upperBytes
        }
        return fitting ?? .day
    }

    /// A 1, 2 or 5 × 10ⁿ count of values whose rows fill at most `upperBytes`.
    public static func integerWidth(bytesPerRow: Double, upperBytes: Double) -> Int {
        guard bytesPerRow > 0 else { return 1_000_000 }
        let rows = max(1, upperBytes / bytesPerRow)
        let magnitude = pow(10, floor(log10(rows)))
        let mantissa = [5.0, 2.0, 1.0].first { $0 * magnitude <= rows } ?? 1
        return max(1, Int(saturating: mantissa * magnitude))
    }
}

/// A declarative range-partitioning plan for one table, as SQL steps with the locks they take.
///
/// The migration copies instead of attaching the old table: attaching needs the old table's
/// primary key to include the partition key first, which is itself a table rewrite. Each step
/// is one executable SQL text whose leading comment names it and its locks.
public struct PartitionPlan: Sendable, Equatable {
    public struct Step: Sendable, Equatable {
        public var title: String
        public var lock: String
        public var sql: String

        /// `-- 1. title` / `-- lock: …` / SQL: readable in a report, runnable by psql.
        public func action(_ number: Int) -> String {
            "-- \(number). \(title)\n-- lock: \(lock)\n\(sql)"
        }
    }

    public var schema: String
    public var table: String
    public var column: String
    public var dataType: String
    public var interval: PartitionInterval
    /// Primary key columns of the table, when known (`indexes.columns`).
    public var primaryKey: [String]?
    public var uniqueIndexes: [[String]]
    public var indexes: [[String]]
    /// When the plan is made: the literal partitions surround it.
    public var now: Date
    /// Partitions created ahead of `now`.
    public var premake: Int
    /// pg_partman retention (`90 days`) when old rows are deleted.
    public var retention: String?
    /// The major version of pg_partman installed in the database (its `create_parent` takes
    /// `p_type := 'native'` before 5); nil when it is not installed: the 5.x call is written.
    public var partmanMajorVersion: Int?

    public init(
        schema: String, table: String, column: String, dataType: String, interval: PartitionInterval,
        primaryKey: [String]?, uniqueIndexes: [[String]] = [], indexes: [[String]] = [], now: Date,
        premake: Int = 3, retention: String? = nil, partmanMajorVersion: Int? = nil
    ) {
        self.schema = schema
        self.table = table
        self.column = column
        self.dataType = dataType
        self.interval = interval
        self.primaryKey = primaryKey
        self.uniqueIndexes = uniqueIndexes
        self.indexes = indexes
        self.now = now
        self.premake = premake
        self.retention = retention
        self.partmanMajorVersion = partmanMajorVersion
    }

    // MARK: names

    public var old: String { SQL.qualified(schema, table) }
    public var newName: String { "\(table)_partitioned" }
    public var parent: String { SQL.qualified(schema, newName) }
    /// `schema.table` and `schema.table_partitioned` unquoted: as titles print them and as
    /// pg_partman's `part_config.parent_table` stores them.
    public var qualifiedTable: String { "\(schema).\(table)" }
    public var qualifiedParent: String { "\(schema).\(newName)" }
    public var key: String { SQL.identifier(column) }
    public var isTimestampTZ: Bool {
        dataType.lowercased().contains("with time zone") || dataType.lowercased() == "timestamptz"
    }

    // MARK: steps

    /// Every step of the plan, in order. Two paths share it: without pg_partman, steps marked
    /// "(without pg_partman)" create the partitions; with it, the steps starting "With
    /// pg_partman" do instead.
    public var steps: [Step] {
        [
            createParent, keysAndIndexes, currentPartitions, historyPartitions, partman, retentionStep, backfill, swap,
            partmanRename,
        ]
        .compactMap { $0 }
    }

    /// The steps as report actions, numbered.
    public var actions: [String] {
        steps.enumerated().map { $0.element.action($0.offset + 1) }
            + [
                "For a table too large to copy: give \(old) a primary key that includes \(column), add CHECK (\(column) < <boundary>) NOT VALID and VALIDATE it (SHARE UPDATE EXCLUSIVE, writes continue), then ATTACH PARTITION it FOR VALUES FROM (MINVALUE) TO (<boundary>): SHARE UPDATE EXCLUSIVE on the parent, ACCESS EXCLUSIVE on \(old) and the default partition, no scan thanks to the CHECK."
            ]
    }

    public var createParent: Step {
        Step(
            title: "Create the partitioned parent \(qualifiedParent) with \(table)'s columns, defaults and checks",
            lock: "ACCESS SHARE on \(old) (reads its definition); writes continue",
            sql: """
                CREATE TABLE \(parent) (LIKE \(old) INCLUDING ALL EXCLUDING INDEXES)
                    PARTITION BY RANGE (\(key));
                """)
    }

    /// The primary key and unique indexes must include the partition key on a partitioned
    /// table (the manual's limitation), so the key is appended where it is missing.
    public var keysAndIndexes: Step? {
        var statements: [String] = []
        if let primaryKey, !primaryKey.isEmpty {
            statements.append("ALTER TABLE \(parent) ADD PRIMARY KEY (\(withKey(primaryKey)));")
        }
        for columns in uniqueIndexes where !columns.isEmpty {
            statements.append("CREATE UNIQUE INDEX ON \(parent) (\(withKey(columns)));")
        }
        for columns in indexes where !columns.isEmpty {
            statements.append("CREATE INDEX ON \(parent) (\(columns.map(SQL.indexColumn).joined(separator: ", ")));")
        }
        guard !statements.isEmpty else { return nil }
        return Step(
            title:
                "Primary key and unique indexes with \(column) added (a partitioned table's unique keys must include the partition key); the other indexes as they are",
            lock: "ACCESS EXCLUSIVE on the new, still empty parent only",
            sql: statements.joined(separator: "\n"))
    }

    public func withKey(_ columns: [String]) -> String {
        let listed = columns.contains(column) ? columns : columns + [column]
        return listed.map(SQL.indexColumn).joined(separator: ", ")
    }

    /// The partitions from one interval back to `premake` ahead, and the default partition.
    public var currentPartitions: Step? {
        guard case let .time(step) = interval else {
            return Step(
                title:
                    "A default partition for values no partition covers (without pg_partman; alert when it is not empty)",
                lock: "ACCESS EXCLUSIVE on the new, still empty parent only",
                sql:
                    "CREATE TABLE \(SQL.qualified(schema, newName + "_default")) PARTITION OF \(parent) DEFAULT;"
            )
        }
        let starts = (-1...(premake + 1)).compactMap { TimeBounds.start(of: step, containing: now, offset: $0) }
        var statements: [String] = []
        for (lower, upper) in zip(starts, starts.dropFirst()) {
            statements.append(
                "CREATE TABLE \(partitionName(lower)) PARTITION OF \(parent)\n    FOR VALUES FROM (\(literal(lower))) TO (\(literal(upper)));"
            )
        }
        statements.append(
            "CREATE TABLE \(SQL.qualified(schema, newName + "_default")) PARTITION OF \(parent) DEFAULT;"
        )
        return Step(
            title:
                "\(PartitionInterval.time(step).label.capitalized) partitions around now, \(premake) ahead, and a default partition (without pg_partman; alert when the default is not empty)",
            lock: "ACCESS EXCLUSIVE on the new, still empty parent only",
            sql: statements.joined(separator: "\n"))
    }

    public func partitionName(_ date: Date) -> String {
        SQL.qualified(schema, "\(newName)_p\(TimeBounds.compact(date))")
    }

    public func literal(_ date: Date) -> String {
        SQL.literal(TimeBounds.timestamp(date) + (isTimestampTZ ? "+00" : ""))
    }

    /// `bound_start` as a value comparable with the key column, in UTC whatever the session's TimeZone.
    public var lowerAsKey: String { isTimestampTZ ? "(bound_start AT TIME ZONE 'UTC')" : "bound_start" }
    /// The oldest key value of the old table as a UTC timestamp.
    public var oldestAsTimestamp: String {
        isTimestampTZ ? "min(\(key)) AT TIME ZONE 'UTC'" : "min(\(key))::timestamp"
    }

    /// Partitions for the rows already in the table, from the oldest value on.
    public var historyPartitions: Step {
        switch interval {
        case let .time(step):
            let first = TimeBounds.start(of: step, containing: now, offset: -1) ?? now
            return Step(
                title:
                    "Partitions for the existing rows, from the oldest \(column) up to the first partition above (without pg_partman)",
                lock: "ACCESS SHARE on \(old) (one min() read); ACCESS EXCLUSIVE on the new, still empty parent",
                sql: """
                    DO $plan$
                    DECLARE
                        bound_start timestamp := date_trunc('\(truncUnit(step))', (SELECT \(oldestAsTimestamp) FROM \(old)));
                    BEGIN
                        WHILE bound_start < timestamp \(SQL.literal(TimeBounds.timestamp(first))) LOOP
                            EXECUTE format('CREATE TABLE %I.%I PARTITION OF \(parent.replacingOccurrences(of: "'", with: "''")) FOR VALUES FROM (%L) TO (%L)',
                                \(SQL.literal(schema)), \(SQL.literal(newName + "_p")) || to_char(bound_start, 'YYYYMMDD'),
                                \(boundText("bound_start")), \(boundText("bound_start + interval '\(step.sql)'")));
                            bound_start := bound_start + interval '\(step.sql)';
                        END LOOP;
                    END
                    $plan$;
                    """)
        case let .integer(width):
            return Step(
                title:
                    "Partitions of \(Formatting.grouped(width)) values from the lowest \(column) to \(premake) partitions past the highest (without pg_partman)",
                lock: "ACCESS SHARE on \(old) (one min()/max() read); ACCESS EXCLUSIVE on the new, still empty parent",
                sql: """
                    DO $plan$
                    DECLARE
                        bound_start bigint := (SELECT min(\(key)) / \(width) * \(width) FROM \(old));
                        highest bigint := (SELECT max(\(key)) FROM \(old));
                    BEGIN
                        bound_start := coalesce(bound_start, 0);
                        highest := coalesce(highest, 0) + \(premake) * \(width);
                        WHILE bound_start <= highest LOOP
                            EXECUTE format('CREATE TABLE %I.%I PARTITION OF \(parent.replacingOccurrences(of: "'", with: "''")) FOR VALUES FROM (%s) TO (%s)',
                                \(SQL.literal(schema)), \(SQL.literal(newName + "_p")) || bound_start, bound_start, bound_start + \(width));
                            bound_start := bound_start + \(width);
                        END LOOP;
                    END
                    $plan$;
                    """)
        }
    }

    public func truncUnit(_ step: PartitionInterval.TimeStep) -> String {
        step == .quarter ? "quarter" : step.rawValue
    }

    public func boundText(_ expression: String) -> String {
        "to_char(\(expression), 'YYYY-MM-DD HH24:MI:SS')\(isTimestampTZ ? " || '+00'" : "")"
    }

    /// pg_partman's `create_parent` in place of the "(without pg_partman)" steps: it creates the
    /// partitions from the oldest row's interval to `premake` ahead, and the default partition.
    public var partman: Step {
        let start: String
        switch interval {
        case let .time(step):
            start =
                "(SELECT \(boundText("date_trunc('\(truncUnit(step))', \(oldestAsTimestamp))")) FROM \(old))"
        case let .integer(width):
            start = "(SELECT (min(\(key)) / \(width) * \(width))::text FROM \(old))"
        }
        let legacy = (partmanMajorVersion ?? 5) < 5
        return Step(
            title:
                "With pg_partman \(legacy ? "\(partmanMajorVersion ?? 4).x (installed)" : "5.x"), in place of the hand-made partitions above: it creates the partitions from the oldest row on, \(premake) ahead and the default; CREATE EXTENSION pg_partman SCHEMA partman first, then run its maintenance (background worker or cron)",
            lock: "ACCESS SHARE on \(old) (one min() read); ACCESS EXCLUSIVE on the new, still empty parent",
            sql: """
                SELECT partman.create_parent(
                    p_parent_table := \(SQL.literal(qualifiedParent)),
                    p_control := \(SQL.literal(column)),
                    p_interval := \(SQL.literal(interval.sql)),\(legacy ? "\n    p_type := 'native'," : "")
                    p_premake := \(premake),
                    p_start_partition := \(start));
                """)
    }

    /// pg_partman names the parent in its configuration: the swap renames it.
    public var partmanRename: Step {
        Step(
            title: "With pg_partman: point its configuration at the parent's new name after the swap",
            lock: "ROW EXCLUSIVE on partman.part_config",
            sql: """
                UPDATE partman.part_config
                    SET parent_table = \(SQL.literal(qualifiedTable))
                    WHERE parent_table = \(SQL.literal(qualifiedParent));
                """)
    }

    public var retentionStep: Step? {
        guard let retention else { return nil }
        return Step(
            title:
                "With pg_partman: drop partitions older than \(retention) instead of DELETEing old rows (the rate old rows are deleted at today)",
            lock: "maintenance takes ACCESS EXCLUSIVE on the parent briefly to detach each expired partition",
            sql: """
                UPDATE partman.part_config
                    SET retention = \(SQL.literal(retention)), retention_keep_table = false
                    WHERE parent_table = \(SQL.literal(qualifiedParent));
                """)
    }

    /// Copies the rows in batches of one interval, committing each, while the old table stays
    /// in use; the swap copies what arrived since.
    public var backfill: Step {
        switch interval {
        case let .time(step):
            let boundary = TimeBounds.start(of: step, containing: now, offset: 0) ?? now
            return Step(
                title:
                    "Backfill in batches of \(step.sql), one transaction each, up to \(TimeBounds.timestamp(boundary)) (run outside a transaction block)",
                lock: "ACCESS SHARE on \(old), ROW EXCLUSIVE on the new table; \(table) stays readable and writable",
                sql: """
                    DO $plan$
                    DECLARE
                        bound_start timestamp := date_trunc('\(truncUnit(step))', (SELECT \(oldestAsTimestamp) FROM \(old)));
                    BEGIN
                        WHILE bound_start < timestamp \(SQL.literal(TimeBounds.timestamp(boundary))) LOOP
                            INSERT INTO \(parent)
                                SELECT * FROM \(old)
                                WHERE \(key) >= \(lowerAsKey) AND \(key) < \(lowerAsKey.replacingOccurrences(of: "bound_start", with: "(bound_start + interval '\(step.sql)')"));
                            COMMIT;
                            bound_start := bound_start + interval '\(step.sql)';
                        END LOOP;
                    END
                    $plan$;
                    """)
        case let .integer(width):
            return Step(
                title:
                    "Backfill in batches of \(Formatting.grouped(width)) values, one transaction each (run outside a transaction block)",
                lock: "ACCESS SHARE on \(old), ROW EXCLUSIVE on the new table; \(table) stays readable and writable",
                sql: """
                    DO $plan$
                    DECLARE
                        bound_start bigint := (SELECT min(\(key)) FROM \(old));
                        highest bigint := (SELECT max(\(key)) FROM \(old));
                    BEGIN
                        WHILE bound_start <= highest LOOP
                            INSERT INTO \(parent) SELECT * FROM \(old) WHERE \(key) >= bound_start AND \(key) < bound_start + \(width) AND \(key) <= highest;
                            COMMIT;
                            bound_start := bound_start + \(width);
                        END LOOP;
                    END
                    $plan$;
                    """)
        }
    }

    public var swap: Step {
        let catchUp: String
        switch interval {
        case let .time(step):
            let boundary = TimeBounds.start(of: step, containing: now, offset: 0) ?? now
            catchUp = "\(key) >= \(literal(boundary))"
        case .integer:
            catchUp = "\(key) > (SELECT coalesce(max(\(key)), (SELECT min(\(key)) - 1 FROM \(old))) FROM \(parent))"
        }
        return Step(
            title:
                "Copy the rows written since the backfill and swap the names in one transaction; keep \(table)_unpartitioned until verified, move sequence ownership (ALTER SEQUENCE … OWNED BY) before dropping it",
            lock:
                "SHARE ROW EXCLUSIVE on \(old) while copying (reads continue, writes wait), then ACCESS EXCLUSIVE on both tables for the renames",
            sql: """
                BEGIN;
                LOCK TABLE \(old) IN SHARE ROW EXCLUSIVE MODE;
                INSERT INTO \(parent) SELECT * FROM \(old) WHERE \(catchUp);
                ALTER TABLE \(old) RENAME TO \(SQL.identifier(table + "_unpartitioned"));
                ALTER TABLE \(parent) RENAME TO \(SQL.identifier(table));
                COMMIT;
                """)
    }
}

/// Quoting for generated SQL.
public enum SQL {
    public static let reserved: Set<String> = [
        "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "both", "case", "cast", "check", "collate",
        "column", "constraint", "create", "default", "desc", "distinct", "do", "else", "end", "except", "false", "for",
        "foreign", "from", "grant", "group", "having", "in", "into", "leading", "limit", "not", "null", "offset", "on",
        "only", "or", "order", "primary", "references", "select", "table", "then", "to", "true", "union", "unique",
        "user", "using", "when", "where", "with",
    ]

    /// An identifier, double-quoted when it is not a plain lowercase name.
    public static func identifier(_ name: String) -> String {
        let plain = name.wholeMatch(of: /[a-z_][a-z0-9_$]*/) != nil && !reserved.contains(name)
        return plain ? name : "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// An index column: a name is quoted, an expression (`lower(email)`) is kept as written.
    public static func indexColumn(_ column: String) -> String {
        column.contains("(") ? column : identifier(column)
    }

    /// `schema.name`, each part quoted when needed.
    public static func qualified(_ schema: String, _ name: String) -> String {
        "\(identifier(schema)).\(identifier(name))"
    }

    /// A generated name cut to PostgreSQL's 63-byte identifier limit (NAMEDATALEN - 1).
    public static func truncatedName(_ name: String) -> String {
        var cut = name
        while cut.utf8.count > 63 { cut.removeLast() }
        return cut
    }

    public static func literal(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }
}

/// Calendar arithmetic in UTC for partition bounds.
public enum TimeBounds {
    /// Made once: bounds of thousands of partitions are read with it.
    public static let calendar: Calendar = {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? TimeZone(secondsFromGMT: 0) ?? .current
        return calendar
    }()

    /// The start of the interval containing `date`, moved by `offset` intervals.
    public static func start(of step: PartitionInterval.TimeStep, containing date: Date, offset: Int) -> Date? {
        let calendar = calendar
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        guard let year = parts.year, let month = parts.month, let day = parts.day else { return nil }
        switch step {
        case .day:
            let start = calendar.date(from: DateComponents(year: year, month: month, day: day))
            return start.flatMap { calendar.date(byAdding: .day, value: offset, to: $0) }
        case .week:
            let start = calendar.date(from: DateComponents(year: year, month: month, day: day))
            let weekday = start.map { (calendar.component(.weekday, from: $0) + 5) % 7 } ?? 0  // Monday = 0
            return start.flatMap { calendar.date(byAdding: .day, value: offset * 7 - weekday, to: $0) }
        case .month:
            let start = calendar.date(from: DateComponents(year: year, month: month, day: 1))
            return start.flatMap { calendar.date(byAdding: .month, value: offset, to: $0) }
        case .quarter:
            let start = calendar.date(from: DateComponents(year: year, month: (month - 1) / 3 * 3 + 1, day: 1))
            return start.flatMap { calendar.date(byAdding: .month, value: offset * 3, to: $0) }
        case .year:
            let start = calendar.date(from: DateComponents(year: year, month: 1, day: 1))
            return start.flatMap { calendar.date(byAdding: .year, value: offset, to: $0) }
        }
    }

    public static func timestamp(_ date: Date) -> String {
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d 00:00:00", parts.year ?? 1970, parts.month ?? 1, parts.day ?? 1)
    }

    public static func compact(_ date: Date) -> String {
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d%02d%02d", parts.year ?? 1970, parts.month ?? 1, parts.day ?? 1)
    }
}
