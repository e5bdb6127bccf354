import Foundation
import KindCICore
import Subprocess

/// `builder: cli`: runs the docker CLI's `docker build` against kind's docker, with BuildKit on,
/// for Dockerfiles that need BuildKit-only syntax (`RUN --mount`, heredocs, ...).
struct CLIBuilder: Sendable {
    /// `tcp://<kind>:2375`.
    let dockerHost: String
    let environment: [String: String]

    func build(_ entry: BuildEntry, directory: URL, log: BuildLog) async throws {
        var arguments = ["build", "--tag", entry.image.description,
                         "--file", directory.appendingPathComponent(entry.dockerfilePath).path]
        for argument in entry.args { arguments += ["--build-arg", "\(argument.name)=\(argument.value)"] }
        for label in entry.labels { arguments += ["--label", "\(label.name)=\(label.value)"] }
        if let target = entry.target { arguments += ["--target", target] }
        // BuildKit fetches what it needs of a cache image from its registry itself.
        for image in entry.cacheFrom { arguments += ["--cache-from", image.description] }
        arguments.append(directory.appendingPathComponent(entry.context).path)
        // kind's docker is plain TCP: TLS settings and contexts meant for another daemon must not apply.
        var variables: [Environment.Key: String?] = ["DOCKER_HOST": dockerHost, "DOCKER_BUILDKIT": "1",
                                                      "DOCKER_TLS_VERIFY": nil, "DOCKER_CERT_PATH": nil, "DOCKER_CONTEXT": nil]
        if environment["PATH"] == nil { variables["PATH"] = "/usr/local/bin:/usr/bin:/bin" }
        var options = PlatformOptions()
        options.createSession = true
        options.teardownSequence = [.gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: .seconds(5))]
        let configuration = Configuration(executable: .name("docker"), arguments: Arguments(arguments),
                                          environment: .inherit.updating(variables), platformOptions: options)
        let result: ExecutionResult<Void, SequenceOutput, CombinedErrorOutput>
        do {
            result = try await run(configuration, input: .none, output: .sequence, error: .combinedWithOutput) { execution in
                for try await line in execution.standardOutput.strings() {
                    await log.append(line + "\n")
                }
            }
        } catch let error as SubprocessError {
            throw Problem.dockerCLIMissing(String(describing: error))
        }
        switch result.terminationStatus {
        case .exited(0): return
        case let .exited(code): throw BuildStepFailed(reason: "docker build exited with \(code)")
        case let .signaled(signal): throw BuildStepFailed(reason: "docker build was killed by signal \(signal)")
        }
    }
}

extension Problem {
    /// `builder: cli` without a docker CLI to run.
    static func dockerCLIMissing(_ reason: String) -> Problem {
        Problem("`builder: cli` needs the docker CLI, which could not be run (\(reason))",
                fix: "add the docker CLI to the job's image, or use `builder: native` (no CLI needed)", status: .badConfiguration)
    }
}
