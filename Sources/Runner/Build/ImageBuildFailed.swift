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

    public var problem: Problem {
        let findings = failures.map { failure in
            Problem.Finding(headline: "building \(failure.image) failed\(failure.step.map { " at \($0)" } ?? ""): \(failure.reason)",
                            details: failure.tail.suffix(8).map { "| \($0)" } + ["full log: \(failure.log)"])
        }
        return Problem(findings: findings, status: .imageBuildFailed)
    }
}

extension Problem {
    /// kind's docker kept dropping the connection of a build: kind is not usable (exit 75, which
    /// pipelines retry), whatever the Dockerfile says.
    static func kindDockerLost(image: String, endpoint: DockerEndpoint, failure: ConnectionFailure, attempts: Int) -> Problem {
        Problem("kind's docker at \(endpoint) dropped the build of \(image) \(attempts) time\(attempts == 1 ? "" : "s") (last: \(failure))",
                fix: KubernetesUnreachable.kindGoneFix, status: .kindNotReady)
    }
}
