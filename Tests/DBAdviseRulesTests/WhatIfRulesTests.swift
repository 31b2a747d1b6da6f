import DBAdviseAnalysis
import DBAdviseModel
import DBAdviseOutput
import DBAdviseRules
import Foundation
import Testing

/// The what-if answer on the captured pgbench snapshot: today it stays on one box; at 100x
/// data its largest table needs partitioning; sharding only once a partition would outgrow
/// the configured machine.
@Suite struct WhatIfRulesTests {
    /// table_size_gb follows hardware.memory_gb (4 GB warning): pgbench_accounts (75 MB)
    /// crosses it at 100x.
    let machine = Hardware(vcpus: 16, memoryGB: 4)

    func report(_ scenario: String, hardware: Hardware) throws -> Report {
        try RuleRegistry.analyzer.report(
            snapshots: [BaseFixture.snapshot()], config: Config(hardware: hardware), sourceType: .snapshot,
            whatIf: WhatIfScenario.parse(scenario), isWrite: WhatIfStatements.isWrite)
    }

    @Test func hundredTimesTheDataTurnsStayOnOneBoxIntoPartitioning() throws {
        let report = try report("data=100x", hardware: machine)
        #expect(report.staysOnOneBox, "today: \(report.summary)")
        let whatIf = try #require(report.whatIf)
        #expect(whatIf.scenario == WhatIfScenario(data: 100, writes: 1, reads: 1))
        #expect(whatIf.newSteps == [.partitioning])
        #expect(
            whatIf.recommendations.contains { $0.strategy == .partitioning && $0.target == "public.pgbench_accounts" })
        #expect(!whatIf.recommendations.contains { $0.strategy == .sharding })
        #expect(whatIf.breaches.contains { $0.threshold == .tableSizeGB && $0.target == "public.pgbench_accounts" })
        #expect(whatIf.summary.hasPrefix("Next step: partitioning"))
    }

    @Test func shardingOnlyWhenAPartitionWouldOutgrowTheMachine() throws {
        // A machine of at most 6 GB memory and 10 GB disk (the ceilings, max_memory_gb and
        // max_storage_gb): 7.3 GB of pgbench_accounts exceeds both.
        var small = machine
        small.maxStorageGB = 10
        small.maxMemoryGB = 6
        let whatIf = try #require(try report("data=100x", hardware: small).whatIf)
        #expect(whatIf.newSteps == [.partitioning, .sharding])
        #expect(
            whatIf.recommendations.contains {
                $0.rule == "shard-beyond-one-machine" && $0.target == "public.pgbench_accounts"
            })
        // Ten times the data fits that machine: neither step.
        let tenfold = try #require(try report("data=10x", hardware: small).whatIf)
        #expect(tenfold.newSteps.isEmpty)
    }

    /// Thirty times the writes on a primary already at its 16-vCPU ceiling: the projection
    /// onto the ceiling falls short, so sharding; no new data, so no partitioning.
    @Test func writesAloneScaleWriteSteps() throws {
        var atCeiling = machine
        atCeiling.maxVCPUs = 16
        let whatIf = try #require(try report("writes=30x", hardware: atCeiling).whatIf)
        #expect(whatIf.metrics.writesPerSecond.map { $0 > 20_000 } == true)
        #expect(whatIf.newSteps.contains(.sharding))
        #expect(!whatIf.newSteps.contains(.partitioning), "no more data: no partitioning")
        #expect(whatIf.breaches.contains { $0.threshold == .writesPerSecond && $0.severity == .critical })
    }
}
