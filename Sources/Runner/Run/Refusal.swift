import KindCICore

/// Something about the job's setup kind-ci will not work with (exit 78): what, and the fix. For a
/// kubeconfig that cannot be written where asked, shard variables that make no sense, ...
struct Refusal: UserFacingError {
    let message: String
    let fix: String

    var exitStatus: ExitStatus { .badConfiguration }

    func render(style: TerminalStyle) -> String {
        "kind-ci: \(style.error("error:")) \(message)\n  \(style.hint("fix:")) \(fix)"
    }
}
