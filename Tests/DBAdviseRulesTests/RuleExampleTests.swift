import DBAdviseAnalysis
import DBAdviseModel
import DBAdviseOutput
import DBAdviseRules
import Foundation
import Testing

/// Runs each rule over the base fixture with the example's edit.
func context(_ edit: RuleExample.Edit = { _, _ in }, seriesHours: Int = 0) throws -> RuleContext {
    var snapshot = try BaseFixture.snapshot()
    var config = BaseFixture.config
    edit(&snapshot, &config)
    let earlier = (1...max(1, seriesHours)).reversed().prefix(seriesHours).map { hours in
        var copy = snapshot
        copy.interval.startedAt.addTimeInterval(Double(-hours) * 3_600)
        copy.interval.finishedAt.addTimeInterval(Double(-hours) * 3_600)
        return copy
    }
    return RuleContext(latest: snapshot, earlier: Array(earlier), config: config)
}

@Suite struct RuleExampleTests {
    @Test(arguments: ruleExamples)
    func example(_ example: RuleExample) throws {
        let rule = try #require(
            RuleRegistry.rule(id: example.rule), "no registered rule \(example.rule)",
            sourceLocation: example.location)
        let verdict = rule.evaluate(try context(example.edit, seriesHours: example.seriesHours))
        switch verdict {
        case let .recommend(recommendations):
            #expect(
                example.triggers, "triggered unexpectedly: \(recommendations.map(\.summary))",
                sourceLocation: example.location)
            #expect(!recommendations.isEmpty, sourceLocation: example.location)
            for recommendation in recommendations {
                #expect(recommendation.rule == example.rule, sourceLocation: example.location)
                #expect(
                    !recommendation.evidence.isEmpty, "recommendation without evidence",
                    sourceLocation: example.location)
                #expect(
                    !recommendation.actions.isEmpty, "recommendation without actions", sourceLocation: example.location)
                #expect(!recommendation.target.isEmpty, sourceLocation: example.location)
            }
        case let .notTriggered(reason, _):
            #expect(!example.triggers, "did not trigger: \(reason)", sourceLocation: example.location)
            #expect(!reason.isEmpty, "a quiet rule must say why", sourceLocation: example.location)
        }
    }
}

@Suite struct RegistryTests {
    @Test func everyRuleHasTriggeringAndQuietExamples() {
        for rule in RuleRegistry.rules {
            let id = rule.ruleDescription.id
            #expect(ruleExamples.contains { $0.rule == id && $0.triggers }, "\(id) has no triggering example")
            #expect(ruleExamples.contains { $0.rule == id && !$0.triggers }, "\(id) has no quiet example")
        }
        let ids = Set(RuleRegistry.descriptions.map(\.id))
        for example in ruleExamples {
            #expect(
                ids.contains(example.rule), "example for unknown rule \(example.rule)", sourceLocation: example.location
            )
        }
    }

    @Test func everyRuleIsDocumented() {
        let prefixes: [Strategy: String] = [
            .vertical: "vertical-", .readReplicas: "replicas-", .partitioning: "partition-", .sharding: "shard-",
            .cqrs: "cqrs-", .cache: "cache-", .tuning: "tuning-",
        ]
        for description in RuleRegistry.descriptions {
            let id = description.id
            #expect(id.wholeMatch(of: /[a-z0-9]+(-[a-z0-9]+)+/) != nil, "\(id): ids are kebab-case")
            #expect(id.hasPrefix(prefixes[description.strategy] ?? "?"), "\(id): prefix names the strategy")
            #expect(!description.title.isEmpty, "\(id): title")
            #expect(description.rationale.count > 80, "\(id): rationale says why")
            #expect(!description.sources.isEmpty, "\(id): rationale cites a source")
            #expect(description.sources.allSatisfy { $0.hasPrefix("https://") }, "\(id): sources are links")
            #expect(!description.inputs.isEmpty, "\(id): names the evidence it reads")
            #expect(
                !(description.thresholds.isEmpty && description.parameters.isEmpty),
                "\(id): compares with a threshold or a named parameter")
            for parameter in description.parameters {
                #expect(!parameter.why.isEmpty, "\(id).\(parameter.name): says why")
            }
        }
    }

    @Test func idsAreUniqueAndTheOrderFollowsTheLadder() {
        let ids = RuleRegistry.descriptions.map(\.id)
        #expect(Set(ids).count == ids.count)
        let positions = RuleRegistry.descriptions.map(\.strategy.ladderPosition)
        #expect(positions == positions.sorted(), "registry is in ladder order")
        let covered = Set(RuleRegistry.descriptions.map(\.strategy))
        #expect(covered == Set(Strategy.allCases), "every strategy has a rule")
    }

    /// One rule, one file: Sources/DBAdviseRules/Rules/<Strategy>/<Type>.swift.
    @Test func eachRuleLivesInItsOwnFile() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/DBAdviseRules/Rules")
        let folders: [Strategy: String] = [
            .vertical: "Vertical", .readReplicas: "ReadReplicas", .partitioning: "Partitioning", .sharding: "Sharding",
            .cqrs: "CQRS", .cache: "Cache", .tuning: "Tuning",
        ]
        for rule in RuleRegistry.rules {
            let typeName = String(describing: type(of: rule))
            #expect(typeName.hasSuffix("Rule"), "\(typeName) is named …Rule")
            let folder = try #require(folders[rule.ruleDescription.strategy])
            let path = root.appendingPathComponent("\(folder)/\(typeName).swift").path
            #expect(FileManager.default.fileExists(atPath: path), "\(typeName) lives at \(path)")
        }
    }

    @Test func explainPrintsRationaleThresholdsAndEvidence() throws {
        let description = try #require(RuleRegistry.rule(id: "partition-large-time-series")?.ruleDescription)
        let text = RuleCatalogRenderer.explain(description, config: BaseFixture.config)
        #expect(text.contains("partition-large-time-series (partitioning)"))
        #expect(text.contains("thresholds.table_size_gb: 64 / 640 GB"))
        #expect(text.contains("minimum_abs_correlation"))
        #expect(text.contains("column_stats.correlation"))
        let wide = text.split(separator: "\n").filter { $0.count > 80 && !$0.hasPrefix("  https://") }
        #expect(wide.isEmpty, "wider than 80 columns: \(wide)")
        #expect(RuleRegistry.rule(id: "no-such-rule") == nil)
        let list = RuleCatalogRenderer.render(RuleRegistry.descriptions, as: .json)
        let decoded = try ReportCoding.decoder().decode([RuleDescription].self, from: Data(list.utf8))
        #expect(decoded == RuleRegistry.descriptions)
    }
}
