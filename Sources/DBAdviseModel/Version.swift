/// The one place dbadvise's version is set. `--version` prints it, snapshots and reports carry
/// it as `tool`, `make dist` names its tarball and package after it, and a test checks that
/// CHANGELOG.md's newest release is this one.
public enum DBAdviseVersion {
    public static let current = "0.3.0"
}

extension ToolInfo {
    /// This build of dbadvise, as snapshots and reports record it.
    public static var current: ToolInfo { ToolInfo(version: DBAdviseVersion.current) }
}
