import ArgumentParser
import DBAdviseAnalysis
import DBAdviseModel
import DBAdviseOutput
import DBAdviseRules

struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Print a rule's rationale, sources, thresholds and the evidence it reads.",
        discussion: """
            Thresholds are shown at the levels in effect: the defaults, or those of --config. \
            'dbadvise rules' lists the ids.
            """)

    @Argument(help: ArgumentHelp("The rule to explain, as 'dbadvise rules' lists it.", valueName: "rule-id"))
    var ruleID: String

    @OptionGroup var config: ConfigOption

    func run() throws {
        guard let rule = RuleRegistry.rule(id: ruleID) else {
            let ids = RuleRegistry.descriptions.map(\.id)
            let close = ids.filter { $0.contains(ruleID.lowercased()) || ruleID.lowercased().contains($0) }
            let hint = close.count == 1 ? close.first.map { "did you mean \($0)? " } ?? "" : ""
            throw CommandError(
                .usage, "unknown rule id '\(ruleID)'",
                fix: "\(hint)'dbadvise rules' lists every rule id")
        }
        let config = try self.config.load()
        try Terminal.writeOutput(RuleCatalogRenderer.explain(rule.ruleDescription, config: config))
    }
}
