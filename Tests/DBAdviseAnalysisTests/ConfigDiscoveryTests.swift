import DBAdviseAnalysis
import DBAdviseModel
import DBAdviseOutput
import Foundation
import Testing

/// The contract's order: --config, $DBADVISE_CONFIG, ./dbadvise.yml, $XDG_CONFIG_HOME/dbadvise/config.yml.
@Suite struct ConfigDiscoveryTests {
    static let home = ["HOME": "/home/dba"]

    @Test func theOptionWinsOverEverything() {
        let origin = ConfigDiscovery.locate(
            option: "mine.yml", environment: Self.home.merging(["DBADVISE_CONFIG": "env.yml"]) { $1 },
            fileExists: { _ in true })
        #expect(origin == ConfigOrigin(source: .option, path: "mine.yml"))
    }

    @Test func theVariableWinsOverTheLookedForFiles() {
        let origin = ConfigDiscovery.locate(
            option: nil, environment: Self.home.merging(["DBADVISE_CONFIG": "/etc/env.yml"]) { $1 },
            fileExists: { _ in true })
        #expect(origin == ConfigOrigin(source: .environment, path: "/etc/env.yml"))
        // named by the user: used even when missing, so loading says so
        let missing = ConfigDiscovery.locate(
            option: nil, environment: ["DBADVISE_CONFIG": "/nowhere.yml"], fileExists: { _ in false })
        #expect(missing == ConfigOrigin(source: .environment, path: "/nowhere.yml"))
        // an empty variable is no choice
        let empty = ConfigDiscovery.locate(
            option: nil, environment: ["DBADVISE_CONFIG": ""], fileExists: { _ in false })
        #expect(empty == .defaults)
    }

    @Test func theWorkingDirectoryFileWinsOverTheUserConfig() {
        let origin = ConfigDiscovery.locate(option: nil, environment: Self.home, fileExists: { _ in true })
        #expect(origin == ConfigOrigin(source: .workingDirectory, path: "dbadvise.yml"))
    }

    @Test func theUserConfigFollowsXDGConfigHomeElseHomeDotConfig() {
        let xdg = ConfigDiscovery.locate(
            option: nil, environment: Self.home.merging(["XDG_CONFIG_HOME": "/xdg"]) { $1 },
            fileExists: { $0 == "/xdg/dbadvise/config.yml" })
        #expect(xdg == ConfigOrigin(source: .userConfig, path: "/xdg/dbadvise/config.yml"))
        let dotConfig = ConfigDiscovery.locate(
            option: nil, environment: Self.home, fileExists: { $0 == "/home/dba/.config/dbadvise/config.yml" })
        #expect(dotConfig == ConfigOrigin(source: .userConfig, path: "/home/dba/.config/dbadvise/config.yml"))
        // XDG_CONFIG_HOME set: ~/.config is not looked at
        let elsewhere = ConfigDiscovery.locate(
            option: nil, environment: Self.home.merging(["XDG_CONFIG_HOME": "/xdg"]) { $1 },
            fileExists: { $0 == "/home/dba/.config/dbadvise/config.yml" })
        #expect(elsewhere == .defaults)
    }

    @Test func nothingFoundIsTheDefaults() throws {
        let origin = ConfigDiscovery.locate(option: nil, environment: Self.home, fileExists: { _ in false })
        #expect(origin == .defaults)
        #expect(try Config.load(origin) == Config())
    }
}

@Suite struct IgnoreConfigTests {
    @Test func readsEntries() throws {
        let config = try Config.parse(
            """
            ignore:
              - {rule: cache-hot-repeated-reads, target: public.countries, reason: "tiny table", until: 2027-06-30}
              - rule: table_size_gb
                reason: archived yearly
            """, file: "dbadvise.yml")
        #expect(
            config.ignore.map { [$0.rule, $0.target, $0.reason, $0.until] } == [
                ["cache-hot-repeated-reads", "public.countries", "tiny table", "2027-06-30"],
                ["table_size_gb", nil, "archived yearly", nil],
            ])
        #expect(config.ignore[0].expiresAt == IgnoreEntry.day("2027-07-01"))
        try config.checkIgnoredRules(known: ["cache-hot-repeated-reads"])
    }

    @Test(arguments: [
        ("ignore: [{rule: x}]", "ignore[0].reason"),
        ("ignore: [{reason: why}]", "ignore[0].rule"),
        ("ignore: [{rule: x, reason: \"  \"}]", "ignore[0].reason"),
        ("ignore: [{rule: x, reason: y, until: tomorrow}]", "ignore[0].until"),
        ("ignore: [{rule: x, reason: y, until: 2027-02-30}]", "ignore[0].until"),
        ("ignore: [{rule: x, reason: y, owner: me}]", "ignore[0].owner"),
        ("ignore: {rule: x, reason: y}", "ignore"),
    ])
    func refusesBadEntries(text: String, keyPath: String) {
        #expect(throws: ConfigError.self) { try Config.parse(text) }
        do {
            _ = try Config.parse(text)
        } catch {
            #expect(error.keyPath == keyPath, "\(error)")
        }
    }

    @Test func anUnknownRuleIdIsRefusedWithItsPlace() throws {
        let known = try Config.parse(
            "ignore:\n  - {rule: table_size_gb, reason: ok}\n  - {rule: cache-hot-repeated-reads, reason: ok}\n")
        #expect(throws: Never.self) { try known.checkIgnoredRules(known: ["cache-hot-repeated-reads"]) }
        let refused = try Config.parse(
            "ignore:\n  - {rule: table_size_gb, reason: ok}\n  - {rule: no-such-rule, reason: typo}\n",
            file: "dbadvise.yml")
        do {
            try refused.checkIgnoredRules(known: ["cache-hot-repeated-reads"])
            Issue.record("an unknown rule id was accepted")
        } catch {
            #expect(error.keyPath == "ignore[1].rule")
            #expect(error.description.hasPrefix("config:3: ignore[1].rule: unknown rule id \"no-such-rule\""))
        }
    }
}

/// A rule that recommends on the database when writes pass writes_per_second warning: a
/// recommendation with a breach of its own threshold key on the same target.
private struct WriteRule: Rule {
    static let description = RuleDescription(
        id: "test-writes", strategy: .vertical, title: "Writes are high", rationale: "test", sources: [],
        thresholds: [.writesPerSecond], inputs: ["rates.writes_per_second"])

    func evaluate(_ context: RuleContext) -> RuleVerdict {
        guard let writes = context.metrics.writesPerSecond,
            context.levels(.writesPerSecond).severity(of: writes) != nil
        else { return .notTriggered(reason: "writes are low", evidence: []) }
        return .recommend([
            recommendation(
                severity: .warning, target: context.databaseName, summary: "writes", evidence: [], actions: [])
        ])
    }
}

@Suite struct SuppressionTests {
    static let snapshot = minimalSnapshot(writes: 6_000)
    static let analyzer = Analyzer(rules: [WriteRule()])

    /// `YYYY-MM-DD` of the snapshot's own time, shifted by whole days: entries are judged
    /// against the data, never the wall clock.
    static func day(_ offset: Int) -> String {
        let date = snapshot.interval.finishedAt.addingTimeInterval(Double(offset) * 86_400)
        return String(SnapshotCoding.formatTimestamp(date).prefix(10))
    }

    func report(_ ignore: [IgnoreEntry]) throws -> Report {
        try Self.analyzer.report(
            snapshots: [Self.snapshot], config: Config(ignore: ignore), sourceType: .snapshot,
            generatedAt: Self.snapshot.interval.finishedAt)
    }

    @Test func withoutAnEntryTheFindingAndItsBreachStand() throws {
        let plain = try report([])
        #expect(plain.recommendations.map(\.rule) == ["test-writes"])
        #expect(plain.gate.breaches.map(\.threshold) == [.writesPerSecond])
        #expect(plain.suppressed.isEmpty)
    }

    @Test func anEntryRemovesTheFindingAndItsBreachAndSaysWhy() throws {
        let accepted = try report([
            IgnoreEntry(rule: "test-writes", target: "app", reason: "batch night", until: Self.day(0))
        ])
        #expect(accepted.recommendations.isEmpty)
        #expect(accepted.gate.breaches.isEmpty)
        #expect(accepted.gate.passed)
        #expect(accepted.suppressed.map(\.kind) == [.recommendation, .breach])
        #expect(accepted.suppressed.allSatisfy { $0.reason == "batch night" && $0.until == Self.day(0) })
        #expect(accepted.config.warnings.isEmpty)
        let vertical = try #require(accepted.notRecommended.first { $0.strategy == .vertical })
        #expect(vertical.reason.contains("accepted in the config: batch night"))
        #expect(TextReportRenderer.render(accepted, useColor: false).contains("accepted: batch night"))
    }

    @Test func aThresholdKeyEntryRemovesOnlyTheBreach() throws {
        let accepted = try report([IgnoreEntry(rule: "writes_per_second", reason: "known")])
        #expect(accepted.recommendations.map(\.rule) == ["test-writes"])
        #expect(accepted.gate.breaches.isEmpty)
        #expect(accepted.suppressed.map(\.kind) == [.breach])
    }

    @Test func anotherTargetSuppressesNothing() throws {
        let other = try report([IgnoreEntry(rule: "test-writes", target: "billing", reason: "other database")])
        #expect(other.recommendations.map(\.rule) == ["test-writes"])
        #expect(other.gate.breaches.count == 1)
        #expect(other.suppressed.isEmpty)
    }

    @Test func anExpiredEntryWarnsAndSuppressesNothing() throws {
        let expired = try report([IgnoreEntry(rule: "test-writes", reason: "batch night", until: Self.day(-1))])
        #expect(expired.recommendations.map(\.rule) == ["test-writes"])
        #expect(expired.gate.breaches.count == 1)
        #expect(expired.suppressed.isEmpty)
        #expect(expired.config.warnings.count == 1)
        #expect(expired.config.warnings[0].contains("expired on \(Self.day(-1))"))
        #expect(TextReportRenderer.render(expired, useColor: false).contains("warning: ignore entry test-writes"))
        #expect(MarkdownReportRenderer.render(expired).contains("expired on"))
    }
}
