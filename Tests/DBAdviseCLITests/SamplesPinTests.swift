import DBAdviseTestSupport
import Foundation
import Testing

/// samples/ is what this binary renders: scripts/render-samples.sh (the offline half of
/// `make samples`) renders every report, check output, plot and rule list again from the
/// committed snapshots into a temporary directory, and each file must equal its sample byte
/// for byte. No server: the reports' time comes from the snapshots (SOURCE_DATE_EPOCH, set by
/// the script), and their paths are named from the repository root.
@Suite("samples pinned")
struct SamplesPinTests {
    static let root = Shell.packageRoot
    static let samples = root.appendingPathComponent("samples", isDirectory: true)

    /// What samples/ holds besides rendered output: what `make samples` collects from a live
    /// server (the renderer's inputs, and the fleet report `collect` prints), and the files
    /// written by hand. Any other file must come out of the renderer.
    static let collectedOrWritten = [
        "snapshots/", "history/", "fleet/", "reports/fleet-collect.txt", "ci/", "dbadvise.yml", "README.md",
    ]
    static let fix =
        "run make samples (or, to render again from the committed snapshots without a server, "
        + "scripts/render-samples.sh .build/debug/dbadvise)"

    @Test func renderedSamplesMatchTheBinary() throws {
        let fresh = try Shell.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: fresh) }
        let script = Self.root.appendingPathComponent("scripts/render-samples.sh").path
        let result = try Shell.run("/bin/bash", [script, Shell.dbadviseBinary, fresh.path])
        try #require(result.status == 0, "scripts/render-samples.sh failed: \(result.stderr); \(Self.fix)")

        let rendered = try Self.files(under: fresh)
        #expect(rendered.count > 30, "the renderer wrote only \(rendered)")
        for name in rendered {
            let sample = Self.samples.appendingPathComponent(name)
            guard let committed = FileManager.default.contents(atPath: sample.path) else {
                Issue.record("samples/\(name) is missing: \(Self.fix)")
                continue
            }
            let fresh = try Data(contentsOf: fresh.appendingPathComponent(name))
            if committed != fresh {
                let difference = TextDifference(
                    expected: String(decoding: committed, as: UTF8.self), actual: String(decoding: fresh, as: UTF8.self)
                )
                let message =
                    "samples/\(name) is stale at line \(difference?.line ?? 1): samples has "
                    + "\(difference?.expected ?? "other bytes"), the binary renders "
                    + "\(difference?.actual ?? "other bytes"); \(Self.fix)"
                Issue.record(Comment(rawValue: message))
            }
        }
        let unexplained = try Self.files(under: Self.samples).filter { name in
            !rendered.contains(name)
                && !Self.collectedOrWritten.contains { name == $0 || ($0.hasSuffix("/") && name.hasPrefix($0)) }
        }
        #expect(
            unexplained.isEmpty,
            """
            samples/ holds files that scripts/render-samples.sh does not write and that are not collected live: \
            \(unexplained); render them there, or list them in SamplesPinTests.collectedOrWritten
            """)
    }

    /// Regular files under `directory`, as paths relative to it, sorted.
    static func files(under directory: URL) throws -> [String] {
        let base = directory.standardizedFileURL.resolvingSymlinksInPath().path + "/"
        guard let walker = FileManager.default.enumerator(atPath: base) else { return [] }
        var files: [String] = []
        while let name = walker.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: base + name, isDirectory: &isDirectory), !isDirectory.boolValue {
                files.append(name)
            }
        }
        return files.sorted()
    }
}
