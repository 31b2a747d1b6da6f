import DBAdviseModel
import Foundation

/// One standby as the data shows it: the primary's `pg_stat_replication` row, the standby's own
/// reading (`--replica`), or both when they can be matched.
public struct StandbyView: Sendable {
    public var name: String
    public var connection: StandbyConnection?
    public var replica: ReplicaSnapshot?
    /// The analyzed server is itself a standby.
    public var ownStatus: StandbyStatus?
    /// The analyzed standby's own WAL receiver.
    public var ownReceiver: WalReceiver?
    /// A `--replica` that the primary's `pg_stat_replication` does not list.
    public var unseenByPrimary = false

    public var walReceiver: WalReceiver? { replica?.walReceiver ?? ownReceiver }

    /// Why WAL is not streaming into this standby, from its own `pg_stat_wal_receiver`; nil
    /// when it streams or its receiver could not be read.
    public var notStreamingReason: String? { walReceiver?.notStreamingReason }

    /// A standby that is not streaming has replayed all it received, so its replay delay
    /// reads 0: every lag reading of it is unknown, never that 0.
    private var streams: Bool { notStreamingReason == nil }

    /// The worst 95th percentile of the sampled replay lag, from either side.
    public var p95Seconds: Double? {
        guard streams else { return nil }
        return [connection?.lagSamples?.p95Seconds, replica?.lag?.p95Seconds].compactMap { $0 }.max()
    }

    /// The last reading: `pg_stat_replication.replay_lag` or the standby's replay delay.
    public var currentSeconds: Double? {
        guard streams else { return nil }
        return [connection?.replayLagSeconds, replica?.status?.replayDelaySeconds, ownStatus?.replayDelaySeconds]
            .compactMap { $0 }.max()
    }

    public var peakSeconds: Double? {
        guard streams else { return nil }
        return [connection?.lagSamples?.peakSeconds, replica?.lag?.peakSeconds, currentSeconds].compactMap { $0 }.max()
    }

    /// The lag rules judge: the p95 when sampled, the last reading otherwise.
    public var typicalSeconds: Double? { p95Seconds ?? currentSeconds }

    /// WAL not yet replayed, in bytes: the largest reading of either side.
    public var replayLagBytes: Int? {
        [
            connection?.replayLagBytes, connection?.lagSamples?.peakBytes, replica?.status?.replayLagBytes,
            replica?.lag?.peakBytes, ownStatus?.replayLagBytes,
        ].compactMap { $0 }.max()
    }

    public var replayPaused: Bool { replica?.status?.replayPaused == true || ownStatus?.replayPaused == true }
}

extension RuleContext {
    /// Every standby the snapshot knows of. A `--replica` is matched with the primary's row
    /// when it is the only one of each, or when its host is the row's client address; the
    /// rest are listed separately rather than guessed.
    public var standbyViews: [StandbyView] {
        guard let replication = snapshot.replication else { return [] }
        var connections = replication.standbys ?? []
        let replicas = (replication.replicas ?? []).filter(\.reachable)
        // The primary's list was read with every name visible (a role without
        // pg_read_all_stats may see rows without them): a standby missing from it is not
        // connected to it.
        let primaryListed =
            replication.role == "primary" && replication.standbys?.allSatisfy { $0.applicationName != nil } == true
        var views: [StandbyView] = []
        for replica in replicas {
            var matched: StandbyConnection?
            // The receiver's application_name is what pg_stat_replication shows for it, so a
            // known name absent from a fully visible list matches nothing; the client address
            // and "one of each" are the fallbacks when the name tells nothing.
            let application = replica.walReceiver?.applicationName
            let nameDecides = application != nil && primaryListed
            if let application, let index = connections.firstIndex(where: { $0.applicationName == application }) {
                matched = connections.remove(at: index)
            } else if !nameDecides, let host = replica.connection?.host,
                let index = connections.firstIndex(where: { $0.clientAddr == host })
            {
                matched = connections.remove(at: index)
            } else if !nameDecides, connections.count == 1, replicas.count == 1 {
                matched = connections.removeFirst()
            }
            var name = Self.replicaName(replica)
            if let application = matched?.applicationName ?? application { name += " (\(application))" }
            var view = StandbyView(name: name, connection: matched, replica: replica)
            view.unseenByPrimary =
                primaryListed && matched == nil && replica.inRecovery == true
                && (application != nil || replication.standbys?.isEmpty == true)
            views.append(view)
        }
        views += connections.map { StandbyView(name: Self.connectionName($0), connection: $0) }
        if replication.standbyStatus != nil || replication.walReceiver != nil {
            views.append(
                StandbyView(
                    name: "this standby (\(databaseName))", ownStatus: replication.standbyStatus,
                    ownReceiver: replication.walReceiver))
        }
        return views
    }

    /// `--replica` servers that could not be read.
    public var unreachableReplicas: [ReplicaSnapshot] {
        (snapshot.replication?.replicas ?? []).filter { !$0.reachable }
    }

    public static func replicaName(_ replica: ReplicaSnapshot) -> String {
        let host = replica.connection?.host ?? "replica"
        return replica.connection?.port.map { "\(host):\($0)" } ?? host
    }

    public static func connectionName(_ connection: StandbyConnection) -> String {
        switch (connection.applicationName, connection.clientAddr) {
        case let (name?, address?) where !name.isEmpty: "\(name) (\(address))"
        case let (name?, _) where !name.isEmpty: name
        case let (_, address?): address
        default: "standby"
        }
    }
}

/// The staleness reads moved to replicas must tolerate, from the measured lag or, with no
/// standby yet, from the `replication_lag_seconds` budget.
public struct LagBudget: Sendable {
    public let sentence: String
    public let evidence: Evidence

    public init(_ context: RuleContext) {
        let levels = context.levels(.replicationLagSeconds)
        let views = context.standbyViews
        let sampled = views.compactMap(\.p95Seconds).max()
        let worst = sampled ?? views.compactMap(\.currentSeconds).max()
        let label = sampled == nil ? "replay lag (one reading)" : "p95 replay lag"
        let keepOnPrimary = "keep read-your-writes paths on the primary"
        guard let worst else {
            let budget = Formatting.rate(levels.measuredWarning)
            let broken = views.first { $0.notStreamingReason != nil }
            let why =
                views.isEmpty
                ? "no standby yet"
                : broken.map { "standby \($0.name) is not streaming" } ?? "the standbys reported no lag"
            sentence =
                "Replication lag is not measured yet (\(why)): design the moved reads for a staleness budget "
                + "of \(budget) s (replication_lag_seconds warning), fall back to the primary beyond it, and \(keepOnPrimary)."
            evidence = Evidence(
                metric: .replicationLagP95Seconds, value: nil, threshold: levels.measuredWarning,
                unit: .seconds, note: "not measured: \(why)")
            return
        }
        let severity = levels.severity(of: worst)
        let shown = "\(label) \(Formatting.rate(worst)) s"
        let limit = Formatting.rate(levels.measuredLimit(for: severity))
        switch severity {
        case nil:
            sentence =
                "\(shown) (< \(limit) s replication_lag_seconds warning): fine for dashboards and reports, "
                + "and for point reads that tolerate \(Formatting.rate(worst)) s of staleness; \(keepOnPrimary)."
        case .warning, .info:
            sentence =
                "\(shown) (≥ \(limit) s replication_lag_seconds warning): fine for dashboards and reports, "
                + "too stale for user-facing point reads; fix the lag (tuning-replication-lag) before moving those, and \(keepOnPrimary)."
        case .critical:
            sentence =
                "\(shown) (≥ \(limit) s replication_lag_seconds critical): only batch reports tolerate that; "
                + "fix the lag (tuning-replication-lag) before routing more reads, and \(keepOnPrimary)."
        }
        evidence = Evidence(
            metric: .replicationLagP95Seconds, value: worst, levels: levels, severity: severity,
            note: "worst of \(views.count) standby(s)" + (sampled == nil ? "; not sampled, last reading" : ""))
    }
}

/// Read-only statements on the primary, split into analytic and point reads, with their share
/// of the primary's statement time, as ``StatementClassifier`` reads them.
public struct MovableReads: Sendable {
    public enum Kind: String, Sendable { case analytic = "analytic read", point = "point read" }

    public struct Read: Sendable {
        public let statement: Statement
        public let kind: Kind
        let share: Double
        let callsPerSecond: Double?
    }

    public static let namedStatementShare = RuleParameter(
        name: "movable_statement_time_share", value: 0.02, unit: .ratio,
        why: "A statement under 2% of primary statement time is not worth a routing change.")
    public static let parameters = [
        StatementClassifier.analyticRowsPerCall, StatementClassifier.analyticMeanMs, namedStatementShare,
    ]
    /// How many statements a recommendation names.
    public static let listed = 5

    /// Read-only statements, by total time (largest first).
    public let reads: [Read]
    public let totalMs: Double
    /// Counts statements the parser could not read; nil when all parsed.
    public let unparsedEvidence: Evidence?

    public init?(_ context: RuleContext) {
        guard context.statementsUnavailableReason == nil, let total = context.totalStatementTimeMs, total > 0 else {
            return nil
        }
        let classification = StatementClassifier.classify(context)
        totalMs = total
        unparsedEvidence = classification.unparsedEvidence
        // Point and range reads alike are "point reads" here: short, few rows, user-facing.
        reads = classification.statements.filter(\.isRead).map { read in
            Read(
                statement: read.statement, kind: read.kind == .analytic ? .analytic : .point,
                share: read.statement.totalExecTimeMs / total, callsPerSecond: read.callsPerSecond)
        }
    }

    public func share(of kind: Kind? = nil) -> Double {
        reads.filter { kind == nil || $0.kind == kind }.reduce(0) { $0 + $1.share }
    }

    /// The statements worth routing to replicas, largest first.
    public func top(_ kind: Kind? = nil) -> [Read] {
        Array(
            reads.filter { (kind == nil || $0.kind == kind) && $0.share >= Self.namedStatementShare.value }
                .prefix(Self.listed))
    }

    public static func describe(_ read: Read) -> String {
        let calls = read.callsPerSecond.map { ", \(Formatting.rate($0)) calls/s" } ?? ""
        return
            "queryid \(read.statement.queryid) (\(read.kind.rawValue), \(Formatting.percent(read.share)) of primary time\(calls))"
    }

    public static func evidence(_ read: Read) -> Evidence {
        let text = read.statement.query.map { String($0.prefix(60)) } ?? "text redacted"
        return namedStatementShare.evidence(
            metric: .statementTimeShare, value: read.share,
            note: "queryid \(read.statement.queryid), \(read.kind.rawValue)"
                + (read.callsPerSecond.map { ", \(Formatting.rate($0)) calls/s" } ?? "") + ": \(text)")
    }

    /// "Route to a replica: queryid 1 (…), queryid 2 (…)." or nil when none is worth naming.
    public static func routeAction(_ reads: [Read]) -> String? {
        guard !reads.isEmpty else { return nil }
        return "Route these reads to a replica: " + reads.map(describe).joined(separator: "; ") + "."
    }
}
