import DBAdviseAnalysis
import DBAdviseModel
import DBAdviseOutput
import Foundation

/// Where `analyze --plot` writes its SVG. Checked before any collection; written through
/// ``OutputFile``; an existing file is replaced only when it is an earlier dbadvise plot (or
/// empty).
struct PlotOutput {
    let file: OutputFile

    init(argument: String) throws(CommandError) {
        guard !argument.hasSuffix("/") else {
            throw .usage("--plot \(argument) is a directory", fix: "name the SVG file to write, e.g. --plot growth.svg")
        }
        file = try OutputFile(argument, flag: "--plot", what: "a plot written by dbadvise") { data in
            String(decoding: data.prefix(256), as: UTF8.self).hasPrefix(SeriesPlot.marker)
        }
    }

    func write(_ svg: String) throws(CommandError) {
        try file.write(Data(svg.utf8))
    }
}
