import DBAdviseModel
import Foundation
import PostgresClient

public struct CollectOptions: Sendable {
    public var conninfo: String?
    public var replicas: [String]
    /// 0: one sample, rates since the statistics were reset.
    public var intervalSeconds: Double
    /// How many statements to keep by total time and by calls.
    public var topStatements: Int = 25
    /// How many of the largest tables get column statistics.
    public var columnStatsTables: Int = 50
    public var toolVersion: String
    /// Reads this database instead of the connection string's dbname (`--all-databases`).
    public var database: String?
    /// Records every statement sent (the benchmark's floor replays them with psql).
    public var trace: QueryTrace?

    public init(conninfo: String?, replicas: [String], intervalSeconds: Double, toolVersion: String) {
        self.conninfo = conninfo
        self.replicas = replicas
        self.intervalSeconds = intervalSeconds
        self.toolVersion = toolVersion
    }
}

/// Collects one snapshot: counters at the start, pg_stat_activity about once a second, counters
/// at the end, then the catalog. The number of statements sent depends on the interval
/// (one activity sample a second), never on the number of tables.
public final class SnapshotCollector {
    let connection: Connection
    let options: CollectOptions
    var unavailable: [Unavailable] = []
    /// Why each section the server refused was refused, by name: a retry asks this, not the
    /// recorded reason's words.
    var refusals: [String: SQLState] = [:]
    var serverVersion = 0
    var inRecovery = false
    var statementsVersion: String?
    /// The schema pg_stat_statements was created in: its views are named through it.
    var statementsSchema: String?
    /// Whether the role sees other roles' sessions and statements (pg_read_all_stats); nil
    /// when that could not be asked, and then what the views show is taken as it is.
    var readsAllStats: Bool?
    /// Each standby's replay lag (by walsender pid) sampled through the interval.
    var standbyLag: [Int: (seconds: [Double?], bytes: [Int?])] = [:]
    /// Every statement sent, for the benchmark and the round-trip test.
    public private(set) var queriesSent = 0

    /// Called after each activity sample with (seconds elapsed, seconds requested).
    public typealias Progress = (Double, Double) -> Void

    public init(options: CollectOptions) throws(CollectorError) {
        self.options = options
        self.connection = try SafeSession.open(
            conninfo: options.conninfo, database: options.database, trace: options.trace)
        queriesSent = 1
    }

    public static func collect(_ options: CollectOptions, progress: Progress? = nil)
        throws(CollectorError) -> Snapshot
    {
        try SnapshotCollector(options: options).collect(progress: progress)
    }

    func run(_ query: Query, _ parameters: [String?] = []) throws(PostgresError)
        -> [Row]
    {
        queriesSent += 1
        return try connection.query(query, parameters, trace: options.trace).rows
    }

    /// Runs one section; a server error (privilege, missing view, timeout) is recorded and
    /// collection goes on; a session that ended (lost connection, terminated backend) ends it.
    func section<T>(_ name: String, _ body: () throws -> T) throws(CollectorError) -> T? {
        do {
            return try body()
        } catch let error as PostgresError {
            switch error {
            case .server(let server) where !server.endsSession:
                unavailable.append(Unavailable(section: name, reason: Self.reason(for: server)))
                refusals[name] = server.sqlState
                return nil
            case .unexpectedResult(let message):
                unavailable.append(Unavailable(section: name, reason: message))
                return nil
            case .server, .connectionFailed, .connectionLost, .invalidConnectionString:
                throw .postgres(error, step: .readingSection(name))
            }
        } catch {
            unavailable.append(Unavailable(section: name, reason: "\(error)"))
            return nil
        }
    }

    func recordUnavailable(_ section: String, _ reason: String) {
        unavailable.append(Unavailable(section: section, reason: reason))
    }

    func unavailableReason(for section: String) -> String? {
        unavailable.first { $0.section == section }?.reason
    }

    static func reason(for error: ServerError) -> String {
        switch error.sqlState {
        case .insufficientPrivilege:
            return "\(error.message) (grant the role pg_monitor to read it)"
        case .lockNotAvailable:
            return "\(error.message): another session holds a conflicting lock"
        case .queryCanceled:
            return "\(error.message): statement_timeout \(SafeSession.statementTimeout) reached"
        default:
            return error.description
        }
    }

    public func collect(progress: Progress? = nil) throws(CollectorError) -> Snapshot {
        let startedAt = Date()
        var identity = try readIdentity()
        readsAllStats =
            try section("server.privileges") {
                try run(ServerQueries.statsVisibility).first?.bool("reads_all_stats")
            } ?? nil
        if let installed = try section(
            "statements",
            {
                try run(StatementQueries.installedVersion).first.map { row throws(PostgresError) in
                    (version: try row.string("version"), schema: try row.string("schema"))
                }
            }) ?? nil
        {
            statementsVersion = installed.version
            statementsSchema = installed.schema
        }
        if readsAllStats == false { recordHiddenStatistics() }

        var activity = ActivityAccumulator()
        let replicaSampler =
            options.replicas.isEmpty
            ? nil
            : ReplicaSampler(
                replicas: options.replicas,
                until: Date().addingTimeInterval(options.intervalSeconds))
        let start: CounterSample?
        let end: CounterSample
        if options.intervalSeconds > 0 {
            start = try readCounters(atEnd: false)
            try activity.add(sample())
            let began = Date()
            var nextSample = began.addingTimeInterval(1)
            let finish = began.addingTimeInterval(options.intervalSeconds)
            while Date() < finish {
                let wake = min(nextSample, finish)
                Thread.sleep(forTimeInterval: max(0, wake.timeIntervalSinceNow))
                try activity.add(sample())
                progress?(Date().timeIntervalSince(began), options.intervalSeconds)
                nextSample = nextSample.addingTimeInterval(1)
            }
            end = try readCounters(atEnd: true)
        } else {
            start = nil
            end = try readCounters(atEnd: true, tableCounters: false)
            try activity.add(sample())
        }

        identity.server.statsReset = end.databaseStatsReset.map(Date.init(timeIntervalSince1970:))
        let mode: SampleInterval.Mode = start == nil ? .sinceReset : .delta
        let rateSeconds = Self.rateSeconds(
            start: start, end: end, startTime: identity.server.startTime)
        let catalog = try readCatalog(start: start, end: end, rateSeconds: rateSeconds)
        let settings = identity.server.settings
        let maxConnections = settings.first { $0.name == "max_connections" }.flatMap {
            Int($0.setting)
        }

        let ownTransactions = start.map { end.statementsSentBefore - $0.statementsSentBefore } ?? 0
        var rates =
            end.database.map {
                Rates(
                    end: $0, start: start?.database, seconds: rateSeconds,
                    ownTransactions: ownTransactions)
            } ?? Rates()
        let wal = walStats(start: start?.wal, end: end.wal, mode: mode)
        if let walBytes = wal?.walBytes {
            let seconds =
                mode == .delta
                ? rateSeconds
                : Self.secondsSince(
                    end.wal?.statsReset ?? identity.server.startTime?.timeIntervalSince1970, at: end.sampledAt)
            rates.walBytesPerSecond = perSecond(walBytes, seconds)
        }

        var snapshot = Snapshot(
            tool: ToolInfo(version: options.toolVersion),
            interval: SampleInterval(
                mode: mode, requestedSeconds: options.intervalSeconds, startedAt: startedAt,
                finishedAt: Date(), rateSeconds: rateSeconds, activitySamples: activity.samples),
            connection: identity.connection,
            server: identity.server,
            database: end.database,
            rates: rates,
            tables: catalog.tables,
            indexes: catalog.indexes,
            partitionedTables: catalog.partitions,
            columnStats: catalog.columnStats,
            foreignKeys: catalog.foreignKeys,
            replication: try readReplication(replicas: replicaSampler?.finish()),
            wal: wal,
            checkpoints: checkpointStats(start: start?.checkpoints, end: end.checkpoints),
            activity: activity.summary(maxConnections: maxConnections),
            statements: statementStats(start: start?.statements, end: end.statements),
            unavailable: unavailable)
        snapshot.host = HostInfo.local(of: identity.connection)
        return snapshot
    }

    /// A role without pg_read_all_stats sees only its own sessions and statements: counting
    /// what it sees would report other roles' work as none, so those sections are not read and
    /// say which privilege would show them.
    func recordHiddenStatistics() {
        recordUnavailable(
            "activity",
            "pg_stat_activity shows other roles' sessions as <insufficient privilege>, without state or wait event: "
                + "grant the role pg_monitor (or pg_read_all_stats) to count every session")
        if statementsVersion != nil {
            statementsVersion = nil
            recordUnavailable(
                "statements",
                "pg_stat_statements shows other roles' statements without text or queryid: "
                    + "grant the role pg_monitor (or pg_read_all_stats) to read every statement")
        }
    }

    /// The seconds rates divide by: server clock between the samples, or since the reset.
    static func rateSeconds(start: CounterSample?, end: CounterSample, startTime: Date?)
        -> Double?
    {
        if let start {
            return counterDelta(end.sampledAt, start.sampledAt)
        }
        return secondsSince(
            end.databaseStatsReset ?? startTime?.timeIntervalSince1970, at: end.sampledAt)
    }

    static func secondsSince(_ reset: Double?, at sampledAt: Double?) -> Double? {
        guard let reset, let sampledAt, sampledAt > reset else { return nil }
        return sampledAt - reset
    }

    // MARK: identity

    private struct Identity {
        var server: ServerInfo
        var connection: ConnectionInfo
    }

    private func readIdentity() throws(CollectorError) -> Identity {
        let description = connection.connectionDescription
        let connectionInfo = ConnectionInfo(
            host: description.host, port: description.port, database: description.database,
            user: description.user)
        let row: Row
        do throws(PostgresError) {
            queriesSent += 1
            guard let first = try connection.query(ServerQueries.identity, trace: options.trace).rows.first
            else {
                throw PostgresError.unexpectedResult(message: "the server returned no identity row")
            }
            row = first
            serverVersion = try row.int("version_num") ?? connection.serverVersionNumber
            inRecovery = try row.bool("in_recovery") ?? false
        } catch {
            throw .postgres(error, step: .readingIdentity)
        }
        if serverVersion < minimumSupportedServerVersion {
            throw CollectorError.unsupportedServer(serverVersion)
        }
        let systemIdentifier =
            try section("server.system_identifier") {
                try run(ServerQueries.systemIdentifier).first?.string("system_identifier")
            } ?? nil
        let settings =
            try section("server.settings") {
                try run(ServerQueries.settings, [Self.textArray(ServerQueries.settingNames)])
                    .map { row throws(PostgresError) in
                        try SettingValue.make(
                            name: row.string("name") ?? "", setting: row.string("setting") ?? "",
                            unit: row.string("unit"))
                    }
            } ?? []
        let extensions = try section("server.extensions") {
            try run(ServerQueries.extensions).map { row throws(PostgresError) in
                Extension(name: try row.string("name") ?? "", version: try row.string("version") ?? "")
            }
        }
        let server: ServerInfo
        do {
            server = ServerInfo(
                versionNum: serverVersion, version: try row.string("version"),
                inRecovery: inRecovery, startTime: try row.date("start_time"), statsReset: nil,
                systemIdentifier: systemIdentifier, settings: settings, extensions: extensions)
        } catch {
            throw .postgres(error, step: .readingIdentity)
        }
        return Identity(server: server, connection: connectionInfo)
    }

    /// `{a,b}`: a text[] literal for `= ANY($1::text[])`, quoting every element.
    static func textArray(_ values: [String]) -> String {
        let quoted = values.map { value in
            "\""
                + value.replacingOccurrences(of: "\\", with: "\\\\")
                .replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        return "{" + quoted.joined(separator: ",") + "}"
    }

    static func intArray(_ values: [Int]) -> String {
        "{" + values.map(String.init).joined(separator: ",") + "}"
    }
}
