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
    /// A file would be overwritten (`init` without `--force`) or cannot be written.
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

/// An error meant for the person reading the log: it carries its full explanation and the exit
/// status the command ends with. Anything thrown that is not one of these is a bug (exit 70).
public protocol UserFacingError: Error {
    var exitStatus: ExitStatus { get }
    /// The process's exit code: `exitStatus`'s, except for failed tests, which keep their own code.
    var exitCode: Int32 { get }
    /// The complete text to print, possibly several lines; no trailing newline.
    func render(style: TerminalStyle) -> String
}

extension UserFacingError {
    public var exitCode: Int32 { exitStatus.rawValue }
}
