import DBAdviseAnalysis
import DBAdviseModel
import DBAdviseOutput
import DBAdviseRules
import DBAdviseTestSupport
import Foundation
import Testing

/// Mutations of the real snapshots in samples/, of sample configs and of a sample baseline
/// (extreme numbers, wrong types, deep nesting, truncation, control characters, huge
/// strings) through the decoders, the range checks, the analyzer (with and without a series
/// and a what-if) and every renderer, in process. Each input must be refused with a typed
/// error or analyzed to the end: a trap ends the test process and fails `make test`.
/// Seeded and sized by count, not time, so every run sees the same corpus; a failure names
/// the case number to replay.
@Suite("Fuzz: decoders and analyzer never trap")
struct FuzzTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let seed: UInt64 = 0x00DB_AD71_5E13
    static let snapshotCases = 300
    static let configCases = 200
    static let baselineCases = 200

    static func sample(_ path: String) throws -> Data {
        try Data(contentsOf: repository.appendingPathComponent("samples/" + path))
    }

    /// The snapshots of samples/snapshots, and the growth series of samples/history.
    static func originals() throws -> [(name: String, data: Data)] {
        let directory = repository.appendingPathComponent("samples/snapshots")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".json") }.sorted()
        return try names.map { ("snapshots/\($0)", try sample("snapshots/\($0)")) }
            + history().map { ($0.name, $0.data) }
    }

    static func history() throws -> [(name: String, data: Data)] {
        let directory = repository.appendingPathComponent("samples/history")
        return try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".json") }.sorted()
            .map { ("history/\($0)", try sample("history/\($0)")) }
    }

    /// What `--input` does with a file's bytes: decode, then range-check every number.
    static func read(_ data: Data) -> Snapshot? {
        guard let snapshot = try? SnapshotCoding.decode(Snapshot.self, from: data) else { return nil }
        do {
            try snapshot.checkNumbers()
        } catch {
            #expect(!error.keyPath.isEmpty)
            return nil
        }
        return snapshot
    }

    /// The analyzer and every renderer over `snapshots`; the JSON must hold no non-finite
    /// number.
    static func exercise(
        _ snapshots: [Snapshot], config: Config = Config(), whatIf: WhatIfScenario?, case number: Int
    ) {
        let report: Report
        do {
            report = try RuleRegistry.analyzer.report(
                snapshots: snapshots, config: config, sourceType: .snapshot,
                generatedAt: Date(timeIntervalSince1970: 1_800_000_000), whatIf: whatIf,
                isWrite: WhatIfStatements.isWrite)
        } catch {
            return  // two snapshots of different databases: a typed refusal
        }
        for format in ReportFormat.allCases {
            let text = ReportRenderer.render(report, as: format, useColor: format == .text)
            if format == .json {
                for word in ["\"Infinity\"", "\"-Infinity\"", "\"NaN\""] {
                    #expect(!text.contains(word), "case \(number): the JSON report holds \(word)")
                }
                #expect(
                    (try? JSONSerialization.jsonObject(with: Data(text.utf8))) != nil,
                    "case \(number): the JSON report does not parse")
            }
        }
        let baseline = Baseline(report: report)
        let comparison = baseline.compare(with: report)
        for format in CheckFormat.allCases {
            _ = CheckRenderer.render(
                report, comparison: comparison, ruleIDs: RuleRegistry.descriptions.map(\.id), as: format)
        }
        _ = CheckRenderer.githubStepSummary(report, comparison: comparison)
        _ = try? baseline.encoded()
        _ = SeriesPlot.render(snapshots: snapshots, config: config)
    }

    @Test func everySampleSnapshotPassesTheRangeChecks() throws {
        for (name, data) in try Self.originals() {
            let snapshot = try SnapshotCoding.decode(Snapshot.self, from: data)
            #expect(throws: Never.self, "\(name)") { try snapshot.checkNumbers() }
        }
        let baseline = try Baseline.decode(try Self.sample("check/baseline.json"))
        #expect(throws: Never.self) { try baseline.checkNumbers() }
    }

    @Test func mutatedSnapshotsAreRefusedOrAnalyzed() throws {
        let originals = try Self.originals()
        let series = try Self.history().compactMap { Self.read($0.data) }
        #expect(series.count >= 3)
        var random = SeededGenerator(seed: Self.seed)
        var accepted = 0
        var refused = 0
        for number in 0..<Self.snapshotCases {
            let original = originals[number % originals.count]
            let mutant = FuzzMutator.mutateJSON(original.data, using: &random)
            let factor = [1, 10, 1e3, 1e6].randomElement(using: &random)!
            let whatIf = Bool.random(using: &random) ? WhatIfScenario(data: factor, writes: factor, reads: factor) : nil
            guard let snapshot = Self.read(mutant) else {
                refused += 1
                continue
            }
            accepted += 1
            Self.exercise([snapshot], whatIf: whatIf, case: number)
            if original.name.hasPrefix("history/") {
                // in a series: growth trends, forecasts and the plot over a mutated point
                let position = Int.random(in: 0..<series.count, using: &random)
                var mutatedSeries = series
                mutatedSeries[position] = snapshot
                Self.exercise(mutatedSeries, whatIf: whatIf, case: number)
            }
        }
        // the corpus reaches both sides: the checks, and the analyzer behind them
        #expect(accepted >= Self.snapshotCases / 10, "accepted \(accepted)")
        #expect(refused >= Self.snapshotCases / 10, "refused \(refused)")
    }

    /// Every count, size and rate at the largest value the checks let through (2^53), at
    /// once: sums over tables and what-if products must saturate or stay finite, not trap.
    @Test func everyCountAtItsCeiling() throws {
        for (name, data) in try Self.originals() {
            var bytes = [UInt8](data)
            for token in FuzzMutator.tokens(bytes).reversed() where token.kind == .number {
                let text = String(decoding: bytes[token.range], as: UTF8.self)
                guard let value = Double(text), value > 1 else { continue }
                bytes.replaceSubrange(token.range, with: Array("9007199254740992".utf8))
            }
            let snapshot = try #require(Self.read(Data(bytes)), "\(name) at its ceiling is refused")
            Self.exercise([snapshot], whatIf: nil, case: -1)
            Self.exercise([snapshot], whatIf: WhatIfScenario(data: 1e6, writes: 1e6, reads: 1e6), case: -1)
        }
    }

    @Test func numbersOutOfRangeAreRefusedWithTheirKeyPath() throws {
        let text = String(decoding: try Self.sample("snapshots/pgbench.json"), as: UTF8.self)
        for (from, to, path) in [
            ("\"writes_per_second\" : ", "1e400", "rates.writes_per_second"),
            ("\"writes_per_second\" : ", "-3", "rates.writes_per_second"),
            ("\"cache_hit_ratio\" : ", "1.5", "rates.cache_hit_ratio"),
            ("\"size_bytes\" : ", "1e19", "database.size_bytes"),
        ] {
            let range = try #require(text.range(of: from))
            let valueEnd = text[range.upperBound...].firstIndex { $0 == "," || $0 == "\n" }!
            let mutant = text.replacingCharacters(in: range.upperBound..<valueEnd, with: to)
            let decoded = try? SnapshotCoding.decode(Snapshot.self, from: Data(mutant.utf8))
            guard let decoded else {
                // 1e19 does not fit an Int: the decoder refuses it, as it should
                #expect(path == "database.size_bytes", "\(path) = \(to) did not decode")
                continue
            }
            #expect(throws: NumberOutOfRange.self, "\(path) = \(to)") { try decoded.checkNumbers() }
            do {
                try decoded.checkNumbers()
            } catch {
                #expect(error.description.hasPrefix("\(path): "), "\(error.description)")
                #expect(error.description.contains("out of range"))
            }
        }
        // the unchanged file passes: the checks are not what refused the values above
        #expect(throws: Never.self) {
            try SnapshotCoding.decode(Snapshot.self, from: Data(text.utf8)).checkNumbers()
        }
    }

    @Test func mutatedConfigsAreRefusedOrUsed() throws {
        let originals = [
            try String(decoding: Self.sample("dbadvise.yml"), as: UTF8.self),
            try String(decoding: Self.sample("check/low-thresholds.yml"), as: UTF8.self),
        ]
        let snapshot = try #require(Self.read(try Self.sample("snapshots/pgbench.json")))
        var random = SeededGenerator(seed: Self.seed ^ 0xC0)
        var accepted = 0
        var refused = 0
        for number in 0..<Self.configCases {
            let mutant = FuzzMutator.mutateYAML(originals[number % originals.count], using: &random)
            let config: Config
            do {
                config = try Config.parse(mutant, file: "fuzz-\(number).yml")
            } catch {
                #expect(!error.description.isEmpty)
                refused += 1
                continue
            }
            accepted += 1
            Self.exercise([snapshot], config: config, whatIf: nil, case: number)
            for rule in RuleRegistry.descriptions { _ = RuleCatalogRenderer.explain(rule, config: config) }
        }
        #expect(accepted >= Self.configCases / 10, "accepted \(accepted)")
        #expect(refused >= Self.configCases / 10, "refused \(refused)")
    }

    @Test func mutatedBaselinesAreRefusedOrCompared() throws {
        let original = try Self.sample("check/baseline.json")
        let snapshot = try #require(Self.read(try Self.sample("snapshots/pgbench.json")))
        let report = try RuleRegistry.analyzer.report(
            snapshots: [snapshot], config: Config(), sourceType: .snapshot)
        var random = SeededGenerator(seed: Self.seed ^ 0xBA)
        var accepted = 0
        var refused = 0
        for number in 0..<Self.baselineCases {
            let mutant = FuzzMutator.mutateJSON(original, using: &random)
            let baseline: Baseline
            do {
                baseline = try Baseline.decode(mutant, file: "fuzz-\(number).json")
            } catch {
                #expect(!error.description.isEmpty)
                refused += 1
                continue
            }
            accepted += 1
            let comparison = baseline.compare(with: report)
            for format in CheckFormat.allCases {
                _ = CheckRenderer.render(
                    report, comparison: comparison, ruleIDs: RuleRegistry.descriptions.map(\.id), as: format)
            }
            _ = CheckRenderer.githubStepSummary(report, comparison: comparison)
        }
        #expect(accepted >= Self.baselineCases / 10, "accepted \(accepted)")
        #expect(refused >= Self.baselineCases / 10, "refused \(refused)")
    }
}
