/// The CI hosts `kind-ci init` writes pipelines for.
public enum Provider: String, CaseIterable, Sendable {
    case gitlab
    case codeship

    public var displayName: String {
        switch self {
        case .gitlab: "GitLab CI"
        case .codeship: "Codeship Pro"
        }
    }

    /// What the user has to do outside the generated files, for `init --list`.
    public var needsFromUser: String {
        switch self {
        case .gitlab:
            "a runner that allows privileged services (config.toml: privileged = true, or services_privileged with allowed_privileged_services); Docker or Kubernetes executor"
        case .codeship:
            "nothing beyond Codeship Pro itself: kind starts from the step on the build machine's Docker (add_docker)"
        }
    }

    /// The pipeline files for this host, by path relative to the repository's root.
    public func pipelineFiles(_ options: PipelineOptions) throws -> [GeneratedFile] {
        switch self {
        case .gitlab: try GitLabPipeline.files(options)
        case .codeship: try CodeshipPipeline.files(options)
        }
    }
}
