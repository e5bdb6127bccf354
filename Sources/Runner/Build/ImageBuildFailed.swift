import KindCICore

/// One or more images failed to build: for each, the step that failed, its last lines and where the
/// whole log is. Exit 65.
public struct ImageBuildFailed: UserFacingError {
    struct Failure: Error, Sendable {
        let image: String
        let reason: String
        let step: String?
        let tail: [String]
        let log: String
    }

    let failures: [Failure]

    public var exitStatus: ExitStatus { .imageBuildFailed }

    public func render(style: TerminalStyle) -> String {
        var lines: [String] = []
        for failure in failures {
            lines.append("kind-ci: \(style.error("error:")) building \(failure.image) failed\(failure.step.map { " at \($0)" } ?? ""): \(failure.reason)")
            lines += failure.tail.suffix(8).map { "  | \($0)" }
            lines.append("  full log: \(failure.log)")
        }
        return lines.joined(separator: "\n")
    }
}

/// kind's docker kept dropping the connection of a build: kind is not usable (exit 75, which
/// pipelines retry), whatever the Dockerfile says.
struct KindDockerLost: UserFacingError {
    let image: String
    let endpoint: DockerEndpoint
    let failure: ConnectionFailure
    let attempts: Int

    var exitStatus: ExitStatus { .kindNotReady }

    func render(style: TerminalStyle) -> String {
        "kind-ci: \(style.error("error:")) kind's docker at \(endpoint) dropped the build of \(image) \(attempts) time\(attempts == 1 ? "" : "s") (last: \(failure))\n"
            + "  kind's container may have died or run out of memory: its own log says which (on GitLab, set CI_DEBUG_SERVICES); retry the job"
    }
}
