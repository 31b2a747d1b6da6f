import DBAdviseAnalysis
import DBAdviseModel
import Foundation

/// `check --format junit`: JUnit XML as GitLab, Jenkins and GitHub test reporters read it.
///
/// One `<testsuite name="dbadvise check">` with one test case per threshold key
/// (`dbadvise.thresholds`) and one per registered rule (`dbadvise.rules`). A threshold's test
/// case fails when it has a breach at or above `fail_on` (new or worse, with a baseline); the
/// failure message names the metric, its value and the limit. Breaches below `fail_on` or
/// accepted by the baseline, and rule findings (which never gate), go to `<system-out>`.
/// Growth keys are `<skipped>` for a single snapshot or a series too short for a trend, and
/// any key whose value the rules and the gate judged no measurement, with the reason.
enum JUnitCheckRenderer {
    static let suiteName = "dbadvise check"
    static let thresholdClass = "dbadvise.thresholds"
    static let ruleClass = "dbadvise.rules"

    struct TestCase {
        var className: String
        var name: String
        var failure: (message: String, type: String, body: String)?
        var skipped: String?
        var output: [String]
    }

    static func render(_ outcome: CheckOutcome, ruleIDs: [String]) -> String {
        var cases: [TestCase] = []
        for key in ThresholdKey.allCases {
            var testCase = TestCase(
                className: thresholdClass, name: key.rawValue, failure: nil, skipped: nil,
                output: [])
            let breaches = outcome.breaches.filter { $0.breach.threshold == key }
            let failing = breaches.filter(\.fails)
            if let worst = failing.first {
                let more = failing.count > 1 ? " (and \(failing.count - 1) more)" : ""
                testCase.failure = (
                    message: CheckRenderer.breachLine(worst.breach) + more,
                    type: worst.breach.severity.rawValue,
                    body: failing.map { line($0) }.joined(separator: "\n")
                )
            }
            testCase.output = breaches.filter { !$0.fails }.map { checked in
                let accepted =
                    checked.status == .unchanged
                    && outcome.report.gate.failOn.fails(on: checked.breach.severity)
                return line(checked) + (accepted ? " [baselined]" : "")
            }
            if key.needsSeries, outcome.report.growth == nil {
                testCase.skipped = "needs two or more snapshots of the same database"
            } else if key.needsSeries, let reason = outcome.report.growth?.tooShortReason {
                testCase.skipped = reason
            } else if let note = outcome.report.notes.first(where: {
                $0.metric == MetricKey(threshold: key) && $0.reason.hasPrefix("shown, not judged")
            }) {
                // The gate read the rules' judgment: a value that measures nothing was not judged.
                testCase.skipped = note.reason
            }
            cases.append(testCase)
        }
        var ruleCases = ruleIDs
        for recommendation in outcome.report.recommendations
        where !ruleCases.contains(recommendation.rule) {
            ruleCases.append(recommendation.rule)
        }
        for ruleID in ruleCases {
            let findings = outcome.recommendations.filter { $0.recommendation.rule == ruleID }
            cases.append(
                TestCase(
                    className: ruleClass, name: ruleID, failure: nil, skipped: nil,
                    output: findings.map { checked in
                        let recommendation = checked.recommendation
                        return "\(recommendation.severity.rawValue.uppercased()) "
                            + "\(recommendation.target): \(recommendation.title)"
                            + CheckOutcome.mark(checked.status)
                    }))
        }

        let failures = cases.filter { $0.failure != nil }.count
        let skipped = cases.filter { $0.skipped != nil && $0.failure == nil }.count
        let counts =
            "tests=\"\(cases.count)\" failures=\"\(failures)\" errors=\"0\" skipped=\"\(skipped)\""
        var xml = ["<?xml version=\"1.0\" encoding=\"UTF-8\"?>"]
        xml.append("<testsuites name=\"dbadvise\" \(counts)>")
        xml.append(
            "  <testsuite name=\"\(suiteName)\" \(counts) "
                + "timestamp=\"\(timestamp(outcome.report.generatedAt))\">")
        xml.append("    <properties>")
        for (name, value) in properties(outcome) {
            xml.append("      <property name=\"\(escape(name))\" value=\"\(escape(value))\"/>")
        }
        xml.append("    </properties>")
        for testCase in cases {
            let open =
                "    <testcase classname=\"\(testCase.className)\" name=\"\(escape(testCase.name))\""
            if testCase.failure == nil, testCase.skipped == nil, testCase.output.isEmpty {
                xml.append(open + "/>")
                continue
            }
            xml.append(open + ">")
            if let failure = testCase.failure {
                xml.append(
                    "      <failure message=\"\(escape(failure.message))\" "
                        + "type=\"\(escape(failure.type))\">"
                        + "\(escape(failure.body, inAttribute: false))</failure>")
            } else if let skipped = testCase.skipped {
                xml.append("      <skipped message=\"\(escape(skipped))\"/>")
            }
            if !testCase.output.isEmpty {
                xml.append(
                    "      <system-out>"
                        + escape(testCase.output.joined(separator: "\n"), inAttribute: false)
                        + "</system-out>")
            }
            xml.append("    </testcase>")
        }
        xml.append("  </testsuite>")
        xml.append("</testsuites>")
        return xml.joined(separator: "\n") + "\n"
    }

    private static func line(_ checked: CheckOutcome.CheckedBreach) -> String {
        CheckRenderer.breachLine(checked.breach) + CheckOutcome.mark(checked.status, was: checked.was)
    }

    private static func properties(_ outcome: CheckOutcome) -> [(String, String)] {
        var properties = [
            ("database", outcome.databaseName),
            ("fail_on", outcome.report.gate.failOn.rawValue),
            ("passed", outcome.report.gate.passed ? "true" : "false"),
            ("snapshots", String(outcome.report.source.snapshots)),
            ("config", outcome.report.config.origin.description),
        ]
        properties += outcome.report.config.warnings.map { ("config_warning", $0) }
        properties += outcome.report.suppressed.map { ("suppressed", ConfigText.suppressedLine($0)) }
        if let baseline = outcome.baselineLine { properties.append(("baseline", baseline)) }
        return properties
    }

    /// JUnit's XSD wants a local date-time without a zone; the report's time is UTC.
    private static func timestamp(_ date: Date) -> String {
        String(SnapshotCoding.formatTimestamp(date).prefix(19))
    }

    /// Escapes markup and drops characters XML 1.0 cannot hold at all. In attribute values,
    /// line breaks become character references: a parser would turn raw ones into spaces.
    static func escape(_ text: String, inAttribute: Bool = true) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\n", "\r", "\t":
                if inAttribute {
                    out += "&#\(scalar.value);"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            default:
                let value = scalar.value
                let allowed =
                    value >= 0x20 && !(0xD800...0xDFFF).contains(value) && value != 0xFFFE
                    && value != 0xFFFF
                if allowed { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }
}
