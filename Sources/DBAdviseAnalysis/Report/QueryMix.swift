/// The report's `query_mix`: which statement classes touch each table, with their calls per
/// second and share of statement time (pg_stat_statements), beside the rows the table itself
/// had written and read per second (pg_stat_user_tables). The rules module builds it, since it
/// needs PostgreSQL's parser; the report holds null when pg_stat_statements is unavailable.
import DBAdviseModel

public struct QueryMix: Codable, Sendable, Equatable {
    /// How a statement is classified: see `StatementClassifier` in the rules module.
    public enum StatementClass: String, Codable, Sendable, CaseIterable, Comparable {
        case pointRead = "point-read"
        case rangeRead = "range-read"
        case analytic
        case write
        /// BEGIN, SET, VACUUM, …
        case utility

        public var label: String {
            switch self {
            case .pointRead: "point read"
            case .rangeRead: "range read"
            case .analytic: "analytic read"
            case .write: "write"
            case .utility: "utility"
            }
        }

        public static func < (lhs: StatementClass, rhs: StatementClass) -> Bool {
            allCases.firstIndex(of: lhs) ?? 0 < allCases.firstIndex(of: rhs) ?? 0
        }
    }

    /// The statements of one class (overall, or touching one table) and what they cost.
    public struct ClassShare: Codable, Sendable, Equatable {
        public var statementClass: StatementClass
        /// pg_stat_statements query ids, by total time (largest first).
        public var queryids: [String]
        /// Their calls per second over the interval; null when its length is unknown.
        public var callsPerSecond: Double?
        /// Their share of all statement execution time; null when that total is unknown.
        public var timeShare: Double?

        public init(statementClass: StatementClass, queryids: [String], callsPerSecond: Double?, timeShare: Double?) {
            self.statementClass = statementClass
            self.queryids = queryids
            self.callsPerSecond = callsPerSecond
            self.timeShare = timeShare
        }

        private enum CodingKeys: String, CodingKey {
            case statementClass = "class"
            case queryids
            case callsPerSecond = "calls_per_second"
            case timeShare = "time_share"
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(statementClass, forKey: .statementClass)
            try container.encode(queryids, forKey: .queryids)
            try container.encode(callsPerSecond, forKey: .callsPerSecond)
            try container.encode(timeShare, forKey: .timeShare)
        }
    }

    /// One table: the statements that read or write it, by class, and its own measured rates.
    public struct Table: Codable, Sendable, Equatable {
        /// `schema.table`.
        public var table: String
        /// Rows inserted, updated and deleted per second (pg_stat_user_tables); null when unknown.
        public var writesPerSecond: Double?
        /// Rows read per second, sequentially or through an index (pg_stat_user_tables).
        public var readsPerSecond: Double?
        /// The statements naming the table, by class. A statement naming two tables counts for both.
        public var classes: [ClassShare]

        public init(table: String, writesPerSecond: Double?, readsPerSecond: Double?, classes: [ClassShare]) {
            self.table = table
            self.writesPerSecond = writesPerSecond
            self.readsPerSecond = readsPerSecond
            self.classes = classes
        }

        private enum CodingKeys: String, CodingKey {
            case table
            case writesPerSecond = "writes_per_second"
            case readsPerSecond = "reads_per_second"
            case classes
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(table, forKey: .table)
            try container.encode(writesPerSecond, forKey: .writesPerSecond)
            try container.encode(readsPerSecond, forKey: .readsPerSecond)
            try container.encode(classes, forKey: .classes)
        }

        /// The share of one class, when statements of it name the table.
        public func share(_ statementClass: StatementClass) -> ClassShare? {
            classes.first { $0.statementClass == statementClass }
        }
    }

    /// Statements classified, from the shape parsed at collect time or from their text.
    public var statements: Int
    /// Statements whose text did not parse (truncated, or syntax newer than the parser's).
    public var unparsedStatements: Int
    /// Statements with neither text nor shape (redacted by a dbadvise that kept no shapes).
    public var unreadableStatements: Int
    /// All classified statements, by class.
    public var classes: [ClassShare]
    /// Every table of the snapshot that a classified statement names, by statement time (largest first).
    public var tables: [Table]
    /// What the numbers leave out: unparsed statements, names that are no table of the snapshot,
    /// an unknown interval.
    public var notes: [String]

    private enum CodingKeys: String, CodingKey {
        case statements
        case unparsedStatements = "unparsed_statements"
        case unreadableStatements = "unreadable_statements"
        case classes
        case tables
        case notes
    }

    public init(
        statements: Int, unparsedStatements: Int, unreadableStatements: Int, classes: [ClassShare], tables: [Table],
        notes: [String]
    ) {
        self.statements = statements
        self.unparsedStatements = unparsedStatements
        self.unreadableStatements = unreadableStatements
        self.classes = classes
        self.tables = tables
        self.notes = notes
    }

    public func table(_ qualifiedName: String) -> Table? {
        tables.first { $0.table == qualifiedName }
    }
}

extension QueryMix.Table {
    /// "statements naming it: 1 point read (2,100 calls/s, 61% of statement time), 1 write
    /// (0.25 calls/s, 0.1% of statement time); pg_stat_user_tables: 0.25 rows written/s, 2,100
    /// rows read/s"
    public var summary: String {
        let statements = classes.map { share in
            let count = share.queryids.count
            let numbers = [
                share.callsPerSecond.map { "\(Formatting.rate($0)) calls/s" },
                share.timeShare.map { "\(Formatting.percent($0)) of statement time" },
            ].compactMap { $0 }
            let noun = share.statementClass == .utility ? "utility statement" : share.statementClass.label
            return "\(count) \(noun)\(count == 1 ? "" : "s")"
                + (numbers.isEmpty ? "" : " (\(numbers.joined(separator: ", ")))")
        }
        return "statements naming it: \(statements.joined(separator: ", ")); pg_stat_user_tables: \(measuredRates)"
    }
}

extension QueryMix.ClassShare {
    /// "point read: 1 statement, 2,100 calls/s, 61% of statement time"
    public var summary: String {
        let count = queryids.count
        return "\(statementClass.label): \(count) statement\(count == 1 ? "" : "s"), "
            + (callsPerSecond.map { "\(Formatting.rate($0)) calls/s" } ?? "calls/s unknown") + ", "
            + (timeShare.map { "\(Formatting.percent($0)) of statement time" } ?? "time share unknown")
    }
}

extension QueryMix.Table {
    /// "0.25 rows written/s, 2,100 rows read/s" (pg_stat_user_tables)
    public var measuredRates: String {
        (writesPerSecond.map { "\(Formatting.rate($0)) rows written/s" } ?? "rows written/s unknown") + ", "
            + (readsPerSecond.map { "\(Formatting.rate($0)) rows read/s" } ?? "rows read/s unknown")
    }
}
