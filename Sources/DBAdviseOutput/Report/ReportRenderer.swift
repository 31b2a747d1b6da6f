import DBAdviseAnalysis
import DBAdviseModel
import Foundation

/// The formats `analyze --format` offers.
public enum ReportFormat: String, Sendable, CaseIterable {
    case text, json, markdown
}

/// Picks the renderer for a format. Renderers are pure: they return text, the caller prints.
public enum ReportRenderer {
    /// `useColor` only affects text; the CLI decides it (a terminal and no `NO_COLOR`).
    public static func render(_ report: Report, as format: ReportFormat, useColor: Bool = false)
        -> String
    {
        let report = DisplayText.escapedStrings(in: report)
        return switch format {
        case .text: TextReportRenderer.render(report, useColor: useColor)
        case .json: JSONReportRenderer.render(report)
        case .markdown: MarkdownReportRenderer.render(report)
        }
    }
}

/// snake_case, sorted keys, pretty, ending with a newline.
public enum JSONReportRenderer {
    public static func render(_ report: Report) -> String {
        // Encoding cannot fail: every Double in a report is finite (Evidence drops others),
        // and ReportCoding writes a non-finite one as null.
        guard let data = try? ReportCoding.encode(report),
            let text = String(data: data, encoding: .utf8)
        else {
            return "{\"error\": \"the report could not be encoded\"}\n"
        }
        return text + "\n"
    }
}
