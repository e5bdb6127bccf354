import KindCICore

extension Problem {
    /// A reason `init` cannot write what was asked, worded as the fix.
    static func initRefuses(_ message: String, fix: String, exitStatus: ExitStatus) -> Problem {
        Problem(message, fix: fix, status: exitStatus, origin: .command("kind-ci init"))
    }
}
