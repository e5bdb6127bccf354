import Foundation
import KindCICore

/// `.gitlab-ci.yml`: a test job with kind as a privileged service (ci-hosts.md, GitLab CI).
enum GitLabPipeline {
    static let path = ".gitlab-ci.yml"
    /// The file kind-ci's job goes into beside a `.gitlab-ci.yml` of the user's.
    static let includedPath = "kind-ci.gitlab-ci.yml"
    /// The stages a pipeline has when its file lists none.
    static let defaultStages = ["build", "test", "deploy"]

    /// Top-level keys of `.gitlab-ci.yml` that are not jobs.
    static let reservedNames: Set<String> = [
        "image", "services", "stages", "types", "before_script", "after_script", "variables", "cache",
        "include", "default", "workflow", "spec",
    ]

    struct Context {
        let job: String
        let stage: String
        let runnerImage: String
        let kindImage: String
        let kindRepository: String
        let parallel: Int?
        let timeout = "30 minutes"
        let bake: Bool
        let bakeWatch: [String]
        /// No `stages:`: an included file's would replace GitLab's defaults for the user's jobs.
        let included: Bool
        /// kind's image, or the baked one (a pipeline variable) with `--bake`.
        let kindServiceImage: String
    }

    static func files(_ options: PipelineOptions) throws -> [GeneratedFile] {
        let job = options.job
        guard !job.trimmingCharacters(in: .whitespaces).isEmpty, !reservedNames.contains(job), !job.hasPrefix(".") else {
            throw Problem.initRefuses("'\(job)' cannot name a GitLab job: it is empty, a reserved keyword or hidden (leading '.')",
                                      fix: "pass another --job, e.g. --job \(PipelineOptions.defaultJob)", exitStatus: .usage)
        }
        let stage = options.stage ?? PipelineOptions.defaultStage
        guard !stage.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw Problem.initRefuses("the stage name is empty", fix: "pass e.g. --stage test", exitStatus: .usage)
        }
        let image = options.kindImage
        let context = Context(job: job, stage: stage, runnerImage: options.runnerImage,
                              kindImage: image.description,
                              kindRepository: image.repository,
                              parallel: options.parallel, bake: options.bake, bakeWatch: options.bakeWatch, included: options.included,
                              kindServiceImage: options.bake ? "$KIND_CI_BAKED_IMAGE" : image.description)
        return [GeneratedFile(path: options.included ? includedPath : path,
                              contents: try TemplateRenderer.render("gitlab/gitlab-ci.yml.mustache", context))]
    }
}
