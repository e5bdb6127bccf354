import Foundation

/// What the run did, for `.kind-ci/report.xml` (JUnit, so a CI's test view shows infrastructure
/// failures next to the tests' own) and for the closing line: each phase with its time, and inside
/// them the cases (kind ready, each image, each deploy step, each resource, the tests).
actor RunReport {
    struct Case: Sendable {
        /// `kind-ci.build`: the phase the case belongs to.
        let suite: String
        let name: String
        let duration: Duration
        let outcome: Outcome
    }

    enum Outcome: Sendable, Equatable {
        case passed
        case failed(message: String, details: String)
        /// Not reached: an earlier phase failed or the run was stopped.
        case skipped(String)
    }

    private let started = ContinuousClock.now
    private let timestamp = Date()
    private(set) var cases: [Case] = []
    /// Each phase run, in order, with how long it took.
    private var phases: [(name: String, duration: Duration)] = []

    func add(_ suite: String, _ name: String, duration: Duration, _ outcome: Outcome = .passed) {
        cases.append(Case(suite: suite, name: name, duration: duration, outcome: outcome))
    }

    func hasCases(in suite: String) -> Bool {
        cases.contains { $0.suite == suite }
    }

    func phase(_ name: String, took duration: Duration) {
        phases.append((name, duration))
    }

    /// `kind-ci: passed in 41s (kind 12s, build 8.1s, deploy 0.4s, ready 6.2s, tests 14s)`.
    func closingLine(outcome: String) -> String {
        let parts = phases.map { "\($0.name) \(ProgressReporter.format($0.duration))" }.joined(separator: ", ")
        return "kind-ci: \(outcome) in \(ProgressReporter.format(ContinuousClock.now - started))" + (parts.isEmpty ? "" : " (\(parts))")
    }

    /// Writes `report.xml` into `folder`; returns its path.
    @discardableResult
    func write(to folder: URL) throws -> URL {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent("report.xml")
        try Data(junit().utf8).write(to: url, options: .atomic)
        return url
    }

    func junit() -> String {
        let failures = cases.count { if case .failed = $0.outcome { true } else { false } }
        let skipped = cases.count { if case .skipped = $0.outcome { true } else { false } }
        let total = ContinuousClock.now - started
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        var lines = [
            #"<?xml version="1.0" encoding="UTF-8"?>"#,
            "<testsuites name=\"kind-ci\" tests=\"\(cases.count)\" failures=\"\(failures)\" time=\"\(Self.seconds(total))\">",
            "  <testsuite name=\"kind-ci\" tests=\"\(cases.count)\" failures=\"\(failures)\" errors=\"0\" skipped=\"\(skipped)\""
                + " time=\"\(Self.seconds(total))\" timestamp=\"\(formatter.string(from: timestamp))\">",
        ]
        for item in cases {
            let head = "    <testcase classname=\"\(Self.escape(item.suite))\" name=\"\(Self.escape(item.name))\" time=\"\(Self.seconds(item.duration))\""
            switch item.outcome {
            case .passed:
                lines.append(head + "/>")
            case let .failed(message, details):
                lines.append(head + ">")
                lines.append("      <failure message=\"\(Self.escape(message))\">\(Self.escape(details))</failure>")
                lines.append("    </testcase>")
            case let .skipped(reason):
                lines.append(head + ">")
                lines.append("      <skipped message=\"\(Self.escape(reason))\"/>")
                lines.append("    </testcase>")
            }
        }
        lines += ["  </testsuite>", "</testsuites>", ""]
        return lines.joined(separator: "\n")
    }

    static func seconds(_ duration: Duration) -> String {
        String(format: "%.3f", Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
    }

    /// Text as XML character data or an attribute value; characters XML 1.0 cannot hold at all
    /// (most control characters, which test output may contain) become U+FFFD.
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "\t", "\n", "\r": result.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF: result += "\u{FFFD}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
