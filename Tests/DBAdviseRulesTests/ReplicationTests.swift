import DBAdviseAnalysis
import DBAdviseModel
import DBAdviseOutput
import DBAdviseRules
import Foundation
import Testing

/// Issue 5: lag advice, which reads can move, and slots, over the whole registry.
@Suite struct ReplicationTests {
    static let megabyte = 1_048_576

    static func laggingStandby(p95: Double, replayBytes: Int = 0, flushBytes: Int = 0) -> StandbyConnection {
        var standby = StandbyConnection()
        standby.applicationName = "replica1"
        standby.clientAddr = "10.0.0.2"
        standby.state = "streaming"
        standby.replayLagSeconds = p95
        standby.replayLagBytes = replayBytes
        standby.flushLagBytes = flushBytes
        standby.writeLagBytes = flushBytes
        var samples = LagSamples(samples: 10)
        samples.p95Seconds = p95
        samples.peakSeconds = p95 * 1.5
        samples.peakBytes = replayBytes
        standby.lagSamples = samples
        return standby
    }

    static func reachableReplica(delay: Double, paused: Bool = false, longestQuery: Double = 0.1, conflicts: Int = 0)
        -> ReplicaSnapshot
    {
        var replica = ReplicaSnapshot(
            connection: ConnectionInfo(host: "10.0.0.2", port: "5432", database: "shop", user: "monitor"),
            reachable: true, error: nil)
        var status = StandbyStatus()
        status.replayDelaySeconds = delay
        status.replayPaused = paused
        status.replayLagBytes = 0
        replica.status = status
        var lag = LagSamples(samples: 10)
        lag.p95Seconds = delay
        lag.peakSeconds = delay
        replica.lag = lag
        replica.hotStandbyFeedback = false
        replica.maxStandbyStreamingDelaySeconds = 30
        var recovery = RecoveryConflicts()
        (recovery.conflTablespace, recovery.conflLock, recovery.conflBufferpin, recovery.conflDeadlock) = (0, 0, 0, 0)
        recovery.conflSnapshot = conflicts
        replica.conflicts = recovery
        replica.longestQuerySeconds = longestQuery
        return replica
    }

    /// A `--replica` in recovery with the given WAL receiver.
    static func replica(delay: Double, receiver: WalReceiver) -> ReplicaSnapshot {
        var replica = reachableReplica(delay: delay)
        replica.inRecovery = true
        replica.walReceiver = receiver
        return replica
    }

    static func lagFinding(_ report: Report) throws -> Recommendation {
        try #require(report.recommendations.first { $0.rule == "tuning-replication-lag" && $0.severity >= .warning })
    }

    @Test func laggingStandbyWithPausedReplayGetsLagAdviceNamingTheCause() throws {
        let report = try report { snapshot, _ in
            snapshot.replication?.standbys = [Self.laggingStandby(p95: 12, replayBytes: 80 * Self.megabyte)]
            snapshot.replication?.replicas = [Self.reachableReplica(delay: 12, paused: true)]
        }
        let lag = try Self.lagFinding(report)
        #expect(lag.severity == .warning)
        #expect(lag.title.contains("10.0.0.2:5432 (replica1)"), "one standby seen from both sides is one finding")
        #expect(report.recommendations.filter { $0.rule == "tuning-replication-lag" }.count == 1)
        #expect(lag.summary.contains("p95 replay lag 12 s"))
        #expect(lag.summary.contains("80 MB behind"))
        #expect(lag.summary.contains("replay is paused"))
        #expect(!lag.summary.contains("replays slowly"), "a paused standby is not a slow one")
        #expect(lag.actions.first?.contains("pg_wal_replay_resume()") == true)
        #expect(lag.actions.contains { $0.contains("fall back to the primary") })
        #expect(lag.actions.contains { $0.contains("read-your-writes") })
        #expect(
            lag.evidence.contains {
                $0.metric.rawValue == "replication_lag_p95_seconds" && $0.value == 12 && $0.threshold == 5
            })
        #expect(report.gate.breaches.contains { $0.threshold == .replicationLagSeconds })
    }

    @Test func lagCausesComeFromTheData() throws {
        let slowReplay = try Self.lagFinding(
            report { snapshot, _ in
                snapshot.replication?.standbys = [
                    Self.laggingStandby(p95: 12, replayBytes: 64 * Self.megabyte, flushBytes: 1_000)
                ]
            })
        #expect(slowReplay.summary.contains("replays slowly"))
        #expect(slowReplay.actions.contains { $0.contains("recovery_prefetch") })

        let network = try Self.lagFinding(
            report { snapshot, _ in
                snapshot.replication?.standbys = [
                    Self.laggingStandby(p95: 12, replayBytes: 64 * Self.megabyte, flushBytes: 64 * Self.megabyte)
                ]
            })
        #expect(network.summary.contains("WAL reaches the standby slowly"))

        let queries = try Self.lagFinding(
            report { snapshot, _ in
                snapshot.replication?.replicas = [Self.reachableReplica(delay: 40, longestQuery: 300, conflicts: 3)]
            })
        #expect(queries.severity == .critical)
        #expect(queries.summary.contains("a query has run 300 s on the standby"))
        #expect(queries.summary.contains("3 standby queries were cancelled by recovery conflicts"))
        #expect(queries.actions.contains { $0.contains("hot_standby_feedback") })

        let wal = try Self.lagFinding(
            report { snapshot, _ in
                snapshot.rates.walBytesPerSecond = 50 * Double(Self.megabyte)
                snapshot.replication?.standbys = [Self.laggingStandby(p95: 8)]
            })
        #expect(wal.summary.contains("the primary writes 50 MB/s of WAL"))
    }

    @Test func lagLevelsComeFromTheConfig() throws {
        let quiet = try report { snapshot, _ in snapshot.replication?.standbys = [Self.laggingStandby(p95: 8)] }
        #expect(quiet.recommendations.contains { $0.rule == "tuning-replication-lag" && $0.severity == .warning })
        let relaxed = try report { snapshot, config in
            config.thresholds[.replicationLagSeconds] = ThresholdLevels(
                key: .replicationLagSeconds, warning: 60, critical: 600)
            snapshot.replication?.standbys = [Self.laggingStandby(p95: 8)]
        }
        #expect(!relaxed.recommendations.contains { $0.rule == "tuning-replication-lag" })
    }

    @Test func readHeavyPrimaryWithAFreshStandbyGetsStatementsToMove() throws {
        let report = try report { snapshot, _ in
            snapshot.rates.readsPerSecond = 100_000
            snapshot.rates.writesPerSecond = 500
            snapshot.activity?.avgActiveSessions = 14
            snapshot.replication?.standbys = [Self.laggingStandby(p95: 0.3)]
            snapshot.statements.topByTotalTime?.append(
                Statement(
                    queryid: "900",
                    query: "SELECT date_trunc('day', mtime), sum(delta) FROM pgbench_history GROUP BY 1",
                    calls: 50, totalExecTimeMs: 200, meanExecTimeMs: 4, rows: 50, sharedBlksHit: 100_000,
                    sharedBlksRead: 50_000))
        }
        let replicas = try #require(report.recommendations.first { $0.rule == "replicas-read-dominated" })
        let route = try #require(replicas.actions.first { $0.hasPrefix("Route these reads to a replica") })
        #expect(route.contains("queryid 900 (analytic read"))
        #expect(route.contains("queryid 8548907940363974575 (point read"))
        #expect(route.contains("calls/s"))
        #expect(
            replicas.actions.contains { $0.contains("p95 replay lag 0.30 s") && $0.contains("fine for dashboards") })
        #expect(replicas.actions.contains { $0.contains("keep read-your-writes paths on the primary") })
        #expect(replicas.summary.contains("Read-only statements take"))
        #expect(
            replicas.evidence.contains {
                $0.metric.rawValue == "statement_time_share" && ($0.note ?? "").contains("queryid 900")
            })
        #expect(replicas.evidence.contains { $0.metric.rawValue == "replication_lag_p95_seconds" && $0.value == 0.3 })
        #expect(!report.recommendations.contains { $0.rule == "tuning-replication-lag" })
    }

    @Test func withoutAStandbyTheLagBudgetIsTheConfiguredWarning() throws {
        let report = try report { snapshot, _ in
            snapshot.rates.readsPerSecond = 100_000
            snapshot.rates.writesPerSecond = 500
            snapshot.activity?.avgActiveSessions = 14
        }
        let replicas = try #require(report.recommendations.first { $0.rule == "replicas-read-dominated" })
        #expect(
            replicas.actions.contains {
                $0.contains("not measured yet") && $0.contains("5 s (replication_lag_seconds warning)")
            })
        #expect(replicas.evidence.contains { $0.metric.rawValue == "replication_lag_p95_seconds" && $0.value == nil })
    }

    @Test func laggingStandbyMakesPointReadsWait() throws {
        let report = try report { snapshot, _ in
            snapshot.rates.readsPerSecond = 100_000
            snapshot.rates.writesPerSecond = 500
            snapshot.activity?.avgActiveSessions = 14
            snapshot.replication?.standbys = [Self.laggingStandby(p95: 12)]
        }
        let replicas = try #require(report.recommendations.first { $0.rule == "replicas-read-dominated" })
        #expect(replicas.actions.contains { $0.contains("too stale for user-facing point reads") })
    }

    @Test func inactiveSlotSeverityFollowsItsSize() throws {
        func severity(_ bytes: Int, storageGB: Double? = nil) throws -> Severity? {
            try report { snapshot, config in
                config.hardware.storageGB = storageGB
                var slot = ReplicationSlot(slotName: "old_replica", slotType: "physical", active: false)
                slot.retainedBytes = bytes
                snapshot.replication?.slots = [slot]
            }.recommendations.first { $0.rule == "tuning-inactive-replication-slots" }?.severity
        }
        #expect(try severity(100 * Self.megabyte) == .info)
        #expect(try severity(2 * BaseFixture.gigabyte) == .warning)
        #expect(try severity(2 * BaseFixture.gigabyte, storageGB: 10) == .critical)
        #expect(try severity(300 * BaseFixture.gigabyte, storageGB: 4_000) == .warning)
        #expect(try severity(0) == nil)
    }

    @Test func unreachableReplicaIsReportedNotSilent() throws {
        let report = try report { snapshot, _ in
            snapshot.replication?.replicas = [
                ReplicaSnapshot(
                    connection: ConnectionInfo(host: "10.0.0.3", port: "5433", database: "shop", user: "monitor"),
                    reachable: false, error: "connection refused")
            ]
        }
        let finding = try #require(report.recommendations.first { $0.title.contains("10.0.0.3:5433") })
        #expect(finding.severity == .info)
        #expect(finding.summary.contains("connection refused"))
    }

    /// Issue 15: a stopped standby is a critical finding with the reason, and its lag is
    /// unknown (null with a note), never the 0 s its own replay delay reads.
    @Test func aStandbyThatIsNotStreamingIsCriticalAndItsLagUnknown() throws {
        let report = try report { snapshot, _ in
            var receiver = walReceiver(status: "waiting", age: 75, application: "replica2")
            receiver.slotName = "replica2_slot"
            snapshot.replication?.standbys = [Self.laggingStandby(p95: 0.2)]
            snapshot.replication?.replicas = [Self.replica(delay: 0, receiver: receiver)]
        }
        let finding = try #require(report.recommendations.first { $0.title.contains("is not streaming") })
        #expect(finding.severity == .critical)
        #expect(finding.summary.contains("pg_stat_wal_receiver.status is 'waiting'"))
        #expect(finding.summary.contains("75 s ago"))
        #expect(finding.summary.contains("does not list it"), "replica2 is not the primary's replica1")
        #expect(finding.summary.contains("unknown, not 0 s"))
        #expect(finding.evidence.contains { $0.metric.rawValue == "replication_lag_seconds" && $0.value == nil })
        #expect(finding.evidence.contains { $0.metric.rawValue == "seen_by_primary" && $0.value == 0 })
        #expect(finding.actions.contains { $0.contains("replica2_slot") })
        #expect(!report.recommendations.contains { $0.title.contains("is falling behind") })
        #expect(report.metrics.replicationLagSeconds == nil)
        let note = try #require(report.notes.first { $0.metric.rawValue == "replication_lag_seconds" })
        #expect(note.reason.contains("not streaming"))
    }

    @Test func aStreamingStandbyKeepsItsMeasuredLag() throws {
        let report = try report { snapshot, _ in
            snapshot.replication?.standbys = [Self.laggingStandby(p95: 0.2)]
            snapshot.replication?.replicas = [Self.replica(delay: 0.2, receiver: walReceiver(age: 1))]
        }
        #expect(!report.recommendations.contains { $0.rule == "tuning-replication-lag" })
        #expect(report.metrics.replicationLagSeconds == 0.2)
    }
}
