import KindCICore
/// The CI hosts `kind-ci init` writes pipelines for.
public enum Provider: String, CaseIterable, Sendable {
    case gitlab
    case codeship
    case github
    case circleci
    case travis
    case bitbucket
    case drone
    case woodpecker
    case buildkite
    case azure

    public var displayName: String {
        switch self {
        case .gitlab: "GitLab CI"
        case .codeship: "Codeship Pro"
        case .github: "GitHub Actions"
        case .circleci: "CircleCI"
        case .travis: "Travis CI"
        case .bitbucket: "Bitbucket Pipelines"
        case .drone: "Drone"
        case .woodpecker: "Woodpecker CI"
        case .buildkite: "Buildkite"
        case .azure: "Azure Pipelines"
        }
    }

    /// When the host is gone, for `init` to say so: Codeship, the host kind-ci grew up on, keeps its
    /// files for builds that still run there.
    public var endOfLife: String? {
        switch self {
        case .codeship: "CodeShip reached end of life on 2026-01-31 (CloudBees points its users to CloudBees Unify)"
        default: nil
        }
    }

    /// What the user has to do outside the generated files, for `init --list`.
    public var needsFromUser: String {
        switch self {
        case .gitlab:
            "a runner that allows privileged services (config.toml: privileged = true, or services_privileged with allowed_privileged_services); Docker or Kubernetes executor"
        case .codeship:
            "nothing beyond Codeship Pro itself: kind starts from the step on the build machine's Docker (add_docker)"
        case .github:
            "GitHub-hosted Linux runners (or self-hosted ones whose Docker allows --privileged service containers)"
        case .circleci:
            "the machine executor (in the file); kind starts from the job on the machine's Docker"
        case .travis:
            "nothing: `services: docker` (in the file); kind starts from the job on the VM's Docker"
        case .bitbucket:
            "runtime v3 (in the file; v2 refuses --privileged); kind starts from the step on the docker service"
        case .drone:
            "the repository marked Trusted by a Drone admin (privileged services)"
        case .woodpecker:
            "the repository trusted by an admin, or kind's image in the server's WOODPECKER_PLUGINS_PRIVILEGED (either is enough)"
        case .buildkite:
            "agents with Docker and docker compose that allow privileged containers (the docker-compose plugin runs kind)"
        case .azure:
            "Microsoft-hosted Ubuntu agents (or self-hosted ones whose Docker allows --privileged); container jobs"
        }
    }

    /// The pipeline files for this host, by path relative to the repository's root.
    public func pipelineFiles(_ options: PipelineOptions) throws -> [GeneratedFile] {
        if let branch = options.defaultBranch {
            guard self == .github else {
                throw Problem.initRefuses("only GitHub's file names the default branch", fix: "leave out --default-branch", exitStatus: .usage)
            }
            guard !branch.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw Problem.initRefuses("the default branch's name is empty", fix: "pass e.g. --default-branch main", exitStatus: .usage)
            }
        }
        return switch self {
        case .gitlab: try GitLabPipeline.files(options)
        case .codeship: try CodeshipPipeline.files(options)
        default: try HostPipeline.files(self, options)
        }
    }
}
