import ArgumentParser
import Foundation
import KindCICore
import Runner

@main
struct KindCI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kind-ci",
        abstract: "A throwaway Kubernetes cluster (bsycorp/kind) for any CI pipeline to test against.",
        discussion: """
            Exit codes: 0 passed; 1-63 the tests failed (their own code); 64 usage; 65 an image build \
            failed; 66 deploy or rollout failed; 70 internal error; 73 a file would be overwritten; \
            75 kind never became ready (retryable); 78 bad configuration; 130/143 cancelled.
            """,
        version: KindCIVersion.current,
        subcommands: [InitCommand.self, RunCommand.self, UpCommand.self, DownCommand.self, BakeCommand.self, ConfigCommand.self, RenderCommand.self]
    )

    /// Runs the chosen command and turns what it throws into the exit codes of cli-contract.md:
    /// argument-parser's own outcomes (help, version, usage errors as 64) pass through, errors meant
    /// for the user print their explanation, and anything else is a bug (70).
    static func main() async {
        // Before anything can print: what the job's environment holds that must never show.
        SecretMask.process.learn(environment: ProcessInfo.processInfo.environment)
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as any UserFacingError {
            let problem = error.problem
            let style = TerminalStyle.forDescriptor(STDERR_FILENO, environment: ProcessInfo.processInfo.environment)
            Console.error(problem.render(style: style))
            Foundation.exit(problem.exitCode)
        } catch where !(error is ExitCode) && exitCode(for: error) == .failure {
            Console.error("kind-ci: internal error: \(error)\nThis is a bug in kind-ci \(KindCIVersion.current); please report it with the command you ran.")
            Foundation.exit(ExitStatus.internalError.rawValue)
        } catch {
            exit(withError: error)
        }
    }
}
