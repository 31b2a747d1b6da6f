import DBAdviseAnalysis
import DBAdviseModel
import Foundation
import Testing

/// How the sampled wait classes of busy sessions split into CPU and IO demand: a saturated
/// CPU also shows as LWLock waits (a lock holder descheduled), which must count as CPU demand;
/// waiting on the client or on a row lock is no CPU demand.
@Suite struct CapacityWaitClassTests {
    func cpuSessions(waits: [String: Double], active: Double = 0.5) -> Double? {
        var snapshot = minimalSnapshot(activeSessions: active)
        snapshot.activity?.waitEventTypes = waits
        let window = MeasurementWindow(snapshots: [snapshot], policy: MeasurementPolicy())
        var hardware = Hardware()
        hardware.vcpus = 1
        return CapacityModel(snapshot: snapshot, hardware: hardware, window: window, target: 0.7).cpuSessions
    }

    @Test func sessionsWithNoWaitEventAreOnCPU() {
        #expect(cpuSessions(waits: ["CPU": 5]) == 0.5)
    }

    @Test(arguments: ["LWLock", "BufferPin", "IPC"])
    func inMemoryContentionCountsAsCPUDemand(_ waitType: String) {
        #expect(cpuSessions(waits: [waitType: 5]) == 0.5)
        #expect(cpuSessions(waits: [waitType: 1, "IO": 1]) == 0.25)
    }

    @Test(arguments: ["IO", "Client", "Timeout", "Extension"])
    func otherWaitsAreNotCPUDemand(_ waitType: String) {
        #expect(cpuSessions(waits: [waitType: 5]) == 0)
    }

    @Test func lockWaitsAreLeftOutOfTheBusySessions() {
        // 0.5 active, all waiting on a row lock: nothing a bigger machine relieves
        #expect(cpuSessions(waits: ["Lock": 5]) == 0)
    }
}
