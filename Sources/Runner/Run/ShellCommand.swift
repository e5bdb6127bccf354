/// A command of kind-ci.yml (`deploy[].run`, `test.run`) run by `/bin/sh -c` in the
/// configuration's folder, with the job's environment plus kind-ci's (cli-contract.md), its output
/// streamed into the log line by line. Cancelling stops its whole process group (`ChildProcess`).
struct ShellCommand: Sendable {
    let command: String
    let directory: String
    /// Added to (or replacing) the job's environment; nil values remove a variable.
    let environment: [String: String?]

    typealias Outcome = ChildProcess.Outcome

    func run(output: @Sendable (String) async -> Void) async throws -> Outcome {
        let outcome = try await ChildProcess(executable: .path("/bin/sh"), arguments: ["-c", command],
                                             environment: environment, directory: directory).run(output: output)
        // Stopped because the run was: a cancellation, not the command's own failure.
        try Task.checkCancellation()
        return outcome
    }
}
