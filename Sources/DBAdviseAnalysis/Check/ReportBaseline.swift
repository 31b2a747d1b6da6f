import DBAdviseModel
import Foundation

/// The report's `baseline` section (`check --baseline` only): counts, and the findings that
/// are new, worse or resolved since the baseline was written.
public struct ReportBaseline: Codable, Sendable, Equatable {
    public struct Counts: Codable, Sendable, Equatable {
        public var new: Int
        public var worse: Int
        public var unchanged: Int
        public var resolved: Int

        public init(new: Int, worse: Int, unchanged: Int, resolved: Int) {
            self.new = new
            self.worse = worse
            self.unchanged = unchanged
            self.resolved = resolved
        }
    }

    /// When the baseline was written.
    public var createdAt: Date
    public var counts: Counts
    public var new: [BaselineFinding]
    public var worse: [BaselineChange]
    public var resolved: [BaselineFinding]

    private enum CodingKeys: String, CodingKey {
        case createdAt = "created_at"
        case counts
        case new
        case worse
        case resolved
    }

    public init(_ comparison: BaselineComparison) {
        createdAt = comparison.baselineCreatedAt
        counts = Counts(
            new: comparison.new.count, worse: comparison.worse.count,
            unchanged: comparison.unchanged.count, resolved: comparison.resolved.count)
        new = comparison.new
        worse = comparison.worse
        resolved = comparison.resolved
    }
}
