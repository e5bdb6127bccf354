import Foundation
import Subprocess
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// A command of kind-ci.yml (`deploy[].run`, later `test.run`) run by `/bin/sh -c` in the
/// configuration's folder, with the job's environment plus kind-ci's (cli-contract.md), its output
/// streamed into the log line by line. Cancelling stops its whole process group: SIGTERM, then
/// SIGKILL after a grace period.
struct ShellCommand: Sendable {
    let command: String
    let directory: String
    /// Added to (or replacing) the job's environment; nil values remove a variable.
    let environment: [String: String?]

    enum Outcome: Equatable, Sendable {
        case exited(Int32)
        case signalled(Int32)

        var succeeded: Bool { self == .exited(0) }

        var description: String {
            switch self {
            case let .exited(code): "exited with \(code)"
            case let .signalled(signal): "was killed by signal \(signal)"
            }
        }
    }

    func run(output: @Sendable (String) async -> Void) async throws -> Outcome {
        var options = PlatformOptions()
        options.createSession = true
        options.teardownSequence = [.gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: .seconds(10))]
        var variables: [Environment.Key: String?] = [:]
        for (name, value) in environment { variables[Environment.Key(stringLiteral: name)] = value }
        let configuration = Configuration(executable: .path("/bin/sh"), arguments: ["-c", command],
                                          environment: .inherit.updating(variables),
                                          workingDirectory: FilePath(directory), platformOptions: options)
        let result = try await Subprocess.run(configuration, input: .none, output: .sequence, error: .combinedWithOutput) { execution in
            for try await line in execution.standardOutput.strings() {
                await output(line.hasSuffix("\n") ? String(line.dropLast()) : line)
            }
        }
        // Stopped because the run was: a cancellation, not the command's own failure.
        try Task.checkCancellation()
        switch result.terminationStatus {
        case let .exited(code): return .exited(code)
        case let .signaled(signal): return .signalled(signal)
        }
    }
}
