import Foundation
import Subprocess
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// The one way kind-ci starts a program (a `deploy[].run` step, `test.run`, `docker build` for
/// `builder: cli`): in a session of its own, so that stopping it reaches whatever it started; with
/// the job's environment and `environment` on top (a nil value removes a variable); its standard
/// output and error as one stream, handed over line by line. Cancelling the calling task stops its
/// whole process group: SIGTERM, then SIGKILL after `gracePeriod`.
struct ChildProcess: Sendable {
    /// 10 s: time for a test runner stopped at a deadline or by a signal to write its reports.
    /// SignalTests.aSecondSignalExitsAtOnce counts on a test command that ignores SIGTERM holding
    /// the stop up this long; `docker build` had 5 s, which nothing relied on.
    static let gracePeriod = Duration.seconds(10)

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

    let executable: Executable
    let arguments: [String]
    var environment: [String: String?] = [:]
    /// Nil: kind-ci's own working folder.
    var directory: String?

    /// Runs it to its end; throws `SubprocessError` when it cannot be started.
    func run(output: @Sendable (String) async -> Void) async throws -> Outcome {
        var options = PlatformOptions()
        options.createSession = true
        options.teardownSequence = [.gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: Self.gracePeriod)]
        var variables: [Environment.Key: String?] = [:]
        for (name, value) in environment { variables[Environment.Key(stringLiteral: name)] = value }
        let configuration = Configuration(executable: executable, arguments: Arguments(arguments),
                                          environment: .inherit.updating(variables),
                                          workingDirectory: directory.map { FilePath($0) }, platformOptions: options)
        let result = try await Subprocess.run(configuration, input: .none, output: .sequence, error: .combinedWithOutput) { execution in
            // Lines come without their line break.
            for try await line in execution.standardOutput.strings() {
                await output(line)
            }
        }
        switch result.terminationStatus {
        case let .exited(code): return .exited(code)
        case let .signaled(signal): return .signalled(signal)
        }
    }
}
