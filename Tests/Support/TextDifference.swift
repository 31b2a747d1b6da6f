/// Where two texts first differ, for tests that compare output with a file kept in the
/// repository (golden files, samples/): the line, and that line on each side.
public struct TextDifference: Sendable, Equatable, CustomStringConvertible {
    /// 1-based.
    public let line: Int
    /// The line quoted, or "(end of file)".
    public let expected: String
    public let actual: String

    /// Nil when the texts are equal.
    public init?(expected: String, actual: String) {
        guard expected != actual else { return nil }
        let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let actualLines = actual.split(separator: "\n", omittingEmptySubsequences: false)
        for index in 0..<max(expectedLines.count, actualLines.count) {
            let left = index < expectedLines.count ? "\"\(expectedLines[index])\"" : "(end of file)"
            let right = index < actualLines.count ? "\"\(actualLines[index])\"" : "(end of file)"
            if left != right {
                (line, self.expected, self.actual) = (index + 1, left, right)
                return
            }
        }
        // equal line by line yet not equal: a difference Swift's line split does not show (\r\n)
        (line, self.expected, self.actual) = (1, "(the same lines)", "(the same lines in other bytes)")
    }

    public var description: String { "line \(line): expected \(expected), got \(actual)" }
}
