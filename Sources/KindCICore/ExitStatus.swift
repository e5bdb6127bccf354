/// The exit codes of cli-contract.md, shared by every command so that pipelines can branch on them
/// (generated pipelines retry on `kindNotReady` alone).
public enum ExitStatus: Int32, Sendable, CaseIterable {
    case success = 0
    /// The tests ran and failed with code 1; other test codes come from `testsFailed(code:)`.
    case testsFailed = 1
    case usage = 64
    case imageBuildFailed = 65
    case deployFailed = 66
    case internalError = 70
    /// A file would be overwritten (`init` without `--force`), or an output path cannot be created
    /// or written (`--artifacts`, `--kubeconfig`, a build log).
    case cannotCreate = 73
    case kindNotReady = 75
    case badConfiguration = 78
    case interrupted = 130
    case terminated = 143

    /// The code kind-ci exits with when the test command exited with `code`.
    ///
    /// Codes 1–63 pass through; anything else becomes 1 so that a test suite can never be mistaken
    /// for one of kind-ci's own codes (64 and up), which pipelines treat differently.
    public static func testCommandExit(_ code: Int32) -> Int32 {
        (1...63).contains(code) ? code : ExitStatus.testsFailed.rawValue
    }
}
