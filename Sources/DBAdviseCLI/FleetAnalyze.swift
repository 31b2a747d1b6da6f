import ArgumentParser
import DBAdviseAnalysis
import DBAdviseModel
import DBAdviseOutput
import Foundation

/// A fleet directory, as `collect --all-databases|--dsn-file --output DIR/` writes it: no
/// snapshot of its own, one subdirectory per database holding that database's series.
enum FleetInput {
    /// The per-database subdirectories (in name order) when `arguments` is one fleet
    /// directory; nil for anything else, which the ordinary snapshot reader handles.
    static func subdirectories(_ arguments: [String]) -> [URL]? {
        guard arguments.count == 1, let argument = arguments.first else { return nil }
        let fileManager = FileManager.default
        var isDirectory: ObjCBool = false
        guard fileManager.fileExists(atPath: argument, isDirectory: &isDirectory), isDirectory.boolValue,
            let names = try? fileManager.contentsOfDirectory(atPath: argument)
        else { return nil }
        let directory = URL(fileURLWithPath: argument, isDirectory: true)
        let visible = names.filter { !$0.hasPrefix(".") }.sorted()
        if visible.contains(where: { isSnapshotFile(directory.appendingPathComponent($0)) }) { return nil }
        let subdirectories = visible.map { directory.appendingPathComponent($0, isDirectory: true) }
            .filter { !snapshotFiles(in: $0).isEmpty }
        return subdirectories.isEmpty ? nil : subdirectories
    }

    /// The `*.json` files directly in `directory`, in name order (a database's files are
    /// named `dbname-YYYYMMDDTHHMMSSZ.json`: the last is the latest).
    static func snapshotFiles(in directory: URL) -> [URL] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else {
            return []
        }
        return names.filter { !$0.hasPrefix(".") }.sorted()
            .map { directory.appendingPathComponent($0) }
            .filter(isSnapshotFile)
    }

    private static func isSnapshotFile(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return url.pathExtension.lowercased() == "json"
            && FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory)
            && !isDirectory.boolValue
    }

    /// Where the latest snapshot of a series was collected from (host and port are not in
    /// the report); nil when it cannot be read, which the full read then reports.
    static func connection(ofLatestIn directory: URL) -> ConnectionInfo? {
        struct Header: Decodable { var connection: ConnectionInfo }
        guard let latest = snapshotFiles(in: directory).last,
            let data = try? Data(contentsOf: latest)
        else { return nil }
        return try? SnapshotCoding.decoder().decode(Header.self, from: data).connection
    }

    /// Each database's report, built exactly as `analyze --input DIR/<key>/` builds it.
    static func report(
        _ subdirectories: [URL], config: Config, failOn: FailOn?
    ) throws(CommandError) -> FleetReport {
        var entries: [FleetReport.Entry] = []
        for subdirectory in subdirectories {
            let report: Report
            do {
                report = try ReportBuilder.report(
                    series: try SnapshotInput.read([subdirectory.path]), source: .snapshot, config: config,
                    failOn: failOn)
            } catch {
                throw CommandError(error.status, "\(subdirectory.lastPathComponent): \(error.message)", fix: error.fix)
            }
            let connection =
                connection(ofLatestIn: subdirectory)
                ?? ConnectionInfo(host: nil, port: nil, database: report.source.database, user: nil)
            entries.append(
                FleetReport.Entry(key: subdirectory.lastPathComponent, connection: connection, report: report))
        }
        return FleetReport(
            entries: entries, unreachable: [], failOn: failOn ?? config.failOn, generatedAt: try ReportClock.now())
    }
}

extension AnalyzeCommand {
    /// `analyze --input FLEET_DIR/`: the fleet report, ranked by urgency; with `--fail-on`,
    /// exit 1 when any database's gate fails.
    func runFleet(_ subdirectories: [URL], config: Config) throws(CommandError) {
        let report = try FleetInput.report(subdirectories, config: config, failOn: failOn.failOn)
        let useColor = format.format == .text && Terminal.colorEnabled
        try Terminal.writeOutput(
            FleetReportRenderer.render(
                report, as: format.format, useColor: useColor, directory: source.input.first))
        if let gate = failOn.failOn, !report.gate.passed {
            let count = report.gate.failed.count
            throw CommandError(
                .gateFailed,
                "the gate failed for \(count) of \(report.databases.count) databases "
                    + "(\(report.gate.failed.joined(separator: ", "))) at or above \(gate.rawValue) "
                    + "(--fail-on \(gate.rawValue))")
        }
    }
}
