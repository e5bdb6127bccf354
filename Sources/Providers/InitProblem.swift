import KindCICore

/// A reason `init` cannot write what was asked, worded as the fix.
public struct InitProblem: UserFacingError, Equatable {
    public let message: String
    public let fix: String
    public let exitStatus: ExitStatus

    public init(_ message: String, fix: String, exitStatus: ExitStatus) {
        self.message = message
        self.fix = fix
        self.exitStatus = exitStatus
    }

    public func render(style: TerminalStyle) -> String {
        "kind-ci init: \(style.error("error:")) \(message)\n  \(style.hint("fix:")) \(fix)"
    }
}
