import DBAdviseAnalysis
import DBAdviseModel
import Foundation
import Testing

/// Typed evidence: units and metric names are types, and the report's JSON still carries the
/// very strings it carried when they were strings.
@Suite struct EvidenceUnitTests {
    /// The unit strings reports carried before the units were typed: the contract's JSON.
    static let contractUnits: Set<String> = [
        "bytes", "bytes/s", "bytes/day", "ratio", "boolean", "×", "ms", "seconds", "days", "sessions",
        "sessions/vCPU", "vCPUs", "connections", "transactions", "rows/s", "calls/s", "checkpoints", "runs",
        "IOPS", "rows", "scans", "rows and scans", "values", "columns", "tables", "partitions", "shards",
        "statements", "queries", "foreign keys", "server_version_num",
    ]

    @Test func unitsAreTheContractStrings() {
        #expect(Set(EvidenceUnit.allCases.map(\.rawValue)) == Self.contractUnits)
        #expect(EvidenceUnit.allCases.count == Self.contractUnits.count)
    }

    @Test(arguments: EvidenceUnit.allCases)
    func everyUnitFormatsAndRoundTrips(_ unit: EvidenceUnit) throws {
        #expect(EvidenceUnit(rawValue: unit.rawValue) == unit)
        #expect("\(unit)" == unit.rawValue)
        let encoded = try ReportCoding.encoder().encode([unit])
        #expect(try JSONDecoder().decode([String].self, from: encoded) == [unit.rawValue])
        #expect(try ReportCoding.decoder().decode([EvidenceUnit].self, from: encoded) == [unit])

        let shown = Formatting.measured(1_536, unit: unit)
        switch unit {
        case .bytes: #expect(shown == "1.5 kB")
        case .bytesPerSecond: #expect(shown == "1.5 kB/s")
        case .bytesPerDay: #expect(shown == "1.5 kB/day")
        case .ratio: #expect(shown == "1,536")
        default: #expect(shown == "1,536 \(unit.rawValue)")
        }
    }

    @Test func everyThresholdKeyMeasuresInAKnownUnit() {
        for key in ThresholdKey.allCases {
            let unit = key.unit.measuredUnit
            #expect(!Formatting.measured(1, unit: unit).isEmpty, "\(key.rawValue)")
            // Keys not written in GB are measured in the unit they are written in.
            if key.unit != .gigabytes, key.unit != .gigabytesPerDay { #expect(unit.rawValue == key.unit.rawValue) }
        }
    }

    @Test func anUnknownUnitInAFileIsAClearErrorNotACrash() {
        let json = Data(#"{"metric": "table_bytes", "value": 1, "threshold": null, "unit": "furlongs"}"#.utf8)
        #expect {
            _ = try ReportCoding.decoder().decode(Evidence.self, from: json)
        } throws: { error in
            String(describing: error).contains("unknown unit \"furlongs\"")
        }
    }

    @Test func metricNamesDecodeWhateverAFileCarries() throws {
        let json = Data(#"{"metric": "some_future_metric(public.t)", "reason": "newer"}"#.utf8)
        let note = try ReportCoding.decoder().decode(MetricNote.self, from: json)
        #expect(note.metric.rawValue == "some_future_metric(public.t)")
        #expect(
            String(decoding: try JSONEncoder().encode(note.metric), as: UTF8.self) == #""some_future_metric(public.t)""#
        )
    }

    @Test func reportMetricsAreNamedLikeTheirThresholdKeys() {
        let pairs: [(ThresholdKey, MetricKey)] = [
            (.writesPerSecond, .writesPerSecond), (.replicationLagSeconds, .replicationLagSeconds),
            (.cacheHitRatio, .cacheHitRatio), (.connectionsUsedRatio, .connectionsUsedRatio),
            (.activeSessionsPerVCPU, .activeSessionsPerVCPU), (.deadTupleRatio, .deadTupleRatio),
        ]
        for (key, metric) in pairs { #expect(MetricKey(threshold: key) == metric, "\(key.rawValue)") }
    }

    @Test func namesWithWhatTheyAreOf() {
        #expect(MetricKey.shardKeyDistinct(column: "tenant_id").rawValue == "shard_key_distinct(tenant_id)")
        #expect(MetricKey.relfrozenxidAge(table: "public.t").rawValue == "relfrozenxid_age(public.t)")
        #expect(MetricKey.utilization(resource: "cpu").rawValue == "cpu_utilization")
        #expect(
            MetricKey.partitionsMissingIndex(index: "events_pkey").rawValue == "partitions_missing_index(events_pkey)")
    }

    /// Evidence as it was encoded when metric and unit were strings.
    private struct StringEvidence: Encodable {
        var metric: String
        var value: Double?
        var threshold: Double?
        var unit: String
        var note: String?

        private enum CodingKeys: String, CodingKey { case metric, value, threshold, unit, note }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(metric, forKey: .metric)
            try container.encode(value, forKey: .value)
            try container.encode(threshold, forKey: .threshold)
            try container.encode(unit, forKey: .unit)
            try container.encodeIfPresent(note, forKey: .note)
        }
    }

    @Test func evidenceJSONIsUnchanged() throws {
        let typed = [
            Evidence(metric: .tableBytes, value: 10, threshold: 5, unit: .bytes),
            Evidence(
                metric: .shardKeyDistinct(column: "tenant_id"), value: 200, threshold: nil, unit: .values, note: "n"),
            Evidence(
                metric: .largestToMedianPartition(table: "public.metrics"), value: 3, threshold: 2, unit: .times),
            Evidence(metric: .walBytesPerSecond, value: nil, threshold: 16, unit: .bytesPerSecond, note: "unknown"),
            Evidence(metric: .tableWritesPerRead, value: 0.5, threshold: nil, unit: .rowsAndScans),
        ]
        let plain = [
            StringEvidence(metric: "table_bytes", value: 10, threshold: 5, unit: "bytes"),
            StringEvidence(
                metric: "shard_key_distinct(tenant_id)", value: 200, threshold: nil, unit: "values", note: "n"),
            StringEvidence(metric: "largest_to_median_partition(public.metrics)", value: 3, threshold: 2, unit: "×"),
            StringEvidence(metric: "wal_bytes_per_second", value: nil, threshold: 16, unit: "bytes/s", note: "unknown"),
            StringEvidence(metric: "table_writes_per_read", value: 0.5, threshold: nil, unit: "rows and scans"),
        ]
        let encoded = try ReportCoding.encode(typed)
        #expect(encoded == (try ReportCoding.encode(plain)))
        let text = String(decoding: encoded, as: UTF8.self)
        #expect(text.contains(#""metric" : "table_bytes""#))
        #expect(text.contains(#""unit" : "bytes""#))
        #expect(text.contains(#""unit" : "×""#))
        #expect(try ReportCoding.decoder().decode([Evidence].self, from: encoded) == typed)
    }
}
