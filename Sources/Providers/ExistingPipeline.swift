/// What `init` does where the repository already has the host's pipeline file, which is the
/// user's and is never touched: kind-ci's job goes into a file of its own that the user's file
/// includes (GitLab's `include: local`), or is printed for the user to merge. GitHub's and
/// Woodpecker's files are kind-ci's own (one workflow file among others), so there the file
/// existing means an earlier `init` wrote it.
public enum ExistingPipeline: Sendable, Equatable {
    /// `files` are written instead; the user adds `line` to their own file.
    case include(files: [GeneratedFile], line: String, note: String?)
    /// Printed for the user to merge into their file.
    case merge

    /// How `provider`'s pipeline goes beside the user's file; nil where the file is kind-ci's own.
    public static func way(for provider: Provider, _ options: PipelineOptions) throws -> ExistingPipeline? {
        switch provider {
        case .github, .woodpecker:
            return nil
        case .gitlab:
            var included = options
            included.included = true
            let stage = options.stage ?? PipelineOptions.defaultStage
            let stages = (options.bake ? ["bake"] : []) + [stage]
            let missing = stages.filter { !GitLabPipeline.defaultStages.contains($0) }
            let note = "the job runs in stage \(stages.joined(separator: " and ")): a `stages:` list in your .gitlab-ci.yml must name it"
                + (missing.isEmpty ? "" : ", and without one add `stages: [build, test, deploy, \(missing.joined(separator: ", "))]`")
            return .include(files: try GitLabPipeline.files(included), line: "include:\n  - local: \(GitLabPipeline.includedPath)", note: note)
        default:
            return .merge
        }
    }
}
