import DBAdviseCore
import Foundation

/// Where `analyze --plot` writes its SVG. Checked before any collection; written atomically;
/// an existing file is replaced only when it is an earlier dbadvise plot (or empty).
struct PlotOutput {
    let url: URL

    init(argument: String) throws(CommandError) {
        let fileManager = FileManager.default
        var isDirectory: ObjCBool = false
        let exists = fileManager.fileExists(atPath: argument, isDirectory: &isDirectory)
        guard !argument.hasSuffix("/"), !(exists && isDirectory.boolValue) else {
            throw .usage("--plot \(argument) is a directory", fix: "name the SVG file to write, e.g. --plot growth.svg")
        }
        url = URL(fileURLWithPath: argument)
        let parent = url.deletingLastPathComponent()
        var parentIsDirectory: ObjCBool = false
        guard fileManager.fileExists(atPath: parent.path, isDirectory: &parentIsDirectory),
            parentIsDirectory.boolValue, fileManager.isWritableFile(atPath: parent.path)
        else {
            throw .usage(
                "cannot write --plot \(argument): \(parent.path) is not a writable directory",
                fix: "create the directory first, or choose another --plot path")
        }
        if exists, let data = try? Data(contentsOf: url), !data.isEmpty,
            !String(decoding: data.prefix(256), as: UTF8.self).hasPrefix(SeriesPlot.marker)
        {
            throw .usage(
                "refusing to overwrite \(argument): it is not a plot written by dbadvise",
                fix: "choose another --plot path, or move the file away first")
        }
    }

    func write(_ svg: String) throws(CommandError) {
        do {
            try Data(svg.utf8).write(to: url, options: [.atomic])
        } catch {
            throw .usage(
                "cannot write \(url.path): \(SnapshotOutput.reason(error))", fix: "choose a writable --plot path")
        }
    }
}
