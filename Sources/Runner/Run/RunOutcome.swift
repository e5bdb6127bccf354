import KindCICore

/// How a run ended, for the command to print: the environment written for the job (printed on
/// standard output after `--until`), the closing line with each phase's time, and the failure.
public struct RunOutcome: Sendable {
    /// `.kind-ci/env`'s text, when the run got as far as writing it.
    public let env: String?
    public let closingLine: String
    public let failure: (any Error)?

    /// The failure explained, closing line last, when it is one the user can act on; nil for a
    /// success, a cancellation or a bug.
    public var problem: Problem? {
        (failure as? any UserFacingError).map { $0.problem.appending(note: closingLine) }
    }
}
