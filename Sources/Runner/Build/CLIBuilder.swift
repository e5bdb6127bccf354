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
        let outcome: ChildProcess.Outcome
        do {
            outcome = try await ChildProcess(executable: .name("docker"), arguments: arguments, environment: childEnvironment)
                .run { line in await log.append(line + "\n") }
        } catch let error as SubprocessError {
            throw Problem.dockerCLIMissing(String(describing: error))
        }
        guard outcome.succeeded else { throw BuildStepFailed(reason: "docker build \(outcome.description)") }
    }

    /// What `docker build` gets on top of the job's environment: kind's docker as every child of
    /// kind-ci gets it (`EnvFile.childEnvironment`: TLS settings and contexts meant for another
    /// daemon removed), with BuildKit on.
    var childEnvironment: [String: String?] {
        var kind = EnvFile()
        kind.set("DOCKER_HOST", dockerHost)
        var variables = kind.childEnvironment
        variables["DOCKER_BUILDKIT"] = "1"
        if environment["PATH"] == nil { variables["PATH"] = "/usr/local/bin:/usr/bin:/bin" }
        return variables
    }
}

extension Problem {
    /// `builder: cli` without a docker CLI to run.
    static func dockerCLIMissing(_ reason: String) -> Problem {
        Problem("`builder: cli` needs the docker CLI, which could not be run (\(reason))",
                fix: "add the docker CLI to the job's image, or use `builder: native` (no CLI needed)", status: .badConfiguration)
    }
}
