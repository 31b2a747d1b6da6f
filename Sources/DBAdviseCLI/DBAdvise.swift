import ArgumentParser
import DBAdviseAnalysis
import DBAdviseModel
import DBAdviseOutput

/// The root command. Parsing is done by hand (`parseAsRoot`) so that usage errors exit 2 as
/// the contract says, not swift-argument-parser's 64.
public struct DBAdvise: ParsableCommand {
    public static let version = DBAdviseVersion.current

    public static let configuration = CommandConfiguration(
        commandName: "dbadvise",
        abstract: "Which database scale-up step do you need next? Measured on your PostgreSQL.",
        version: version,
        subcommands: [
            CollectCommand.self, AnalyzeCommand.self, CheckCommand.self, RulesCommand.self,
            ExplainCommand.self,
        ])

    public init() {}

    /// Runs the command line and returns the exit status; prints errors in one place.
    public static func main(_ arguments: [String]) -> Int32 {
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            return ExitStatus.success.rawValue
        } catch let error as CommandError {
            Terminal.writeError("dbadvise: \(error.message)\n")
            if let fix = error.fix { Terminal.writeError("  fix: \(fix)\n") }
            return error.status.rawValue
        } catch {
            if exitCode(for: error) == .success {
                // --help, --version
                do {
                    try Terminal.writeOutput(fullMessage(for: error) + "\n")
                } catch {
                    Terminal.writeError("dbadvise: \(error.message)\n")
                    return error.status.rawValue
                }
                return ExitStatus.success.rawValue
            }
            let message =
                message(for: error).split(whereSeparator: \.isNewline).first
                .map(String.init) ?? "invalid usage"
            Terminal.writeError("dbadvise: \(message)\n  fix: see 'dbadvise --help'\n")
            return ExitStatus.usage.rawValue
        }
    }
}
