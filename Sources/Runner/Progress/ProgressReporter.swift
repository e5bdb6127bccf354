import Foundation
import KindCICore

/// Writes what kind-ci is doing to the log (standard error): phases with their durations, each
/// state change once, and, while nothing changes, a heartbeat (Codeship ends builds that print
/// nothing for 15 minutes) or, on a terminal, a live line with the elapsed time.
public actor ProgressReporter {
    private let style: LogStyle
    private let quiet: Bool
    private let write: @Sendable (String) -> Void
    private let clock = ContinuousClock()
    private var phase: (id: String, title: String, started: ContinuousClock.Instant)?
    private var state = ""
    private var lastOutput: ContinuousClock.Instant
    private var liveLineShown = false
    /// The longest a CI log stays silent while kind-ci waits.
    private let heartbeatInterval: Duration

    public init(style: LogStyle, quiet: Bool = false, heartbeatInterval: Duration = .seconds(25),
                write: @escaping @Sendable (String) -> Void = { text in FileHandle.standardError.write(Data(text.utf8)) }) {
        self.style = style
        self.quiet = quiet
        self.heartbeatInterval = heartbeatInterval
        self.write = write
        lastOutput = clock.now
    }

    private var terminalStyle: TerminalStyle {
        if case let .terminal(colour) = style { return TerminalStyle(colour: colour) }
        return .plain
    }

    /// Starts a phase: a GitLab section, a GitHub group, or a heading line.
    public func begin(_ id: String, _ title: String) {
        phase = (id, title, clock.now)
        state = ""
        switch style {
        case .gitLab:
            emit("\u{1B}[0Ksection_start:\(Self.unixTime()):\(id)\r\u{1B}[0K\(title)\n")
        case .gitHub:
            emit("::group::\(title)\n")
        case .terminal, .plain:
            emit("\(terminalStyle.emphasis("==> \(title)"))\n")
        }
    }

    /// A new state inside the phase; repeated states are not printed again.
    public func update(_ text: String) {
        guard text != state else { return }
        state = text
        if case .terminal = style {
            drawLiveLine()
        } else {
            emit("    [\(elapsedText)] \(text)\n")
        }
    }

    /// A line about what kind-ci decided or did (found kind at ..., wrote ...).
    public func note(_ text: String) {
        clearLiveLine()
        emit("    \(text)\n")
    }

    /// Findings that do not stop the run (the image wiring's, say), shown even with `--quiet`:
    /// they are problems, just not fatal ones.
    public func warn(_ findings: [Problem.Finding]) {
        guard !findings.isEmpty else { return }
        clearLiveLine()
        emit(Problem.warnings(findings, style: terminalStyle) + "\n", force: true)
    }

    /// A line shown as it is: a child's output (a build's, a `run:` step's, the tests') and the
    /// results and closing lines.
    public func output(_ line: String) {
        clearLiveLine()
        emit(line + "\n")
    }

    /// Ends the phase with its outcome and duration.
    public func end(success: Bool, _ summary: String) {
        guard let phase else { return }
        clearLiveLine()
        let mark = success ? terminalStyle.success("✓") : terminalStyle.error("✗")
        emit("\(mark) \(phase.title): \(summary) (\(Self.format(clock.now - phase.started)))\n", force: !success)
        switch style {
        case .gitLab: emit("\u{1B}[0Ksection_end:\(Self.unixTime()):\(phase.id)\r\u{1B}[0K")
        case .gitHub: emit("::endgroup::\n")
        case .terminal, .plain: break
        }
        self.phase = nil
    }

    /// Called about once a second: redraws the live line, or prints a heartbeat when the log has
    /// been silent too long.
    public func tick() {
        guard phase != nil else { return }
        if case .terminal = style {
            drawLiveLine()
        } else if clock.now - lastOutput >= heartbeatInterval {
            emit("    [\(elapsedText)] still \(state.isEmpty ? "working" : state)\n")
        }
    }

    /// Runs `tick` every second (or every heartbeat, if that is shorter) until cancelled.
    public func heartbeat() async {
        let period = min(.seconds(1), heartbeatInterval)
        while !Task.isCancelled {
            try? await Task.sleep(for: period)
            tick()
        }
    }

    private var elapsedText: String { phase.map { Self.format(clock.now - $0.started) } ?? "" }

    private func drawLiveLine() {
        guard !quiet, let phase else { return }
        write(SecretMask.process.mask("\r\u{1B}[2K    \(state) \(terminalStyle.hint("(\(Self.format(clock.now - phase.started)))"))"))
        liveLineShown = true
    }

    private func clearLiveLine() {
        if liveLineShown {
            write("\r\u{1B}[2K")
            liveLineShown = false
        }
    }

    private func emit(_ text: String, force: Bool = false) {
        guard !quiet || force else { return }
        write(SecretMask.process.mask(text))
        lastOutput = clock.now
    }

    static func unixTime() -> Int { Int(Date().timeIntervalSince1970) }

    /// `850ms`, `4.2s`, `1m05s`.
    static func format(_ duration: Duration) -> String {
        let milliseconds = Int(duration.nanoseconds / 1_000_000)
        if milliseconds < 1000 { return "\(milliseconds)ms" }
        if milliseconds < 60_000 { return String(format: "%.1fs", Double(milliseconds) / 1000) }
        return String(format: "%dm%02ds", milliseconds / 60_000, milliseconds / 1000 % 60)
    }
}
