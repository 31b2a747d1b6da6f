import DBAdviseCollector
import DBAdviseModel
import DBAdviseTestSupport
import Foundation
import Testing

/// A real streaming standby next to the throwaway primary: lag made by pausing replay while
/// the primary writes, seen from both sides.
@Suite("replication with a real standby", .serialized, TestServer.enabled)
struct ReplicationIntegrationTests {
    static let standbyName = "standby_lag"

    /// Waits until the standby has replayed everything the primary has written.
    func waitForCatchUp(_ standby: String) throws {
        let target = try TestServer.psql("SELECT pg_current_wal_lsn()", database: "dbadvise_test")
        for _ in 0..<100 {
            let caughtUp = try TestServer.psql(
                "SELECT pg_last_wal_replay_lsn() >= '\(target)'::pg_lsn", dsn: standby)
            if caughtUp == "t" { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        Issue.record("the standby did not catch up")
    }

    @Test func pausedReplayIsMeasuredInSecondsAndBytesFromBothSides() throws {
        let primary = try TestServer.dsn()
        let standby = try TestServer.startStandby(Self.standbyName, slot: "standby_lag_slot")
        try TestServer.psql(
            "CREATE TABLE IF NOT EXISTS lag_probe (id bigserial, payload text)", database: "dbadvise_test")
        // a commit replayed before the pause, so the standby knows how old its data is
        var replayedACommit = false
        for _ in 0..<20 where !replayedACommit {
            try TestServer.psql("INSERT INTO lag_probe (payload) VALUES ('first')", database: "dbadvise_test")
            try waitForCatchUp(standby)
            replayedACommit =
                try TestServer.psql("SELECT pg_last_xact_replay_timestamp() IS NOT NULL", dsn: standby) == "t"
            if !replayedACommit { Thread.sleep(forTimeInterval: 0.2) }
        }
        #expect(replayedACommit)

        try TestServer.psql("SELECT pg_wal_replay_pause()", dsn: standby)
        defer { _ = try? TestServer.psql("SELECT pg_wal_replay_resume()", dsn: standby) }
        let writer = try Shell.start(
            try TestServer.binDirectory() + "/psql",
            [
                "-X", "-q", "-d", primary, "-c",
                "DO $$ BEGIN FOR i IN 1..40 LOOP INSERT INTO lag_probe (payload) SELECT repeat('x', 200) FROM generate_series(1, 2000); COMMIT; PERFORM pg_sleep(0.1); END LOOP; END $$",
            ])
        defer { writer.terminate() }
        Thread.sleep(forTimeInterval: 1)
        let snapshot = try SnapshotCollector.collect(
            CollectOptions(conninfo: primary, replicas: [standby], intervalSeconds: 2.5, toolVersion: "test"))
        writer.waitUntilExit()

        // the primary's view: pg_stat_replication, sampled through the interval
        let replication = try #require(snapshot.replication)
        #expect(replication.role == "primary")
        let walSender = try #require(replication.standbys?.first { $0.applicationName == Self.standbyName })
        #expect(walSender.state == "streaming")
        let primarySide = try #require(walSender.lagSamples)
        #expect(primarySide.samples >= 2)
        #expect(try #require(primarySide.peakBytes) > 0)
        #expect(try #require(walSender.replayLagBytes) > 0)
        let slot = try #require(replication.slots?.first { $0.slotName == "standby_lag_slot" })
        #expect(slot.active)

        // the standby's own view, read concurrently over its own connection
        let replica = try #require(replication.replicas?.first)
        #expect(replica.reachable)
        #expect(replica.inRecovery == true)
        let status = try #require(replica.status)
        #expect(status.replayPaused == true)
        #expect(try #require(status.replayLagBytes) > 0)
        #expect(try #require(status.replayDelaySeconds) > 0.5)
        #expect(try #require(replica.lag?.samples) >= 2)
        #expect(replica.hotStandbyFeedback == true)
        #expect(replica.conflicts?.total == 0)
        try validateAgainstSchema(snapshot)
    }

    @Test func anIdlePrimaryShowsNoFalseLag() throws {
        let standby = try TestServer.startStandby("standby_idle")
        try TestServer.psql("SELECT pg_wal_replay_resume()", dsn: standby)
        // a role without pg_monitor, made on the primary and replayed on the standby
        try TestServer.psql(
            "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'stream_plain') THEN CREATE ROLE stream_plain LOGIN; END IF; END $$",
            database: "dbadvise_test")
        try TestServer.psql(
            "CREATE TABLE IF NOT EXISTS idle_probe (id int); INSERT INTO idle_probe VALUES (1)",
            database: "dbadvise_test")
        try waitForCatchUp(standby)
        // nothing is written while sampling: the last replayed commit gets older, lag must not
        Thread.sleep(forTimeInterval: 1.5)
        let snapshot = try SnapshotCollector.collect(
            CollectOptions(
                conninfo: try TestServer.dsn(), replicas: [standby, standby + " user=stream_plain"], intervalSeconds: 1,
                toolVersion: "test"))
        let replica = try #require(snapshot.replication?.replicas?.first)
        #expect(replica.status?.replayDelaySeconds == 0)
        #expect(replica.status?.replayLagBytes == 0)
        // a healthy stream: its receiver streams, the primary lists it, and no finding says otherwise
        let receiver = try #require(replica.walReceiver)
        #expect(receiver.running)
        #expect(receiver.status == "streaming")
        #expect(receiver.applicationName == "standby_idle")
        #expect(receiver.flushedLsn != nil)
        #expect(receiver.notStreamingReason == nil)
        #expect(snapshot.replication?.standbys?.contains { $0.applicationName == "standby_idle" } == true)
        // the role without pg_read_all_stats sees that a receiver runs, not its state: recorded
        let hidden = try #require(snapshot.replication?.replicas?.last?.walReceiver)
        #expect(hidden.running)
        #expect(hidden.status == nil)
        let unavailable = snapshot.unavailable.filter { $0.section == "replication.replicas.wal_receiver" }
        #expect(unavailable.count == 1)
        #expect(unavailable.first?.reason.contains("pg_read_all_stats") == true)
        // the standby collected directly sees its own receiver streaming
        let own = try SnapshotCollector.collect(
            CollectOptions(conninfo: standby, replicas: [], intervalSeconds: 0, toolVersion: "test"))
        #expect(own.replication?.role == "standby")
        #expect(own.replication?.walReceiver?.status == "streaming")
        let analyze = try Shell.dbadvise(
            ["analyze", "--dsn", try TestServer.dsn(), "--replica", standby, "--interval", "0", "--format", "json"])
        #expect(analyze.status == 0, "\(analyze.stderr)")
        #expect(!analyze.stdout.contains("is not streaming"), "\(analyze.stdout)")
        try TestServer.stopStandby("standby_idle")
    }

    /// Issue 15: a standby whose WAL receiver cannot connect has replayed all it received, so
    /// its replay delay reads 0. Its receiver's state says otherwise: a critical finding, and
    /// replication_lag_seconds null with a note.
    @Test func aStandbyWhoseReceiverIsStoppedIsCriticalNotZeroLag() throws {
        let name = "standby_broken"
        let standby = try TestServer.startStandby(name)
        defer { _ = try? TestServer.stopStandby(name) }
        try TestServer.psql("SELECT pg_wal_replay_resume()", dsn: standby)
        // point the receiver at a port nothing listens on (reloadable from 13 on)
        try TestServer.psql(
            "ALTER SYSTEM SET primary_conninfo = 'host=\(try TestServer.socket()) port=1 user=postgres application_name=\(name)'",
            dsn: standby)
        try TestServer.psql("SELECT pg_reload_conf()", dsn: standby)
        var stopped = false
        for _ in 0..<100 where !stopped {
            let streaming = try TestServer.psql(
                "SELECT count(*) FROM pg_stat_wal_receiver WHERE status = 'streaming'", dsn: standby)
            let listed = try TestServer.psql(
                "SELECT count(*) FROM pg_stat_replication WHERE application_name = '\(name)'", database: "postgres")
            stopped = streaming == "0" && listed == "0"
            if !stopped { Thread.sleep(forTimeInterval: 0.1) }
        }
        try #require(stopped, "the standby's WAL receiver did not stop")

        let snapshot = try SnapshotCollector.collect(
            CollectOptions(conninfo: try TestServer.dsn(), replicas: [standby], intervalSeconds: 0, toolVersion: "test")
        )
        let replica = try #require(snapshot.replication?.replicas?.first)
        #expect(replica.reachable)
        #expect(replica.status?.replayDelaySeconds == 0, "receive = replay: the delay alone reads 0")
        let receiver = try #require(replica.walReceiver)
        #expect(receiver.status != "streaming")
        #expect(receiver.notStreamingReason != nil)
        #expect(snapshot.replication?.standbys?.contains { $0.applicationName == name } == false)
        try validateAgainstSchema(snapshot)
        // collected directly, the standby reports its own stopped receiver
        let own = try SnapshotCollector.collect(
            CollectOptions(conninfo: standby, replicas: [], intervalSeconds: 0, toolVersion: "test"))
        #expect(own.replication?.walReceiver?.notStreamingReason != nil)
        #expect(own.replication?.standbyStatus?.replayDelaySeconds == 0)

        let analyze = try Shell.dbadvise(
            ["analyze", "--dsn", try TestServer.dsn(), "--replica", standby, "--interval", "0", "--format", "json"])
        #expect(analyze.status == 0, "\(analyze.stderr)")
        struct Head: Decodable {
            struct Metrics: Decodable { let replication_lag_seconds: Double? }
            struct Note: Decodable { let metric: String; let reason: String }
            struct Recommendation: Decodable {
                let rule: String; let severity: String; let title: String; let summary: String
            }
            let metrics: Metrics
            let notes: [Note]
            let recommendations: [Recommendation]
        }
        let head = try JSONDecoder().decode(Head.self, from: Data(analyze.stdout.utf8))
        #expect(head.metrics.replication_lag_seconds == nil)
        #expect(head.notes.contains { $0.metric == "replication_lag_seconds" && $0.reason.contains("not streaming") })
        let finding = try #require(head.recommendations.first { $0.title.contains("is not streaming") })
        #expect(finding.rule == "tuning-replication-lag")
        #expect(finding.severity == "critical")
        #expect(finding.summary.contains("pg_stat_wal_receiver"))
        #expect(finding.summary.contains("does not list it"))
    }

    @Test func aStoppedStandbyIsReportedNotFatal() throws {
        let standby = try TestServer.startStandby("standby_stopped")
        try TestServer.stopStandby("standby_stopped")
        let snapshot = try SnapshotCollector.collect(
            CollectOptions(conninfo: try TestServer.dsn(), replicas: [standby], intervalSeconds: 0, toolVersion: "test")
        )
        let replica = try #require(snapshot.replication?.replicas?.first)
        #expect(!replica.reachable)
        #expect(replica.error?.isEmpty == false)
        #expect(snapshot.replication?.standbys?.contains { $0.applicationName == "standby_stopped" } == false)
    }

    @Test func anInactiveSlotAndTheWALItHoldsAreFound() throws {
        try TestServer.psql(
            "SELECT pg_create_physical_replication_slot('abandoned_slot', true) WHERE NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = 'abandoned_slot')",
            database: "dbadvise_test")
        try TestServer.psql(
            "CREATE TABLE IF NOT EXISTS slot_probe AS SELECT g AS id, repeat('y', 100) AS v FROM generate_series(1, 20000) AS g",
            database: "dbadvise_test")
        let snapshot = try SnapshotCollector.collect(
            CollectOptions(conninfo: try TestServer.dsn(), replicas: [], intervalSeconds: 0, toolVersion: "test"))
        let slot = try #require(snapshot.replication?.slots?.first { $0.slotName == "abandoned_slot" })
        #expect(!slot.active)
        #expect(try #require(slot.retainedBytes) > 0)
        #expect(slot.walStatus == "reserved")
        try TestServer.psql("SELECT pg_drop_replication_slot('abandoned_slot')", database: "dbadvise_test")
    }

    /// The issue's "done when": analyze reports the lag in seconds and bytes, and check with
    /// replication_lag_seconds breaches, against a real standby whose replay is paused.
    @Test func analyzeAndCheckSeeALaggingStandby() throws {
        let primary = try TestServer.dsn()
        let standby = try TestServer.startStandby("standby_cli")
        try TestServer.psql(
            "CREATE TABLE IF NOT EXISTS cli_probe (id bigserial, payload text); INSERT INTO cli_probe (payload) VALUES ('x')",
            database: "dbadvise_test")
        try waitForCatchUp(standby)
        try TestServer.psql("SELECT pg_wal_replay_pause()", dsn: standby)
        defer { _ = try? TestServer.psql("SELECT pg_wal_replay_resume()", dsn: standby) }
        let writer = try Shell.start(
            try TestServer.binDirectory() + "/psql",
            [
                "-X", "-q", "-d", primary, "-c",
                "DO $$ BEGIN FOR i IN 1..60 LOOP INSERT INTO cli_probe (payload) SELECT repeat('x', 200) FROM generate_series(1, 1000); COMMIT; PERFORM pg_sleep(0.1); END LOOP; END $$",
            ])
        defer { writer.terminate() }
        Thread.sleep(forTimeInterval: 2)

        let config = try Shell.temporaryFile(".yml")
        try Data("thresholds:\n  replication_lag_seconds: {warning: 0.5, critical: 1}\n".utf8).write(to: config)
        let check = try Shell.dbadvise(
            ["check", "--dsn", primary, "--replica", standby, "--interval", "2s", "--config", config.path])
        #expect(check.status == 1, "\(check.stdout) \(check.stderr)")
        #expect(check.stderr.contains("replication_lag_seconds"))

        let analyze = try Shell.dbadvise(
            [
                "analyze", "--dsn", primary, "--replica", standby, "--interval", "2s", "--config", config.path,
                "--format", "json",
            ])
        #expect(analyze.status == 0, "\(analyze.stderr)")
        struct Head: Decodable {
            struct Metrics: Decodable { let replication_lag_seconds: Double? }
            struct Recommendation: Decodable {
                struct Evidence: Decodable { let metric: String; let unit: String? }
                let rule: String
                let evidence: [Evidence]
            }
            let metrics: Metrics
            let recommendations: [Recommendation]
        }
        let head = try JSONDecoder().decode(Head.self, from: Data(analyze.stdout.utf8))
        #expect(try #require(head.metrics.replication_lag_seconds) > 0.5)
        let lag = try #require(head.recommendations.first { $0.rule == "tuning-replication-lag" })
        #expect(lag.evidence.contains { $0.unit == "seconds" })
        #expect(lag.evidence.contains { $0.unit == "bytes" })
        writer.waitUntilExit()
    }
}
