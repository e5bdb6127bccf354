/// Every failure a user sees, in one shape: what went wrong (the headline), the evidence (details),
/// what to do about it (the fix) and the exit status the command ends with. One renderer, so that
/// every message reads the same way and no caller writes its own `error:` or `fix:`.
///
/// Most problems are one finding. Some are several found at once (every broken line of a file,
/// every image that failed to build), and some end with notes (a file's count of problems, the
/// run's closing line): those are parts after the first.
public struct Problem: UserFacingError, Equatable, Sendable, CustomStringConvertible {
    /// One thing that is wrong.
    public struct Finding: Equatable, Sendable {
        /// What the first line starts with: the command (`kind-ci`, `kind-ci init`), or a file's
        /// `path:line:column`, which editors and CI logs turn into links.
        public var origin: Origin
        public var headline: String
        /// Printed under the headline, each indented by two spaces.
        public var details: [String]
        public var fix: String?

        public init(origin: Origin = .command("kind-ci"), headline: String, details: [String] = [], fix: String? = nil) {
            self.origin = origin
            self.headline = headline
            self.details = details
            self.fix = fix
        }
    }

    public enum Origin: Equatable, Sendable {
        case command(String)
        case location(String)
    }

    public enum Part: Equatable, Sendable {
        case finding(Finding)
        /// A line of its own, not indented (`kind-ci.yml: 2 problems`, the run's closing line).
        case note(String)
    }

    public private(set) var parts: [Part]
    public let exitStatus: ExitStatus
    /// The process's exit code: `exitStatus`'s, except for failed tests, which keep their own code.
    public let exitCode: Int32

    public init(_ headline: String, details: [String] = [], fix: String? = nil, status: ExitStatus,
                origin: Origin = .command("kind-ci"), exitCode: Int32? = nil) {
        self.init(findings: [Finding(origin: origin, headline: headline, details: details, fix: fix)], status: status, exitCode: exitCode)
    }

    public init(findings: [Finding], notes: [String] = [], status: ExitStatus, exitCode: Int32? = nil) {
        parts = findings.map(Part.finding) + notes.map(Part.note)
        exitStatus = status
        self.exitCode = exitCode ?? status.rawValue
    }

    /// Several problems reported together, in order; the first one's status is the command's.
    public static func together(_ problems: [Problem]) -> Problem? {
        guard var first = problems.first else { return nil }
        first.parts = problems.flatMap(\.parts)
        return first
    }

    public var problem: Problem { self }

    public var findings: [Finding] {
        parts.compactMap { if case let .finding(finding) = $0 { finding } else { nil } }
    }

    /// The first finding's headline: a report's one-line message.
    public var headline: String { findings.first?.headline ?? "" }

    /// The headline, for a problem quoted inside another's message.
    public var description: String { headline }

    public func appending(note: String) -> Problem {
        var copy = self
        copy.parts.append(.note(note))
        return copy
    }

    /// The complete text to print, possibly several lines; no trailing newline. A cancellation is
    /// not labelled an error: kind-ci did what it was asked.
    public func render(style: TerminalStyle) -> String {
        let label = exitStatus == .interrupted || exitStatus == .terminated ? "" : style.error("error:") + " "
        return Self.render(parts, label: label, style: style)
    }

    /// Findings that do not stop the command, labelled `warning:`, in the same shape as errors.
    public static func warnings(_ findings: [Finding], style: TerminalStyle) -> String {
        render(findings.map(Part.finding), label: style.warning("warning:") + " ", style: style)
    }

    private static func render(_ parts: [Part], label: String, style: TerminalStyle) -> String {
        var lines: [String] = []
        for part in parts {
            switch part {
            case let .note(text):
                lines.append(text)
            case let .finding(finding):
                let origin = switch finding.origin {
                case let .command(name): name + ":"
                case let .location(place): style.emphasis(place + ":")
                }
                lines.append("\(origin) \(label)\(finding.headline)")
                lines += finding.details.map { "  " + $0 }
                if let fix = finding.fix { lines.append("  \(style.hint("fix:")) \(fix)") }
            }
        }
        return lines.joined(separator: "\n")
    }
}

/// A failure with data of its own that code acts on (the certificate refused, the lines of a file,
/// which phase gathered its own evidence), explained to the user as a `Problem`. Anything thrown
/// that is neither is a bug (exit 70).
public protocol UserFacingError: Error {
    var problem: Problem { get }
}

extension UserFacingError {
    public var exitStatus: ExitStatus { problem.exitStatus }
    public var exitCode: Int32 { problem.exitCode }
    public func render(style: TerminalStyle) -> String { problem.render(style: style) }
}
