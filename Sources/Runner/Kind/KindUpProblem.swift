import KindCICore

/// `up` could not start kind: a taken port, an image that cannot be had, a daemon that refuses
/// privileged containers, a name that belongs to someone else.
public struct KindUpProblem: UserFacingError {
    let message: String
    let fix: String
    public let exitStatus: ExitStatus

    public func render(style: TerminalStyle) -> String {
        "kind-ci: \(style.error("error:")) \(message)\n  \(style.hint("fix:")) \(fix)"
    }
}
