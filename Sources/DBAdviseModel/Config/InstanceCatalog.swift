import Foundation

/// Managed PostgreSQL instance classes: `hardware.instance` gives vCPUs and memory, and the
/// family's largest class gives the vertical ceiling.
///
/// Sources (read 2026-12-01; providers add sizes, so a configured `max_vcpus` or
/// `max_memory_gb` always wins):
/// - AWS RDS / Aurora DB instance classes:
///   https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.DBInstanceClass.Summary.html
///   (`large` = 2 vCPUs, `xlarge` = 4, `Nxlarge` = 4·N; memory per vCPU by family).
/// - Google Cloud SQL custom machine types `db-custom-<vCPUs>-<memory MB>`, up to 96 vCPUs
///   and 624 GB: https://cloud.google.com/sql/docs/postgres/instance-settings
/// - Azure Database for PostgreSQL flexible server, `Standard_D<N>ds_v5` (4 GB per vCPU) and
///   `Standard_E<N>ds_v5` (8 GB per vCPU, 672 GB at 96): up to 96 vCPUs:
///   https://learn.microsoft.com/azure/postgresql/flexible-server/concepts-compute
public enum InstanceCatalog {
    public struct Instance: Sendable, Equatable {
        public var vcpus: Int
        public var memoryGB: Double
        /// The family's largest class.
        public var maxVCPUs: Int
        public var maxMemoryGB: Double
        /// Where the figures come from.
        public var source: String
    }

    /// AWS families: memory per vCPU and the largest size's multiple of `xlarge`.
    static let awsFamilies: [String: (memoryPerVCPU: Double, largestXlarge: Int)] = [
        "m5": (4, 24), "m6g": (4, 16), "m6i": (4, 32), "m7g": (4, 16), "m7i": (4, 48), "m8g": (4, 48),
        "r5": (8, 24), "r6g": (8, 16), "r6i": (8, 32), "r7g": (8, 16), "r7i": (8, 48), "r8g": (8, 48),
        "x2g": (16, 16), "x2iedn": (32, 32),
    ]
    static let awsSource = "AWS RDS DB instance classes (2026-12-01)"
    static let gcpSource = "Google Cloud SQL custom machine types (2026-12-01)"
    static let azureSource = "Azure Database for PostgreSQL flexible server compute (2026-12-01)"

    /// The class named `provider:name`, or nil when unknown.
    public static func lookup(_ name: String) -> Instance? {
        let parts = name.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return nil }
        switch parts[0].lowercased() {
        case "aws": return aws(parts[1].lowercased())
        case "gcp": return gcp(parts[1].lowercased())
        case "azure": return azure(parts[1])
        default: return nil
        }
    }

    /// `db.r6g.4xlarge`.
    static func aws(_ name: String) -> Instance? {
        let parts = name.split(separator: ".").map(String.init)
        guard parts.count == 3, parts[0] == "db", let family = awsFamilies[parts[1]] else { return nil }
        let vcpus: Int
        if parts[2] == "large" {
            vcpus = 2
        } else if parts[2] == "xlarge" {
            vcpus = 4
        } else if parts[2].hasSuffix("xlarge"), let multiple = Int(parts[2].dropLast("xlarge".count)),
            (2...family.largestXlarge).contains(multiple)
        {
            vcpus = 4 * multiple
        } else {
            return nil
        }
        let maxVCPUs = 4 * family.largestXlarge
        return Instance(
            vcpus: vcpus, memoryGB: Double(vcpus) * family.memoryPerVCPU, maxVCPUs: maxVCPUs,
            maxMemoryGB: Double(maxVCPUs) * family.memoryPerVCPU, source: awsSource)
    }

    /// `db-custom-16-65536`.
    static func gcp(_ name: String) -> Instance? {
        let parts = name.split(separator: "-").map(String.init)
        guard parts.count == 4, parts[0] == "db", parts[1] == "custom", let vcpus = Int(parts[2]),
            let megabytes = Double(parts[3]), (1...96).contains(vcpus), megabytes > 0
        else { return nil }
        return Instance(
            vcpus: vcpus, memoryGB: megabytes / 1024, maxVCPUs: 96, maxMemoryGB: 624, source: gcpSource)
    }

    /// `Standard_E16ds_v5`, `Standard_D8ds_v5`.
    static func azure(_ name: String) -> Instance? {
        let lowered = name.lowercased()
        guard lowered.hasPrefix("standard_"), lowered.hasSuffix("ds_v5") else { return nil }
        let core = lowered.dropFirst("standard_".count).dropLast("ds_v5".count)
        guard let series = core.first, let vcpus = Int(core.dropFirst()), (2...96).contains(vcpus) else { return nil }
        switch series {
        case "e":
            return Instance(
                vcpus: vcpus, memoryGB: vcpus == 96 ? 672 : Double(vcpus) * 8, maxVCPUs: 96, maxMemoryGB: 672,
                source: azureSource)
        case "d":
            return Instance(
                vcpus: vcpus, memoryGB: Double(vcpus) * 4, maxVCPUs: 96, maxMemoryGB: 384, source: azureSource)
        default:
            return nil
        }
    }
}
