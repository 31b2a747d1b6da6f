import ArgumentParser
import DBAdviseAnalysis
import DBAdviseModel
import DBAdviseOutput
import DBAdviseRules

struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "List every rule in ladder order: id, strategy and title.",
        discussion: "'dbadvise explain RULE_ID' prints a rule's rationale, sources and thresholds.")

    @OptionGroup var format: ReportFormatOption

    func run() throws {
        try Terminal.writeOutput(RuleCatalogRenderer.render(RuleRegistry.descriptions, as: format.format))
    }
}
