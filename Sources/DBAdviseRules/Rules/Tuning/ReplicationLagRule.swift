import DBAdviseAnalysis
import DBAdviseModel

/// Standbys falling behind the primary: how far, why, and what the application must do.
public struct ReplicationLagRule: Rule {
    public static let walBytesPerSecond = RuleParameter(
        name: "wal_bytes_per_second", value: 16_777_216, unit: .bytesPerSecond,
        why: "A 16 MB WAL segment every second is a heavy stream for one replay process on the standby.")
    public static let replayBacklogBytes = RuleParameter(
        name: "replay_backlog_bytes", value: 16_777_216, unit: .bytes,
        why: "A whole WAL segment received or flushed but not replayed means replay, not the network, is behind.")

    public static let description = RuleDescription(
        id: "tuning-replication-lag", strategy: .tuning,
        title: "Standbys are falling behind",
        rationale: """
            Reads sent to a lagging standby see old data, and a far-behind standby is a poor \
            failover target. The rule judges each standby's sampled p95 replay lag (the last \
            reading when not sampled) against replication_lag_seconds; a peak alone past the \
            level is reported as info. It names what the data points to: paused replay, long \
            standby queries and recovery conflicts, WAL volume, or a standby that receives \
            WAL but replays it slowly (its IO or CPU). It is a tuning finding, not a scaling \
            step: lag is fixed on the standby and in the application's routing, and it must \
            be fixed before more reads move to replicas. A standby that is not streaming \
            (pg_stat_wal_receiver empty, its status not 'streaming', or its last message \
            older than wal_receiver_timeout, 60 s when off) is critical and its lag unknown: \
            it has replayed all it received, so its own delay reads 0. A --replica the \
            primary's pg_stat_replication does not list is a warning. A --replica that could \
            not be read is reported as info, so it is never silently missing.
            """,
        sources: [Manual.hotStandby, Manual.replication, Manual.statReplication, Manual.recoveryControl],
        thresholds: [.replicationLagSeconds], parameters: [walBytesPerSecond, replayBacklogBytes],
        inputs: [
            "replication.standbys.lag_samples", "replication.standbys.replay_lag_seconds",
            "replication.standbys.write_lag_bytes", "replication.standbys.flush_lag_bytes",
            "replication.standbys.replay_lag_bytes", "replication.standby_status",
            "replication.replicas.status", "replication.replicas.lag",
            "replication.replicas.longest_query_seconds",
            "replication.replicas.max_standby_streaming_delay_seconds",
            "replication.replicas.conflicts", "replication.replicas.hot_standby_feedback",
            "replication.replicas.reachable", "replication.replicas.wal_receiver",
            "replication.wal_receiver", "rates.wal_bytes_per_second",
        ])

    public init() {}

    public func evaluate(_ context: RuleContext) -> RuleVerdict {
        let levels = context.levels(.replicationLagSeconds)
        let views = context.standbyViews
        let unreachable = context.unreachableReplicas
        if views.isEmpty, unreachable.isEmpty {
            let (evidence, _) = context.judge(.replicationLagSeconds, nil, .replicationLagSeconds)
            return pass("no standby is connected or named with --replica", [evidence])
        }
        var recommendations: [Recommendation] = []
        var quiet: [String] = []
        for view in views {
            if let reason = view.notStreamingReason {
                recommendations.append(notStreaming(view, reason: reason, context: context))
                continue
            }
            if view.unseenByPrimary { recommendations.append(unseen(view, context: context)) }
            guard let typical = view.typicalSeconds else {
                quiet.append("\(view.name) reported no lag")
                continue
            }
            let severity = levels.severity(of: typical)
            let peakSeverity = view.peakSeconds.flatMap(levels.severity(of:))
            guard let found = severity ?? peakSeverity.map({ _ in Severity.info }) else {
                let label = Self.lagName(view)
                quiet.append("\(view.name): \(context.comparison(typical, .replicationLagSeconds, metric: label))")
                continue
            }
            recommendations.append(finding(view, typical: typical, severity: found, context: context))
        }
        recommendations += unreachable.map { replica in
            let name = RuleContext.replicaName(replica)
            return recommendation(
                severity: .info, target: context.databaseName, title: "Replica \(name) could not be read",
                summary:
                    "Replica \(name) could not be read (\(replica.error ?? "no error recorded")); its lag is known only from the primary's pg_stat_replication.",
                evidence: [
                    Evidence(
                        metric: .replicaReachable, value: 0, threshold: 1, unit: .boolean,
                        note: replica.error)
                ],
                actions: [
                    "Check that \(name) accepts connections from this host for a role with pg_monitor, then collect again.",
                    "Until then, send it no reads whose staleness you cannot measure.",
                ])
        }
        guard !recommendations.isEmpty else {
            return pass(
                quiet.joined(separator: "; "),
                [
                    Evidence(
                        metric: .replicationLagP95Seconds, value: views.compactMap(\.typicalSeconds).max(),
                        threshold: levels.measuredWarning, unit: .seconds)
                ])
        }
        return .recommend(recommendations)
    }

    /// A standby whose WAL receiver is stopped, waiting or silent: critical, with its lag
    /// unknown (it has replayed all it received, so its own delay reads 0).
    private func notStreaming(_ view: StandbyView, reason: String, context: RuleContext) -> Recommendation {
        let receiver = view.walReceiver
        var evidence = [
            Evidence(metric: .walReceiverStreaming, value: 0, threshold: 1, unit: .boolean, note: reason),
            Evidence(
                metric: .walReceiverLastMessageAgeSeconds, value: receiver?.lastMsgAgeSeconds,
                threshold: receiver?.silenceLimitSeconds, unit: .seconds,
                note: receiver?.lastMsgAgeSeconds == nil
                    ? "no message time (no receiver)" : "limit: wal_receiver_timeout (60 s when off)"),
            Evidence(
                metric: .replicationLagSeconds, value: nil,
                threshold: context.levels(.replicationLagSeconds).measuredWarning, unit: .seconds,
                note: "unknown: the standby is not streaming, so its replay delay of 0 means nothing"),
        ]
        if view.unseenByPrimary { evidence.append(Self.unseenEvidence(view)) }
        let frozen =
            (view.replica?.status?.lastReplayTimestamp ?? view.ownStatus?.lastReplayTimestamp)
            .map {
                " Its last replayed commit is \(Formatting.rate(context.snapshot.interval.finishedAt.timeIntervalSince($0))) s older than this reading."
            } ?? ""
        let unseen = view.unseenByPrimary ? " The primary's pg_stat_replication does not list it." : ""
        var actions = [
            "Read \(view.name)'s server log for the WAL receiver's error (authentication, a WAL segment the primary already removed, a dropped slot, the network) and check its primary_conninfo; it is fixed when pg_stat_wal_receiver.status is 'streaming' and the primary lists it in pg_stat_replication.",
            "Send it no reads until it streams again: its data grows older with every write on the primary.",
        ]
        if let slot = receiver?.slotName {
            actions.append(
                "Its replication slot \(slot) keeps WAL on the primary while it is down: watch pg_replication_slots.wal_status and the primary's disk."
            )
        }
        return recommendation(
            severity: .critical, target: context.databaseName, title: "Standby \(view.name) is not streaming",
            summary:
                "Standby \(view.name) is not receiving WAL: \(reason).\(unseen) Its replication lag is unknown, not 0 s.\(frozen)",
            evidence: evidence, actions: actions)
    }

    /// A `--replica` that streams (or whose receiver could not be read) but that the
    /// primary does not list: it follows another server, or the match failed.
    private func unseen(_ view: StandbyView, context: RuleContext) -> Recommendation {
        let sender =
            view.walReceiver.flatMap { receiver in
                receiver.senderHost.map { host in
                    " It streams from \(host)" + (receiver.senderPort.map { ":\($0)" } ?? "") + "."
                }
            } ?? ""
        return recommendation(
            severity: .warning, target: context.databaseName, title: "The primary does not see standby \(view.name)",
            summary:
                "Standby \(view.name) is named with --replica, but the primary's pg_stat_replication does not list it.\(sender) Its lag is measured against its own upstream, not this primary.",
            evidence: [Self.unseenEvidence(view)],
            actions: [
                "Check that \(view.name) replicates from this primary (primary_conninfo), directly or through a cascade; a cascaded standby lags its upstream too, which its upstream's pg_stat_replication shows."
            ])
    }

    /// How a reason names the lag it judges: the p95 of the samples when there are some.
    private static func lagName(_ view: StandbyView) -> MetricKey {
        view.p95Seconds == nil ? .replayLagSpoken : .p95ReplayLagSpoken
    }

    private static func unseenEvidence(_ view: StandbyView) -> Evidence {
        let application = view.walReceiver?.applicationName.map { "application_name \($0)" } ?? "its address"
        return Evidence(
            metric: .seenByPrimary, value: 0, threshold: 1, unit: .boolean,
            note: "the primary's pg_stat_replication has no row for \(application)")
    }

    private func finding(_ view: StandbyView, typical: Double, severity: Severity, context: RuleContext)
        -> Recommendation
    {
        let levels = context.levels(.replicationLagSeconds)
        let budget = Formatting.rate(levels.measuredWarning)
        var evidence = [
            Evidence(
                metric: .replicationLagP95Seconds, value: view.p95Seconds, levels: levels,
                severity: view.p95Seconds.flatMap(levels.severity(of:)),
                note: view.p95Seconds == nil ? "not sampled" : nil),
            Evidence(
                metric: .replicationLagPeakSeconds, value: view.peakSeconds, levels: levels,
                severity: view.peakSeconds.flatMap(levels.severity(of:))),
            Self.replayBacklogBytes.evidence(
                metric: .replayLagBytes, value: view.replayLagBytes.map(Double.init),
                note: view.replayLagBytes == nil ? "not reported" : nil),
        ]
        let (causes, causeActions, causeEvidence) = Self.causes(view, typical: typical, context: context)
        evidence += causeEvidence
        let label = Self.lagName(view)
        let peak = view.peakSeconds.flatMap { $0 > typical ? ", peak \(Formatting.rate($0)) s" : nil } ?? ""
        let bytes = view.replayLagBytes.map { ", \(Formatting.bytes($0)) behind" } ?? ""
        let level = severity == .info ? "only its peak crosses" : "≥"
        let limit = Formatting.rate(levels.measuredLimit(for: severity == .critical ? .critical : .warning))
        let cause =
            causes.isEmpty
            ? " No cause is visible in the data: check the standby's IO and the network."
            : " Likely cause: " + causes.joined(separator: "; ") + "."
        return recommendation(
            severity: severity, target: context.databaseName, title: "Standby \(view.name) is falling behind",
            summary:
                "Standby \(view.name): \(label) \(Formatting.rate(typical)) s\(peak)\(bytes); \(level) \(limit) s replication_lag_seconds \(severity == .critical ? "critical" : "warning").\(cause)",
            evidence: evidence,
            actions: causeActions + [
                "Route reads by staleness budget: send to \(view.name) only reads that tolerate \(budget) s (replication_lag_seconds warning), and fall back to the primary when its replay lag exceeds that (check now() - pg_last_xact_replay_timestamp() or the pooler's lag check).",
                "Keep read-your-writes paths (a user reading what they just saved) on the primary.",
            ])
    }

    /// What the data points to, the actions each cause calls for, and the numbers behind them.
    static func causes(_ view: StandbyView, typical: Double, context: RuleContext)
        -> (causes: [String], actions: [String], evidence: [Evidence])
    {
        var causes: [String] = []
        var actions: [String] = []
        var evidence: [Evidence] = []
        let warningSeconds = context.levels(.replicationLagSeconds).measuredWarning
        if view.replayPaused {
            causes.append("replay is paused on the standby")
            actions.append(
                "Resume replay on the standby with SELECT pg_wal_replay_resume(), unless the pause is deliberate; a paused standby must serve no reads."
            )
            evidence.append(
                Evidence(
                    metric: .replayPaused, value: 1, threshold: nil, unit: .boolean,
                    note: "pg_is_wal_replay_paused()"))
        }
        if let replica = view.replica {
            let delay = replica.maxStandbyStreamingDelaySeconds
            if let longest = replica.longestQuerySeconds {
                evidence.append(
                    Evidence(
                        metric: .standbyLongestQuerySeconds, value: longest, threshold: delay,
                        unit: .seconds, note: "threshold: max_standby_streaming_delay (-1 waits for ever)"))
                if longest >= warningSeconds {
                    let wait =
                        delay.map { $0 < 0 ? "-1 (replay waits for ever)" : "\(Formatting.rate($0)) s" } ?? "unknown"
                    causes.append(
                        "a query has run \(Formatting.rate(longest)) s on the standby with max_standby_streaming_delay \(wait), so replay waits behind long queries"
                    )
                    actions.append(
                        "Send long reports to a standby kept for them (large max_standby_streaming_delay) or cap them with statement_timeout; keep the standby for fresh reads at a small max_standby_streaming_delay."
                    )
                }
            }
            if let conflicts = replica.conflicts?.total {
                evidence.append(
                    Evidence(
                        metric: .recoveryConflicts, value: Double(conflicts), threshold: nil, unit: .queries,
                        note: "pg_stat_database_conflicts"))
                if conflicts > 0 {
                    causes.append("\(conflicts) standby queries were cancelled by recovery conflicts")
                    if replica.hotStandbyFeedback == false {
                        actions.append(
                            "Turn on hot_standby_feedback on the standby to stop snapshot conflicts (at the price of some bloat on the primary)."
                        )
                    }
                }
            }
        }
        if let wal = context.snapshot.rates.walBytesPerSecond {
            evidence.append(walBytesPerSecond.evidence(metric: .walBytesPerSecond, value: wal))
            if wal >= walBytesPerSecond.value {
                causes.append("the primary writes \(Formatting.bytes(wal))/s of WAL")
                actions.append(
                    "Cut WAL volume: wal_compression = on, a longer checkpoint_timeout and larger max_wal_size (fewer full-page images), batched updates."
                )
            }
        }
        let received = view.connection.flatMap { $0.flushLagBytes ?? $0.writeLagBytes }
        let primaryBacklog = view.connection.flatMap { connection in
            connection.replayLagBytes.map { $0 - (connection.flushLagBytes ?? 0) }
        }
        let backlog = [primaryBacklog, view.replica?.status?.replayLagBytes, view.ownStatus?.replayLagBytes]
            .compactMap { $0 }.max()
        if !view.replayPaused, let backlog, Double(backlog) >= replayBacklogBytes.value,
            received.map({ Double($0) < replayBacklogBytes.value }) ?? true
        {
            let flushed = received.map { " (flush lag \(Formatting.bytes($0)))" } ?? ""
            causes.append(
                "the standby receives WAL\(flushed) but replays slowly (\(Formatting.bytes(backlog)) received and not applied): its IO or CPU is the limit"
            )
            actions.append(
                "Give the standby storage and CPU at least equal to the primary's, check its iowait, and set recovery_prefetch (15+)."
            )
        } else if let received, Double(received) >= replayBacklogBytes.value {
            causes.append(
                "WAL reaches the standby slowly (flush lag \(Formatting.bytes(received))): the network or the standby's disk writes are the limit"
            )
            actions.append("Check bandwidth and latency between the servers, and the standby's write throughput.")
        }
        return (causes, actions, evidence)
    }
}
