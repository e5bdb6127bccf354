import Foundation
import KindCICore

/// `codeship-services.yml` and `codeship-steps.yml`: one step that starts kind on the build
/// machine's Docker, runs, and removes kind (ci-hosts.md, Codeship Pro).
enum CodeshipPipeline {
    static let servicesPath = "codeship-services.yml"
    static let stepsPath = "codeship-steps.yml"
    static let service = "kind-ci"
    /// Where the repository is mounted in the service.
    static let workspace = "/workspace"

    struct Context {
        let job: String
        let service = CodeshipPipeline.service
        let runnerImage: String
        let workspace = CodeshipPipeline.workspace
        let command: String
    }

    static func files(_ options: PipelineOptions) throws -> [GeneratedFile] {
        if options.stage != nil {
            throw Problem.initRefuses("Codeship Pro has no stages", fix: "leave out --stage", exitStatus: .usage)
        }
        if options.bake {
            throw Problem.initRefuses("--bake is written for GitLab and GitHub only", fix: "leave out --bake; `kind-ci bake` itself runs anywhere",
                                      exitStatus: .usage)
        }
        if options.parallel != nil {
            throw Problem.initRefuses("kind-ci writes one Codeship step", fix: "leave out --parallel; run several `kind-ci run --up` steps under `type: parallel` yourself, each with KIND_CI_SHARD and KIND_CI_SHARDS set",
                                      exitStatus: .usage)
        }
        guard !options.job.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw Problem.initRefuses("the step name is empty", fix: "pass e.g. --job \(PipelineOptions.defaultJob)", exitStatus: .usage)
        }
        // Paths are explicit because the runner image's working folder is not this repository.
        // `run --up` starts the image kind-ci.yml names (`kind.image`).
        let command = ["kind-ci", "run", "--up", "--config", "\(workspace)/\(ConfigLoader.defaultFileName)",
                       "--artifacts", "\(workspace)/.kind-ci"]
        let context = Context(job: options.job, runnerImage: options.runnerImage, command: command.joined(separator: " "))
        return [
            GeneratedFile(path: servicesPath, contents: try TemplateRenderer.render("codeship/codeship-services.yml.mustache", context)),
            GeneratedFile(path: stepsPath, contents: try TemplateRenderer.render("codeship/codeship-steps.yml.mustache", context)),
        ]
    }
}
