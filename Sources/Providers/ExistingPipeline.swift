/// What `init` does where the repository already has the host's pipeline file, which is the
/// user's and is never touched: kind-ci's job goes into a file of its own that the user's file
/// includes (GitLab's `include: local`), or is printed for the user to merge. GitHub's and
/// Woodpecker's files are kind-ci's own (one workflow file among others), so there the file
/// existing means an earlier `init` wrote it.
public enum ExistingPipeline: Sendable, Equatable {
    /// Written as `file`; the user adds `line` to their own file.
    case include(file: String, line: String, note: String?)
    /// Printed for the user to merge into their file.
    case merge

    /// How `provider` goes beside the user's file; nil where the file is kind-ci's own.
    public static func way(for provider: Provider) -> ExistingPipeline? {
        switch provider {
        case .github, .woodpecker:
            nil
        case .gitlab:
            .include(file: "kind-ci.gitlab-ci.yml", line: "include:\n  - local: kind-ci.gitlab-ci.yml",
                     note: "a `stages:` list in your .gitlab-ci.yml replaces the included one: it must name the stage of kind-ci's job")
        default:
            .merge
        }
    }
}
