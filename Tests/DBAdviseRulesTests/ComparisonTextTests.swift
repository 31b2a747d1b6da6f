import DBAdviseModel
import DBAdviseOutput
import Testing

@testable import DBAdviseAnalysis
@testable import DBAdviseRules

/// Every reason states the comparison actually made, with the numbers it compared.
@Suite struct ComparisonTextTests {
    static let gigabyte = BaseFixture.gigabyte

    func evaluate(_ rule: some Rule, _ edit: @escaping RuleExample.Edit) throws -> RuleVerdict {
        rule.evaluate(try context(edit))
    }

    func reason(_ verdict: RuleVerdict) -> String? {
        if case let .notTriggered(reason, _) = verdict { return reason }
        return nil
    }

    @Test func transactionIDAgeFollowsTheServersFreezeAge() throws {
        let rule = TransactionIDAgeRule()
        // PostgreSQL's default freeze age, said to be assumed when the setting is missing.
        let assumed = try evaluate(rule) { snapshot, _ in
            snapshot.database?.datfrozenxidAge = 300_000_000
            snapshot.server.settings.removeAll { $0.name == "autovacuum_freeze_max_age" }
        }
        let warning = try #require(assumed.recommendations.first)
        #expect(warning.severity == .warning)
        #expect(
            warning.summary.contains(
                "age(datfrozenxid) 300,000,000 ≥ autovacuum_freeze_max_age 200,000,000 (PostgreSQL's default, assumed"),
            "\(warning.summary)")
        #expect(warning.summary.contains("1,844,483,648 transactions left"), "\(warning.summary)")

        func withSetting(_ age: Int, freezeMaxAge: String) throws -> RuleVerdict {
            try evaluate(rule) { snapshot, _ in
                snapshot.database?.datfrozenxidAge = age
                snapshot.server.settings.removeAll { $0.name == "autovacuum_freeze_max_age" }
                snapshot.server.settings.append(
                    Setting(
                        name: "autovacuum_freeze_max_age", setting: freezeMaxAge, unit: nil, bytes: nil, seconds: nil))
            }
        }
        // 500 million configured: 300 million is autovacuum's ordinary schedule.
        let quiet = try #require(reason(try withSetting(300_000_000, freezeMaxAge: "500000000")))
        #expect(quiet.contains("300,000,000 < autovacuum_freeze_max_age 500,000,000"), "\(quiet)")
        // Halfway from 1 billion to 2^31 − 3 million is 1,572,241,824.
        #expect(try withSetting(1_500_000_000, freezeMaxAge: "1000000000").recommendations.first?.severity == .warning)
        let critical = try #require(try withSetting(1_600_000_000, freezeMaxAge: "1000000000").recommendations.first)
        #expect(critical.severity == .critical)
        let warned = try #require(try withSetting(2_110_000_000, freezeMaxAge: "200000000").recommendations.first)
        #expect(warned.summary.contains("the server is already warning (fewer than 40,000,000"), "\(warned.summary)")
        // PostgreSQL 19 warns from 100 million transactions before wraparound.
        let nineteen = try evaluate(rule) { snapshot, _ in
            snapshot.server.versionNum = 190_000
            snapshot.database?.datfrozenxidAge = 2_050_000_000
        }
        let early = try #require(nineteen.recommendations.first)
        #expect(early.summary.contains("already warning (fewer than 100,000,000"), "\(early.summary)")
        // The gate's line is the config key, untouched by the server's setting.
        let gateContext = try context { snapshot, _ in snapshot.database?.datfrozenxidAge = 300_000_000 }
        #expect(
            GateEvaluator.evaluate(gateContext, failOn: .critical).breaches.contains {
                $0.threshold == .transactionIDAge
            })
    }

    @Test func shardBeyondOneMachineStatesTheStorageCeilingItCompared() throws {
        let rule = TableBeyondMachineRule()
        // The case: 3 TB on a 2 TB disk. Half the assumed 64 TB ceiling is 32 TB.
        let disk = try #require(
            reason(
                try evaluate(rule) { snapshot, config in
                    config.hardware.storageGB = 2_000
                    snapshot.tables?.append(BaseFixture.table("file_views", bytes: 3_072 * Self.gigabyte))
                }))
        #expect(
            disk.contains(
                "public.file_views 3,072 GB < 32,768 GB (half of hardware.max_storage_gb 65,536 GB, assumed)"),
            "\(disk)")
        #expect(disk.contains("past half of today's disk (hardware.storage_gb 2,000 GB)"), "\(disk)")

        // A configured 4 TB ceiling: the same table is past half of it.
        let verdict = try evaluate(rule) { snapshot, config in
            config.hardware.maxStorageGB = 4_000
            snapshot.tables?.append(BaseFixture.table("file_views", bytes: 3_072 * Self.gigabyte))
        }
        let shard = try #require(verdict.recommendations.first)
        #expect(
            shard.summary.contains("3,072 GB ≥ 2,000 GB (half of hardware.max_storage_gb 4,000 GB, configured)"),
            "\(shard.summary)")
    }
}
