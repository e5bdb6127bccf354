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

    /// A phase on the run's timeline, from the run's start: builds, pre-pulls and the cluster's boot
    /// overlap, so each has its own span, and `after` names the phases it had to wait for.
    struct Phase: Sendable, Equatable {
        let name: String
        let start: Duration
        let end: Duration
        let after: [String]

        var duration: Duration { end - start }
    }

    private let started: ContinuousClock.Instant
    private let timestamp = Date()
    private(set) var cases: [Case] = []
    private(set) var phases: [Phase] = []

    /// `started`: when the run began, the origin of every phase's span.
    init(started: ContinuousClock.Instant = .now) {
        self.started = started
    }

    func add(_ suite: String, _ name: String, duration: Duration, _ outcome: Outcome = .passed) {
        cases.append(Case(suite: suite, name: name, duration: duration, outcome: outcome))
    }

    func hasCases(in suite: String) -> Bool {
        cases.contains { $0.suite == suite }
    }

    /// Records a phase that ran from `start` to `end`, having waited for the phases `after` names.
    /// Phases are kept in the order they started (those that started together in the order they
    /// ended), as a timeline reads, whenever each was recorded.
    func phase(_ name: String, from start: ContinuousClock.Instant, to end: ContinuousClock.Instant = .now, after: [String] = []) {
        let phase = Phase(name: name, start: max(start - started, .zero), end: max(end - started, .zero), after: after)
        phases.insert(phase, at: phases.firstIndex { ($0.start, $0.end) > (phase.start, phase.end) } ?? phases.endIndex)
    }

    /// The phases that decided when the run ended, first to last: from the phase that ended last,
    /// back through whichever of the phases it waited for ended last (a phase it waited for that
    /// was still going when it ended, such as a pre-pull nobody needed, did not hold it up).
    var criticalPath: [String] {
        guard var current = phases.max(by: { $0.end < $1.end }) else { return [] }
        var path = [current.name]
        while let previous = phases.filter({ current.after.contains($0.name) && $0.end <= current.end && !path.contains($0.name) })
            .max(by: { $0.end < $1.end }) {
            path.insert(previous.name, at: 0)
            current = previous
        }
        return path
    }

    /// `kind-ci: passed in 16s (kind 0.1s, build 10s, pre-pull 3.4s, kubernetes 12s, deploy 0.4s,
    /// ready 1.2s, tests 3.1s; critical path: kind → kubernetes → deploy → ready → tests)`.
    func closingLine(outcome: String) -> String {
        let parts = phases.map { "\($0.name) \(ProgressReporter.format($0.duration))" }.joined(separator: ", ")
        let path = criticalPath.count > 1 ? "; critical path: \(criticalPath.joined(separator: " → "))" : ""
        return "kind-ci: \(outcome) in \(ProgressReporter.format(ContinuousClock.now - started))" + (parts.isEmpty ? "" : " (\(parts)\(path))")
    }

    /// Writes `report.xml` into `folder`; returns its path.
    @discardableResult
    func write(to folder: URL) throws -> URL {
        let url = folder.appendingPathComponent("report.xml")
        try ArtifactFile.write(junit(), to: url, privately: false)
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
        if !phases.isEmpty {
            // Each phase's span (seconds from the start) and the critical path, for tools that chart runs.
            let critical = criticalPath
            lines.append("    <properties>")
            for phase in phases {
                let value = "\(Self.seconds(phase.start))-\(Self.seconds(phase.end))" + (critical.contains(phase.name) ? " critical" : "")
                lines.append("      <property name=\"kind-ci.phase.\(Self.escape(phase.name))\" value=\"\(value)\"/>")
            }
            lines.append("      <property name=\"kind-ci.critical-path\" value=\"\(Self.escape(critical.joined(separator: ",")))\"/>")
            lines.append("    </properties>")
        }
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
