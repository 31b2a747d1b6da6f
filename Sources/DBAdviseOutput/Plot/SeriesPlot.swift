import DBAdviseAnalysis
import DBAdviseModel
import Foundation

/// `analyze --plot FILE.svg`: the database's and largest table's size, and the write rate,
/// over a snapshot series, with the configured thresholds as lines and the fitted trend
/// carried forward as a dashed forecast. Every line is labelled where it ends, so the chart
/// reads without a legend.
///
/// The forecast runs on for as long as the history (so the history keeps most of the width);
/// when a threshold would be crossed later than that, the label at the end of the dashed line
/// says in how many days.
public enum SeriesPlot {
    /// The first line of every plot: lets `--plot` replace its own earlier output, and
    /// nothing else.
    public static let marker = "<!-- dbadvise plot -->"

    static let width = 1100.0
    static let left = 90.0
    static let right = 300.0
    static let colors = (
        database: "#1f77b4", table: "#d95f02", writes: "#2b8a3e", warning: "#e6a700", critical: "#c92a2a"
    )

    /// Nil when the series has fewer than two snapshots.
    public static func render(snapshots: [Snapshot], config: Config) -> String? {
        let ordered = snapshots.sorted { $0.interval.finishedAt < $1.interval.finishedAt }
        guard let latest = ordered.last else { return nil }
        let largestName = RelationSizes(snapshot: latest).largestTable?.name
        let largestPoints: [SizeSample] = ordered.compactMap { snapshot in
            guard let name = largestName else { return nil }
            let sizes = RelationSizes(snapshot: snapshot)
            return (sizes.unpartitionedTables + sizes.partitionedTables).first { $0.name == name }
                .map { SizeSample(at: snapshot.interval.finishedAt, bytes: Double($0.bytes)) }
        }
        return render(
            latest: latest, history: SeriesHistory(snapshots: ordered), largestTablePoints: largestPoints,
            config: config)
    }

    /// The plot of a series given as its latest snapshot and its history;
    /// `largestTablePoints` are the sizes of the latest snapshot's largest table over the
    /// series. Nil when the series has fewer than two snapshots.
    public static func render(
        latest: Snapshot, history: SeriesHistory, largestTablePoints largestPoints: [SizeSample], config: Config
    ) -> String? {
        guard let trends = SeriesTrends(history: history, latest: latest), let first = history.points.first
        else { return nil }
        let origin = first.finishedAt
        let spanDays = trends.spanDays
        let endDays = spanDays * 2
        let largestName = RelationSizes(snapshot: latest).largestTable?.name
        let sizeSeries: [PlotSeries] = [
            PlotSeries(
                label: trends.sizes.databaseName, color: colors.database, points: trends.databaseBytesPoints,
                key: .databaseSizeGB),
            PlotSeries(
                label: largestName ?? "largest table", color: colors.table, points: largestPoints, key: .tableSizeGB),
        ].filter { $0.points.count >= 2 }
        let writeSeries = [
            PlotSeries(
                label: "writes", color: colors.writes, points: trends.writesPerSecondPoints, key: .writesPerSecond)
        ].filter { $0.points.count >= 2 }

        var svg: [String] = [marker]
        let top = 100.0
        let panelHeight = 260.0
        let gap = 90.0
        let height = top + panelHeight * 2 + gap + 70
        svg.append(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
                + "viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"13\">"
        )
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>")
        let title =
            "\(trends.sizes.databaseName): \(trends.snapshots) snapshots over \(duration(spanDays)); "
            + "dashed: least-squares trend carried forward"
        svg.append(text(title, x: left, y: 28, size: 17, weight: "bold"))
        svg.append(
            text(
                "\(SnapshotCoding.formatTimestamp(origin)) → \(SnapshotCoding.formatTimestamp(latest.interval.finishedAt))",
                x: left, y: 48, color: "#555"))

        let sizePanel = Panel(
            title: "Size", origin: origin, top: top, height: panelHeight, endDays: endDays, series: sizeSeries,
            config: config,
            binary: true, format: { Formatting.bytes($0) })
        svg += sizePanel.render(spanDays: spanDays)
        let writePanel = Panel(
            title: "Rows written per second", origin: origin, top: top + panelHeight + gap, height: panelHeight,
            endDays: endDays,
            series: writeSeries, config: config, binary: false, format: { Formatting.rate($0) + "/s" },
            markers: trends.resets.map { ($0.before, "statistics \($0.cause == "restart" ? "restart" : "reset")") })
        svg += writePanel.render(spanDays: spanDays)
        svg += timeAxis(origin: origin, endDays: endDays, spanDays: spanDays, y: top + panelHeight + gap + panelHeight)
        svg.append("</svg>")
        return svg.joined(separator: "\n") + "\n"
    }

    struct PlotSeries {
        let label: String
        let color: String
        let points: [SizeSample]
        let key: ThresholdKey
    }

    /// One chart: series, their trends, and the key's threshold lines.
    struct Panel {
        let title: String
        let origin: Date
        let top: Double
        let height: Double
        let endDays: Double
        let series: [PlotSeries]
        let config: Config
        /// Sizes: ticks at round numbers of kB, MB or GB (1024-based).
        let binary: Bool
        let format: (Double) -> String
        /// Vertical marks with a label: statistics resets between snapshots.
        var markers: [(Date, String)] = []

        func render(spanDays: Double) -> [String] {
            var out: [String] = []
            let plotWidth = SeriesPlot.width - left - right
            out.append(SeriesPlot.text(title, x: left, y: top - 12, size: 15, weight: "bold"))
            out.append(
                "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotWidth))\" height=\"\(f(height))\" "
                    + "fill=\"none\" stroke=\"#999\"/>")
            guard !series.isEmpty else {
                out.append(
                    SeriesPlot.text(
                        "not measured in two or more snapshots", x: left + 20, y: top + height / 2, color: "#777"))
                return out
            }
            func x(_ date: Date) -> Double { x(days: date.timeIntervalSince(origin) / GrowthTrend.secondsPerDay) }
            func x(days: Double) -> Double { left + plotWidth * days / endDays }

            // The y range: the data and its trend to the end, and the nearest threshold above.
            var forecasts: [(PlotSeries, GrowthTrend?, endValue: Double?)] = []
            var maximum = 0.0
            for item in series {
                let trend = GrowthTrend(samples: item.points)
                let endValue = trend.map { trend in
                    let offset = trend.origin.timeIntervalSince(origin) / GrowthTrend.secondsPerDay
                    return trend.interceptBytes + trend.slopeBytesPerDay * (endDays - offset)
                }
                maximum = max(maximum, item.points.map(\.bytes).max() ?? 0, endValue ?? 0)
                forecasts.append((item, trend, endValue))
            }
            let keys = Array(Set(series.map(\.key))).sorted { $0.rawValue < $1.rawValue }
            var lines: [(label: String, value: Double, color: String)] = []
            for key in keys {
                let levels = config.levels(key)
                lines.append(("\(key.rawValue) warning", levels.measuredWarning, colors.warning))
                lines.append(("\(key.rawValue) critical", levels.measuredCritical, colors.critical))
            }
            if let nearest = lines.map(\.value).filter({ $0 > maximum }).min(), nearest <= maximum * 3 {
                maximum = nearest
            }
            // Four gridlines a round step apart.
            let step = max(maximum * 1.1, 1) / 4
            let yMax = 4 * (binary ? niceBinaryCeiling(step) : niceCeiling(step))
            func y(_ value: Double) -> Double { top + height - height * min(max(value, 0), yMax) / yMax }

            for tick in 0...4 {
                let value = yMax * Double(tick) / 4
                out.append(
                    "<line x1=\"\(f(left))\" x2=\"\(f(left + plotWidth))\" y1=\"\(f(y(value)))\" y2=\"\(f(y(value)))\" "
                        + "stroke=\"#eee\"/>")
                out.append(SeriesPlot.text(format(value), x: left - 8, y: y(value) + 4, anchor: "end", color: "#555"))
            }
            let now = x(days: spanDays)
            out.append(
                "<line x1=\"\(f(now))\" x2=\"\(f(now))\" y1=\"\(f(top))\" y2=\"\(f(top + height))\" stroke=\"#bbb\" "
                    + "stroke-dasharray=\"2 3\"/>")
            out.append(SeriesPlot.text("latest snapshot", x: now + 4, y: top + 14, color: "#777", size: 11))
            for (date, label) in markers {
                out.append(
                    "<line x1=\"\(f(x(date)))\" x2=\"\(f(x(date)))\" y1=\"\(f(top))\" y2=\"\(f(top + height))\" "
                        + "stroke=\"#888\" stroke-dasharray=\"1 4\"/>")
                out.append(SeriesPlot.text(label, x: x(date) + 4, y: top + 28, color: "#666", size: 11))
            }
            var hidden: [String] = []
            for line in lines {
                guard line.value <= yMax else {
                    let key = line.label.split(separator: " ").first.map(String.init) ?? line.label
                    if let index = hidden.firstIndex(where: { $0.hasPrefix(key + " ") }) {
                        hidden[index] += " / \(format(line.value))"
                    } else {
                        hidden.append("\(key) \(format(line.value))")
                    }
                    continue
                }
                out.append(
                    "<line x1=\"\(f(left))\" x2=\"\(f(left + plotWidth))\" y1=\"\(f(y(line.value)))\" "
                        + "y2=\"\(f(y(line.value)))\" stroke=\"\(line.color)\" stroke-width=\"1.5\" stroke-dasharray=\"8 4\"/>"
                )
                out.append(
                    SeriesPlot.text(
                        "\(line.label) \(format(line.value))", x: left + 6, y: y(line.value) - 5, color: line.color,
                        size: 12))
            }
            if !hidden.isEmpty {
                out.append(
                    SeriesPlot.text(
                        "off the chart (warning / critical): " + hidden.joined(separator: " · "), x: left + plotWidth,
                        y: top - 12,
                        anchor: "end", color: "#777", size: 11))
            }
            var labelYs: [Double] = []
            for (item, trend, endValue) in forecasts {
                let path = item.points.map { "\(f(x($0.at))),\(f(y($0.bytes)))" }.joined(separator: " ")
                out.append(
                    "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(item.color)\" stroke-width=\"2.5\"/>")
                for point in item.points {
                    out.append(
                        "<circle cx=\"\(f(x(point.at)))\" cy=\"\(f(y(point.bytes)))\" r=\"3\" fill=\"\(item.color)\"/>")
                }
                var labelY = y(item.points.last?.bytes ?? 0)
                let labelText = "\(item.label) \(format(item.points.last?.bytes ?? 0))"
                var forecastText = ""
                if let trend, let endValue, let last = item.points.last {
                    let startX = x(last.at)
                    let startY = y(trend.fittedLatestBytes)
                    out.append(
                        "<line x1=\"\(f(startX))\" y1=\"\(f(startY))\" x2=\"\(f(x(days: endDays)))\" y2=\"\(f(y(endValue)))\" "
                            + "stroke=\"\(item.color)\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>")
                    labelY = y(endValue)
                    let levels = config.levels(item.key)
                    let next = [(Severity.warning, levels.measuredWarning), (.critical, levels.measuredCritical)]
                        .first { $0.1 > last.bytes }
                    // Days to a level only over a series long enough to forecast from, as the report.
                    if Forecasts.seriesTooShort(trend, policy: config.measurement) != nil {
                        forecastText = "series too short to forecast"
                    } else if let (level, value) = next,
                        let days = trend.daysUntil(level: value, direction: .higherIsWorse)
                    {
                        forecastText = "\(item.key.rawValue) \(level.rawValue) in ~\(SeriesPlot.duration(days))"
                        if days <= endDays - spanDays {
                            let crossing = x(days: spanDays + days)
                            out.append(
                                "<circle cx=\"\(f(crossing))\" cy=\"\(f(y(value)))\" r=\"5\" fill=\"none\" "
                                    + "stroke=\"\(item.color)\" stroke-width=\"2\"/>")
                        }
                    } else if trend.slopeBytesPerDay <= 0 {
                        forecastText = "not growing"
                    }
                }
                labelY = min(max(labelY + 4, top + 10), top + height - 14)
                while labelYs.contains(where: { abs($0 - labelY) < 32 }) { labelY += 32 }
                labelYs.append(labelY)
                out.append(
                    SeriesPlot.text(
                        labelText, x: left + plotWidth + 8, y: labelY, color: item.color, size: 12, weight: "bold"))
                if !forecastText.isEmpty {
                    out.append(
                        SeriesPlot.text(
                            forecastText, x: left + plotWidth + 8, y: labelY + 15, color: item.color, size: 11))
                }
            }
            return out
        }
    }

    static func timeAxis(origin: Date, endDays: Double, spanDays: Double, y: Double) -> [String] {
        let plotWidth = width - left - right
        var out: [String] = []
        let showTime = endDays < 3
        for tick in 0...4 {
            let days = endDays * Double(tick) / 4
            let date = origin.addingTimeInterval(days * GrowthTrend.secondsPerDay)
            let x = left + plotWidth * Double(tick) / 4
            let label =
                showTime
                ? date.formatted(
                    Date.VerbatimFormatStyle(
                        format:
                            "\(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased)):\(minute: .twoDigits):\(second: .twoDigits)",
                        timeZone: .gmt, calendar: Calendar(identifier: .gregorian)))
                : date.formatted(
                    Date.VerbatimFormatStyle(
                        format: "\(year: .defaultDigits)-\(month: .twoDigits)-\(day: .twoDigits)",
                        timeZone: .gmt, calendar: Calendar(identifier: .gregorian)))
            out.append(text(label, x: x, y: y + 20, anchor: "middle", color: "#555"))
        }
        out.append(
            text(
                "time (UTC\(showTime ? ", hh:mm:ss" : "")); right of the dotted line: forecast", x: left, y: y + 42,
                color: "#555", size: 12))
        return out
    }

    static func duration(_ days: Double) -> String { Formatting.days(days) }

    /// 1, 2 or 5 times a power of 1024's kB, MB or GB at or above the value.
    static func niceBinaryCeiling(_ value: Double) -> Double {
        var unit = 1.0
        while value / unit >= 1024, unit < ThresholdUnit.bytesPerGigabyte { unit *= 1024 }
        return niceCeiling(value / unit) * unit
    }

    /// 1, 2 or 5 times a power of ten at or above the value.
    static func niceCeiling(_ value: Double) -> Double {
        let power = pow(10, floor(log10(value)))
        for step in [1.0, 2, 2.5, 5, 10] where step * power >= value { return step * power }
        return 10 * power
    }

    static func text(
        _ content: String, x: Double, y: Double, anchor: String = "start", color: String = "#222", size: Double = 13,
        weight: String = "normal"
    ) -> String {
        "<text x=\"\(f(x))\" y=\"\(f(y))\" text-anchor=\"\(anchor)\" fill=\"\(color)\" font-size=\"\(f(size))\" "
            + "font-weight=\"\(weight)\">\(escape(content))</text>"
    }

    /// XML text: markup characters as entities, control characters (not allowed in XML 1.0,
    /// and unsafe when the file is printed) shown escaped.
    static func escape(_ text: String) -> String {
        DisplayText.escaped(text)
            .replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func f(_ value: Double) -> String { String(format: "%.1f", value) }
}
