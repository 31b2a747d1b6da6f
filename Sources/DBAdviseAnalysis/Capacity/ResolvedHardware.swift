import DBAdviseModel
import Foundation

/// The hardware a report judged against, each figure with where it came from: the config,
/// the configured instance class, what the collecting host saw of itself (when it is the
/// server), or the assumed ceiling of today's large cloud machines.
public struct ResolvedHardware: Codable, Sendable, Equatable {
    public enum Source: String, Codable, Sendable {
        case configured
        /// From `hardware.instance` (``InstanceCatalog``).
        case instance
        /// Read on the server's own machine at collection (``HostInfo``).
        case inferred
        /// Nothing said it: the ladder's starting ceiling is assumed.
        case assumed
    }

    /// The ceiling assumed when neither the config nor an instance class gives one: the
    /// 128 vCPU / 1 TB machines every large cloud rents today (AWS db.r6i.32xlarge, db.r7i.32xlarge).
    public static let assumedMaxVCPUs = 128
    public static let assumedMaxMemoryGB = 1_024.0
    /// RDS's largest volume, 64 TiB.
    public static let assumedMaxStorageGB = 65_536.0

    public var instance: String?
    public var vcpus: Int?
    public var vcpusSource: Source?
    public var memoryGB: Double?
    public var memorySource: Source?
    public var storageGB: Double?
    public var maxVCPUs: Int
    public var maxVCPUsSource: Source
    public var maxMemoryGB: Double
    public var maxMemorySource: Source
    public var maxStorageGB: Double
    public var maxStorageSource: Source
    public var maxIOPS: Double?
    /// How an inferred or instance figure was known (`local socket /tmp`, the catalog's source).
    public var basis: [String]

    private enum CodingKeys: String, CodingKey {
        case instance
        case vcpus
        case vcpusSource = "vcpus_source"
        case memoryGB = "memory_gb"
        case memorySource = "memory_source"
        case storageGB = "storage_gb"
        case maxVCPUs = "max_vcpus"
        case maxVCPUsSource = "max_vcpus_source"
        case maxMemoryGB = "max_memory_gb"
        case maxMemorySource = "max_memory_source"
        case maxStorageGB = "max_storage_gb"
        case maxStorageSource = "max_storage_source"
        case maxIOPS = "max_iops"
        case basis
    }

    public init(configured: Hardware, host: HostInfo?) {
        let catalog = configured.instance.flatMap(InstanceCatalog.lookup)
        instance = configured.instance
        basis = []
        func pick<Value>(_ values: [(Value?, Source)]) -> (Value?, Source?) {
            for (value, source) in values { if let value { return (value, source) } }
            return (nil, nil)
        }
        (vcpus, vcpusSource) = pick([
            (configured.vcpus, .configured), (catalog?.vcpus, .instance), (host?.vcpus, .inferred),
        ])
        (memoryGB, memorySource) = pick([
            (configured.memoryGB, .configured), (catalog?.memoryGB, .instance),
            (host.map { Double($0.memoryBytes) / ThresholdUnit.bytesPerGigabyte }, .inferred),
        ])
        storageGB = configured.storageGB
        let maxV = pick([(configured.maxVCPUs, .configured), (catalog?.maxVCPUs, .instance)])
        maxVCPUs = max(maxV.0 ?? Self.assumedMaxVCPUs, vcpus ?? 0)
        maxVCPUsSource = maxV.1 ?? .assumed
        let maxM = pick([(configured.maxMemoryGB, .configured), (catalog?.maxMemoryGB, .instance)])
        maxMemoryGB = max(maxM.0 ?? Self.assumedMaxMemoryGB, memoryGB ?? 0)
        maxMemorySource = maxM.1 ?? .assumed
        maxStorageGB = max(configured.maxStorageGB ?? Self.assumedMaxStorageGB, storageGB ?? 0)
        maxStorageSource = configured.maxStorageGB == nil ? .assumed : .configured
        maxIOPS = configured.maxIOPS
        if let catalog { basis.append("\(configured.instance ?? ""): \(catalog.source)") }
        if let host, vcpusSource == .inferred || memorySource == .inferred {
            basis.append("the collecting host is the server's (\(host.reason))")
        }
    }

    /// The figures as ``Hardware`` for the rules: what is known, ceilings always set.
    public var hardware: Hardware {
        Hardware(
            instance: instance, vcpus: vcpus, memoryGB: memoryGB, storageGB: storageGB, maxVCPUs: maxVCPUs,
            maxMemoryGB: maxMemoryGB, maxStorageGB: maxStorageGB, maxIOPS: maxIOPS)
    }

    /// One line for reports: `2 vCPUs (inferred), 23.4 GB memory (inferred); ceiling 128 vCPUs
    /// (assumed), 1,024 GB (assumed)`.
    public var summary: String {
        func tag(_ source: Source?) -> String { source.map { " (\($0.rawValue))" } ?? "" }
        let cpus = vcpus.map { "\($0) vCPUs\(tag(vcpusSource))" } ?? "vCPUs unknown"
        let memory = memoryGB.map { "\(Formatting.number($0)) GB memory\(tag(memorySource))" } ?? "memory unknown"
        var line = "\(cpus), \(memory)"
        if let storageGB { line += ", \(Formatting.number(storageGB)) GB storage (configured)" }
        line +=
            "; ceiling \(maxVCPUs) vCPUs\(tag(maxVCPUsSource)), \(Formatting.number(maxMemoryGB)) GB memory"
            + "\(tag(maxMemorySource)), \(Formatting.number(maxStorageGB)) GB storage\(tag(maxStorageSource))"
        if let maxIOPS { line += ", \(Formatting.number(maxIOPS)) IOPS" }
        if !basis.isEmpty { line += " — " + basis.joined(separator: "; ") }
        return line
    }
}
