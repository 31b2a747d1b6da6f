import DBAdviseModel
import Foundation

/// `--what-if 10x` or `--what-if data=10x,writes=3x,reads=5x`: how many times today's
/// measured data, writes and reads to imagine. A dimension left out stays at 1x.
public struct WhatIfScenario: Codable, Sendable, Equatable {
    public var data: Double
    public var writes: Double
    public var reads: Double

    public init(data: Double = 1, writes: Double = 1, reads: Double = 1) {
        self.data = data
        self.writes = writes
        self.reads = reads
    }

    public enum Dimension: String, CaseIterable, Sendable { case data, writes, reads }

    /// Parses the flag's value. Factors are positive decimals with an optional `x`
    /// (`10x`, `2.5`, `0.5x`); each dimension at most once.
    public static func parse(_ text: String) throws(WhatIfError) -> WhatIfScenario {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw .empty }
        if !trimmed.contains("=") {
            let factor = try factor(trimmed, dimension: nil)
            return WhatIfScenario(data: factor, writes: factor, reads: factor)
        }
        var scenario = WhatIfScenario()
        var seen = Set<String>()
        for part in trimmed.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces).lowercased()
            }
            guard pieces.count == 2, let dimension = Dimension(rawValue: pieces[0]) else {
                throw .unknownDimension(String(part).trimmingCharacters(in: .whitespaces))
            }
            guard seen.insert(dimension.rawValue).inserted else { throw .repeated(dimension.rawValue) }
            let value = try factor(pieces[1], dimension: dimension.rawValue)
            switch dimension {
            case .data: scenario.data = value
            case .writes: scenario.writes = value
            case .reads: scenario.reads = value
            }
        }
        return scenario
    }

    /// A million times today's load is far past any plan; above it, sizes leave the range a
    /// snapshot's numbers are checked against (2^53) and the report would show saturated values.
    public static let largestFactor = 1_000_000.0

    private static func factor(_ text: String, dimension: String?) throws(WhatIfError) -> Double {
        var number = text.lowercased()
        if number.hasSuffix("x") { number.removeLast() }
        guard let value = Double(number), value.isFinite, value > 0 else {
            throw .badFactor(text, dimension: dimension)
        }
        guard value <= largestFactor else { throw .tooLarge(text, dimension: dimension) }
        return value
    }

    /// `data ×100, writes ×1, reads ×1`.
    public var description: String {
        "data ×\(Formatting.number(data)), writes ×\(Formatting.number(writes)), reads ×\(Formatting.number(reads))"
    }

    /// The factor for the load the sessions carry: the larger of reads and writes, so that
    /// CPU and session counts are not under-estimated when one side dominates.
    public var load: Double { max(reads, writes) }
}

public enum WhatIfError: Error, Sendable, Equatable, CustomStringConvertible {
    case empty
    case badFactor(String, dimension: String?)
    case tooLarge(String, dimension: String?)
    case unknownDimension(String)
    case repeated(String)

    public var description: String {
        switch self {
        case .empty:
            "--what-if is empty"
        case let .badFactor(text, dimension):
            "--what-if: '\(text)'\(dimension.map { " for \($0)" } ?? "") is not a positive factor"
        case let .tooLarge(text, dimension):
            "--what-if: '\(text)'\(dimension.map { " for \($0)" } ?? "") is above "
                + "\(Formatting.number(WhatIfScenario.largestFactor))x, the largest factor dbadvise models"
        case let .unknownDimension(part):
            "--what-if: '\(part)' is not data=, writes= or reads="
        case let .repeated(dimension):
            "--what-if: \(dimension) is given twice"
        }
    }

    public static let fix = "write a factor such as 10x, or per dimension: data=10x,writes=3x,reads=5x"
}
