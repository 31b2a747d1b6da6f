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

    /// The bytes reports carried for these five lines when metric and unit were strings.
    static let stringTypedEncoding = """
        [
          {
            "metric" : "table_bytes",
            "threshold" : 5,
            "unit" : "bytes",
            "value" : 10
          },
          {
            "metric" : "shard_key_distinct(tenant_id)",
            "note" : "n",
            "threshold" : null,
            "unit" : "values",
            "value" : 200
          },
          {
            "metric" : "largest_to_median_partition(public.metrics)",
            "threshold" : 2,
            "unit" : "×",
            "value" : 3
          },
          {
            "metric" : "wal_bytes_per_second",
            "note" : "unknown",
            "threshold" : 16,
            "unit" : "bytes/s",
            "value" : null
          },
          {
            "metric" : "table_writes_per_read",
            "threshold" : null,
            "unit" : "rows and scans",
            "value" : 0.5
          }
        ]
        """

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
        let encoded = try ReportCoding.encode(typed)
        #expect(String(decoding: encoded, as: UTF8.self) == Self.stringTypedEncoding)
        #expect(try ReportCoding.decoder().decode([Evidence].self, from: encoded) == typed)
    }
}
