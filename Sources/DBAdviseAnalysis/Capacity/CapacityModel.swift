import DBAdviseModel
import Foundation

/// Demand against capacity, per resource: the saturation evidence every scaling step needs.
///
/// - **CPU**: sessions on CPU (active with no wait event, sampled from pg_stat_activity) —
///   or, over a sampled interval with pg_stat_statements, statement time per second, which
///   catches sub-millisecond statements that sampling misses — per vCPU, against the
///   `active_sessions_per_vcpu` warning level as the utilization a machine should stay under.
///   Sessions waiting on `Lock` are contention, not CPU demand: more cores do not release a
///   row lock.
/// - **IO**: sessions waiting on `IO` per vCPU, and blocks read per second against
///   `hardware.max_iops` when it is known.
/// - **Memory**: the working set (tables and indexes scanned or written in the window)
///   against the machine's memory; saturated only when it does not fit *and* sessions wait
///   on IO.
/// - **Connections**: client connections against `max_connections`.
/// - **WAL**: bytes per second, shown as demand (storage throughput is rarely known).
public struct CapacityModel: Codable, Sendable, Equatable {
    public struct Resource: Codable, Sendable, Equatable {
        /// `cpu`, `io`, `memory`, `connections`, `wal`.
        public var resource: String
        public var demand: Double?
        public var capacity: Double?
        /// demand / capacity, when both are known.
        public var utilization: Double?
        public var unit: EvidenceUnit
        public var saturated: Bool
        /// How demand and capacity were measured.
        public var basis: String
    }

    /// Sessions busy with anything but waiting for locks: the work a bigger machine speeds up.
    public var busySessions: Double?
    public var cpuSessions: Double?
    public var ioSessions: Double?
    /// Average sessions waiting on heavyweight locks (`Lock`): contention.
    public var lockSessions: Double?
    /// pg_stat_statements' execution time per second of the interval (busy sessions as work).
    public var statementSecondsPerSecond: Double?
    /// The per-vCPU utilization a machine should stay under (active_sessions_per_vcpu warning).
    public var targetPerVCPU: Double
    public var resources: [Resource]

    private enum CodingKeys: String, CodingKey {
        case busySessions = "busy_sessions"
        case cpuSessions = "cpu_sessions"
        case ioSessions = "io_sessions"
        case lockSessions = "lock_sessions"
        case statementSecondsPerSecond = "statement_seconds_per_second"
        case targetPerVCPU = "target_per_vcpu"
        case resources
    }

    /// Wait classes of a busy session that more or faster cores relieve: none (on CPU),
    /// `LWLock` and `BufferPin` (in-memory contention: a holder that is busy or descheduled,
    /// which is how a saturated CPU shows in the samples), and `IPC` (a leader waiting for
    /// its parallel workers' CPU work). `IO` is IO demand, `Lock` is contention between
    /// sessions, and `Client`, `Timeout`, `Extension` and `Activity` are no demand on the server.
    public static let cpuSideWaitTypes: Set<String> = ["CPU", "LWLock", "BufferPin", "IPC"]

    public init(snapshot: Snapshot, hardware: Hardware, window: MeasurementWindow, target: Double) {
        targetPerVCPU = target
        let activity = snapshot.activity
        let waits = activity?.waitEventTypes ?? [:]
        let lock = waits["Lock"] ?? 0
        lockSessions = activity == nil ? nil : lock
        if snapshot.interval.mode == .delta, snapshot.statements.available,
            let total = snapshot.statements.totalExecTimeMs, let seconds = window.seconds, seconds > 0
        {
            statementSecondsPerSecond = total / 1_000 / seconds
        }
        let sampled = activity.map { max(0, $0.avgActiveSessions - lock) }
        let statementWork = statementSecondsPerSecond.map { max(0, $0 - lock) }
        let busy = [sampled, statementWork].compactMap { $0 }.max()
        busySessions = busy
        // How the non-lock busy time splits between CPU and IO, from the samples; all CPU when
        // the samples caught nothing but statements ran (sub-millisecond cached work is CPU).
        let nonLock = waits.filter { $0.key != "Lock" }.values.reduce(0, +)
        let cpuSide = waits.filter { Self.cpuSideWaitTypes.contains($0.key) }.values.reduce(0, +)
        let cpuShare = nonLock > 0 ? cpuSide / nonLock : 1
        let ioShare = nonLock > 0 ? (waits["IO"] ?? 0) / nonLock : 0
        // Busy is the larger of the sampled sessions and statement time per second (one-second
        // samples miss statements shorter than a millisecond), apportioned by the samples.
        cpuSessions = busy.map { $0 * cpuShare }
        ioSessions = busy.map { $0 * ioShare }

        var resources: [Resource] = []
        let vcpus = hardware.vcpus.map(Double.init)
        let basis = window.description
        let statementsNote = statementSecondsPerSecond == nil ? "" : " and statement time per second"
        resources.append(
            Self.resource(
                "cpu", demand: cpuSessions, capacity: vcpus.map { $0 * target }, unit: .sessions,
                basis: "sessions on CPU (pg_stat_activity samples\(statementsNote), \(basis)) against "
                    + "vCPUs × \(Formatting.rate(target)) (active_sessions_per_vcpu warning)"))
        var ioDemand = ioSessions
        var ioCapacity = vcpus.map { $0 * target }
        var ioBasis = "sessions waiting on IO against vCPUs × \(Formatting.rate(target))"
        if let iops = hardware.maxIOPS, let reads = snapshot.rates.blksReadPerSecond {
            ioDemand = reads
            ioCapacity = iops * 0.8
            ioBasis = "blocks read per second against 80% of hardware.max_iops"
        }
        resources.append(
            Self.resource(
                "io", demand: ioDemand, capacity: ioCapacity, unit: ioBasis.hasPrefix("blocks") ? .iops : .sessions,
                basis: ioBasis))
        let workingSet = Self.workingSetBytes(snapshot)
        let memoryBytes = hardware.memoryBytes
        let waitsOnIO = (ioSessions ?? 0) > 0 && ioShare >= 0.2
        let fits = workingSet.flatMap { set in memoryBytes.map { set <= $0 } }
        resources.append(
            Resource(
                resource: "memory", demand: workingSet, capacity: memoryBytes,
                utilization: workingSet.flatMap { set in memoryBytes.map { set / $0 } }, unit: .bytes,
                saturated: fits == false && waitsOnIO && window.coldCacheReason == nil,
                basis: "working set (tables and indexes read or written in the window) against memory; "
                    + "saturated only when it does not fit and sessions wait on IO"))
        if let activity, let limit = activity.maxConnections, limit > 0 {
            resources.append(
                Self.resource(
                    "connections", demand: Double(activity.connections), capacity: Double(limit), unit: .connections,
                    basis: "client connections against max_connections", saturatedAt: 0.9))
        }
        if let wal = snapshot.rates.walBytesPerSecond {
            resources.append(
                Resource(
                    resource: "wal", demand: wal, capacity: nil, utilization: nil, unit: .bytesPerSecond,
                    saturated: false, basis: "WAL bytes per second (\(basis)); storage throughput is not known"))
        }
        self.resources = resources
    }

    static func resource(
        _ name: String, demand: Double?, capacity: Double?, unit: EvidenceUnit, basis: String, saturatedAt: Double = 1
    ) -> Resource {
        let utilization = demand.flatMap { demand in capacity.flatMap { $0 > 0 ? demand / $0 : nil } }
        return Resource(
            resource: name, demand: demand, capacity: capacity, utilization: utilization, unit: unit,
            saturated: (utilization ?? 0) >= saturatedAt, basis: basis)
    }

    public func resource(_ name: String) -> Resource? { resources.first { $0.resource == name } }

    /// Resources at or past their capacity.
    public var saturated: [Resource] { resources.filter(\.saturated) }

    /// vCPUs that carry the CPU demand at the target utilization, rounded up to a machine
    /// size clouds rent (2, 4, 8, 16, 32, 48, 64, 96, 128, 192); nil when demand is unknown.
    public func vcpusNeeded() -> Int? {
        guard let cpu = cpuSessions, targetPerVCPU > 0 else { return nil }
        let exact = cpu / targetPerVCPU
        return Self.machineSizes.first { Double($0) >= exact } ?? Int(saturating: exact.rounded(.up))
    }

    public static let machineSizes = [2, 4, 8, 16, 32, 48, 64, 96, 128, 192]

    /// Bytes of the tables (with their indexes and TOAST) that were read or written in the
    /// window; nil when no table counters were collected.
    static func workingSetBytes(_ snapshot: Snapshot) -> Double? {
        guard let tables = snapshot.tables, !tables.isEmpty else { return nil }
        let delta = snapshot.interval.mode == .delta
        return tables.reduce(0.0) { total, table in
            guard table.relkind != "p" else { return total }
            let touched =
                delta
                ? (table.readsPerSecond ?? 0) + (table.writesPerSecond ?? 0) > 0
                : (table.seqScan ?? 0) + (table.idxScan ?? 0) + (table.nTupIns ?? 0) + (table.nTupUpd ?? 0) > 0
            return touched ? total + Double(table.totalBytes ?? 0) : total
        }
    }
}
