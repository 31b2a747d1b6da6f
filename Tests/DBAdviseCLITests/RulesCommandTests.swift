import DBAdviseTestSupport
import Foundation
import Testing

/// `dbadvise rules` and `dbadvise explain`, run as the real binary.
@Suite struct RulesCommandTests {
    struct RuleEntry: Decodable {
        let id: String
        let strategy: String
        let title: String
        let rationale: String
    }

    static let strategies: Set = [
        "vertical", "read-replicas", "partitioning", "sharding", "cqrs", "cache", "tuning",
    ]

    func ruleIDs() throws -> [String] {
        let result = try Shell.dbadvise(["rules", "--format", "json"])
        try #require(result.status == 0, "\(result.stderr)")
        return try JSONDecoder().decode([RuleEntry].self, from: Data(result.stdout.utf8)).map(\.id)
    }

    @Test func jsonListsEveryRuleOnceWithAContractStrategy() throws {
        let result = try Shell.dbadvise(["rules", "--format", "json"])
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty)
        let rules = try JSONDecoder().decode([RuleEntry].self, from: Data(result.stdout.utf8))
        #expect(!rules.isEmpty)
        #expect(Set(rules.map(\.id)).count == rules.count, "rule ids are not unique")
        for rule in rules {
            #expect(Self.strategies.contains(rule.strategy), "\(rule.id): \(rule.strategy)")
            #expect(!rule.title.isEmpty && !rule.rationale.isEmpty, "\(rule.id)")
        }
        // Every scaling step of the ladder has at least one rule.
        #expect(Set(rules.map(\.strategy)) == Self.strategies)
    }

    @Test func textIsTheDefaultAndListsEveryIdInTheSameOrder() throws {
        let ids = try ruleIDs()
        let plain = try Shell.dbadvise(["rules"])
        let text = try Shell.dbadvise(["rules", "--format", "text"])
        #expect(plain.status == 0 && text.status == 0)
        #expect(plain.stdout == text.stdout)
        let listed = text.stdout.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
        #expect(listed == ids)
    }

    @Test func markdownIsATableOfEveryRule() throws {
        let ids = try ruleIDs()
        let result = try Shell.dbadvise(["rules", "--format", "markdown"])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("| rule |") == true)
        for id in ids {
            #expect(result.stdout.contains("| `\(id)` |"), "\(id) missing from the Markdown list")
        }
    }

    @Test func anUnknownFormatIsAUsageError() throws {
        let result = try Shell.dbadvise(["rules", "--format", "xml"])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.hasPrefix("dbadvise: "))
        #expect(result.stderr.contains("xml"))
    }

    @Test func explainPrintsRationaleSourcesAndThresholds() throws {
        let ids = try ruleIDs()
        let id = try #require(ids.first)
        let result = try Shell.dbadvise(["explain", id])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty)
        #expect(result.stdout.hasPrefix(id))
        #expect(result.stdout.contains("Sources:"))
        #expect(result.stdout.contains("https://"))
        #expect(result.stdout.contains("Evidence read:"))
    }

    @Test func everyListedIdCanBeExplained() throws {
        for id in try ruleIDs() {
            let result = try Shell.dbadvise(["explain", id])
            #expect(result.status == 0, "explain \(id): \(result.stderr)")
            #expect(result.stdout.hasPrefix(id), "explain \(id)")
        }
    }

    @Test func explainShowsConfiguredThresholdLevels() throws {
        let config = try Shell.temporaryFile(".yml")
        defer { try? FileManager.default.removeItem(at: config) }
        try "thresholds:\n  active_sessions_per_vcpu: {warning: 0.55, critical: 0.85}\n"
            .write(to: config, atomically: true, encoding: .utf8)
        let result = try Shell.dbadvise(["explain", "vertical-cpu-saturation", "--config", config.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("thresholds.active_sessions_per_vcpu: 0.55 / 0.85"))
        let defaults = try Shell.dbadvise(["explain", "vertical-cpu-saturation"])
        #expect(defaults.stdout.contains("thresholds.active_sessions_per_vcpu: 0.70 / 1"))
    }

    @Test func explainOfAnUnknownIdIsOneLineAndAFix() throws {
        let result = try Shell.dbadvise(["explain", "no-such-rule"])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 2, "\(result.stderr)")
        #expect(lines.first == "dbadvise: unknown rule id 'no-such-rule'")
        #expect(lines.last?.hasPrefix("  fix: ") == true)
        #expect(result.stderr.contains("dbadvise rules"))
    }

    @Test func explainWithoutAnIdIsAUsageError() throws {
        let result = try Shell.dbadvise(["explain"])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("dbadvise: "))
    }
}
