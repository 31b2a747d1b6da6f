import DBAdviseAnalysis
import DBAdviseModel
import DBAdviseOutput
import Foundation
import Testing

/// Numbers at and past every edge: formatting never traps, range checks name the key path,
/// what-if saturates, and the JSON report never holds a non-finite number.
@Suite struct NumberSafetyTests {
    static let edges: [Double] = [
        1e19, -1e19, 1e308, -1e308, .infinity, -.infinity, .nan, .greatestFiniteMagnitude,
        -.greatestFiniteMagnitude, .leastNonzeroMagnitude, -0.0, 0, 9.223_372_036_854_775_807e18,
        -9.223_372_036_854_775_808e18, 1e15, 999_999_999_999_999.9, 0.05,
    ]

    @Test(arguments: edges)
    func formattingNeverTraps(_ value: Double) {
        for text in [
            Formatting.number(value), Formatting.rate(value), Formatting.bytes(value),
            Formatting.percent(value), Formatting.days(value),
            Formatting.measured(value, unit: .bytes), Formatting.measured(value, unit: .rowsPerSecond),
        ] {
            #expect(!text.isEmpty)
        }
    }

    @Test func formattingShowsWhatItCannotGroup() {
        #expect(Formatting.number(1e19) == "1.0e+19")
        #expect(Formatting.number(-1e308) == "-1.0e+308")
        #expect(Formatting.number(.infinity) == "∞")
        #expect(Formatting.number(.nan) == "not a number")
        #expect(Formatting.bytes(.nan) == "not a number")
        #expect(Formatting.number(1_234.4) == "1,234", "ordinary numbers are unchanged")
        #expect(Formatting.grouped(Int.min) == "-9,223,372,036,854,775,808")
        #expect(Int(saturating: 1e300) == Int.max)
        #expect(Int(saturating: -.infinity) == Int.min)
        #expect(Int(saturating: .nan) == 0)
        #expect(Int(saturating: 41.9) == 41)
    }

    @Test func snapshotNumbersOutOfRangeNameTheirKeyPath() throws {
        var snapshot = minimalSnapshot()
        #expect(throws: Never.self) { try snapshot.checkNumbers() }
        snapshot.rates.writesPerSecond = .infinity
        #expect(throws: NumberOutOfRange.self) { try snapshot.checkNumbers() }
        do {
            try snapshot.checkNumbers()
        } catch {
            #expect(error.keyPath == "rates.writes_per_second")
            #expect(error.description.hasPrefix("rates.writes_per_second: infinity"))
        }
        snapshot = minimalSnapshot()
        snapshot.rates.cacheHitRatio = 1.01
        #expect(throws: NumberOutOfRange.self) { try snapshot.checkNumbers() }
        snapshot = minimalSnapshot()
        var table = TableStats(schema: "public", name: "events", relkind: "r", isPartition: false)
        table.reltuples = -1  // never analyzed: allowed
        table.totalBytes = 1 << 53
        snapshot.tables = [table]
        #expect(throws: Never.self) { try snapshot.checkNumbers() }
        table.totalBytes = (1 << 53) + 2
        snapshot.tables = [table]
        do {
            try snapshot.checkNumbers()
            Issue.record("2^53 + 2 bytes was accepted")
        } catch {
            #expect(error.keyPath == "tables[0].total_bytes")
        }
        table.totalBytes = -1
        snapshot.tables = [table]
        #expect(throws: NumberOutOfRange.self) { try snapshot.checkNumbers() }
    }

    @Test func baselineValuesMustBeFinite() throws {
        let finding = BaselineFinding(id: "threshold:table_size_gb", target: "t", severity: .warning, value: -1e308)
        let baseline = Baseline(createdAt: Date(timeIntervalSince1970: 0), database: nil, findings: [finding])
        let text = String(decoding: try baseline.encoded(), as: UTF8.self)
        #expect(throws: BaselineError.self) { try Baseline.decode(Data(text.utf8)) }
        let ordinary = text.replacingOccurrences(of: "-1e+308", with: "-12.5")
        #expect(throws: Never.self) { try Baseline.decode(Data(ordinary.utf8)) }
    }

    @Test func configNumbersPast2To53AreRefusedByKey() throws {
        #expect(throws: ConfigError.self) {
            try Config.parse("thresholds:\n  writes_per_second: {warning: 1e19, critical: 2e19}\n")
        }
        do {
            _ = try Config.parse("hardware:\n  memory_gb: 1e400\n")
            Issue.record("memory_gb 1e400 was accepted")
        } catch {
            #expect(error.description.contains("hardware.memory_gb"), "\(error.description)")
        }
        #expect(throws: Never.self) {
            try Config.parse("thresholds:\n  writes_per_second: {warning: 1e15, critical: 2e15}\n")
        }
    }

    @Test func whatIfSaturatesAndRefusesPastAMillion() throws {
        var snapshot = minimalSnapshot()
        snapshot.database?.sizeBytes = 1 << 53
        let scaled = SnapshotScaler.scaled(snapshot, by: WhatIfScenario(data: 1e6, writes: 1e6, reads: 1e6))
        #expect(scaled.database?.sizeBytes == 1 << 53)
        #expect(scaled.rates.writesPerSecond == 100 * 1e6)
        #expect(throws: WhatIfError.self) { try WhatIfScenario.parse("data=1e12x") }
        #expect(throws: Never.self) { try WhatIfScenario.parse("data=1000000x") }
    }

    @Test func theJSONReportWritesNonFiniteNumbersAsNull() throws {
        struct Holder: Encodable {
            var value: Double
            var other: Double?
            var name: String
        }
        let data = try ReportCoding.encode(Holder(value: .infinity, other: .nan, name: "Infinity"))
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"value\" : null"), "\(text)")
        #expect(text.contains("\"other\" : null"), "\(text)")
        #expect(text.contains("\"name\" : \"Infinity\""), "a name is data, left alone")
        let finite = String(decoding: try ReportCoding.encode(Holder(value: 1.5, name: "x")), as: UTF8.self)
        #expect(finite.contains("\"value\" : 1.5"))
    }
}
