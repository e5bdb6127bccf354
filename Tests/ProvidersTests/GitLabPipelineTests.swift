import Foundation
import KindCICore
import Testing
import TestSupport
import Yams
@testable import Providers

@Suite struct GitLabPipelineTests {
    static func render(_ options: PipelineOptions) throws -> (text: String, job: Node.Mapping, root: Node.Mapping) {
        let text = try #require(try GitLabPipeline.files(options).first).contents
        let root = try #require(try Yams.compose(yaml: text)?.mapping)
        let job = try #require(root[options.job]?.mapping, "no job named \(options.job.debugDescription)")
        return (text, job, root)
    }

    /// The traps of ci-hosts.md, each asserted on the parsed file.
    @Test func encodesWhatGitLabNeeds() throws {
        let (_, job, root) = try Self.render(PipelineOptions())
        #expect(root["stages"]?.array().compactMap(\.string) == ["test"])
        #expect(job["stage"]?.string == "test")
        #expect(job["image"]?.mapping?["name"]?.string == PipelineOptions.defaultRunnerImage)
        let services = job["services"]?.array() ?? []
        #expect(services.count == 1)
        let kind = try #require(services.first?.mapping)
        #expect(kind["name"]?.string == "bsycorp/kind:latest-1.23")
        #expect(kind["alias"]?.string == "kind")
        #expect(kind["variables"]?.mapping?["HEALTHCHECK_TCP_PORT"]?.string == "10080")
        #expect(kind["variables"]?.mapping?["DOCKER_TLS_CERTDIR"]?.string == "")
        // Job and global variables reach the kind service too: none may set DOCKER_HOST.
        #expect(root["variables"] == nil)
        #expect(job["variables"] == nil)
        #expect(job["script"]?.array().compactMap(\.string) == ["kind-ci run"])
        #expect(job["interruptible"]?.bool == true)
        #expect(job["timeout"]?.string != nil)
        let retry = try #require(job["retry"]?.mapping)
        #expect(retry["exit_codes"]?.array().compactMap(\.int) == [75])
        #expect(retry["when"] == nil, "a `when` would retry other failures too")
        let artifacts = try #require(job["artifacts"]?.mapping)
        #expect(artifacts["when"]?.string == "always")
        #expect(artifacts["paths"]?.array().compactMap(\.string) == [".kind-ci/"])
        #expect(artifacts["reports"]?.mapping?["junit"]?.array().compactMap(\.string)
            == [".kind-ci/report.xml", ".kind-ci/reports/**/*.xml"])
    }

    @Test func commentsSayWhatTheRunnerAdminMustDo() throws {
        let (text, _, _) = try Self.render(PipelineOptions())
        #expect(text.contains("privileged = true"))
        #expect(text.contains("allowed_privileged_services = [\"bsycorp/kind:*\"]"))
        #expect(text.contains("[runners.kubernetes]"))
        #expect(text.contains("GitLab 16.11"))
    }

    @Test(arguments: ["image", "services", "stages", "variables", "default", "include", "workflow", ".hidden", "", "  "])
    func refusesJobNamesGitLabReserves(job: String) {
        #expect(throws: Problem.self) { try GitLabPipeline.files(PipelineOptions(job: job)) }
    }

    /// Hostile job, stage and image names: the file still parses to exactly those values and still
    /// passes GitLab's schema.
    @Test func hostileValuesStayValuesAndPassTheSchema() throws {
        let folder = try TemporaryFolder()
        var files: [URL] = []
        let hostile = ["a: b # c", "quote\"s and 'single'", "line\nbreak", "*star", "&amp", "!bang", "%pct", "@at",
                       "ünïcödé 🚀", "yes", "123", "[x]", "{y}", "- dash", "tab\there", "back\\slash", "$CI_REGISTRY_IMAGE/x"]
        for (index, value) in hostile.enumerated() {
            let options = PipelineOptions(job: "job \(value)", stage: "stage \(value)", runnerImage: "runner \(value)")
            let (text, job, root) = try Self.render(options)
            #expect(root["stages"]?.array().compactMap(\.string) == ["stage \(value)"])
            #expect(job["stage"]?.string == "stage \(value)")
            #expect(job["image"]?.mapping?["name"]?.string == "runner \(value)")
            files.append(try folder.write("gitlab-\(index).yml", text))
        }
        let outcome = try CheckJSONSchema.validate(files, schema: "vendor.gitlab-ci")
        #expect(outcome.passed, "\(outcome.output)")
    }

    @Test func defaultAndCustomFilesPassTheSchema() throws {
        let folder = try TemporaryFolder()
        let files = try [PipelineOptions(), PipelineOptions(job: "kind", stage: "verify", runnerImage: "x/y:1")]
            .enumerated().map { index, options in try folder.write("gitlab-\(index).yml", try Self.render(options).text) }
        let outcome = try CheckJSONSchema.validate(files, schema: "vendor.gitlab-ci")
        #expect(outcome.passed, "\(outcome.output)")
    }

    /// Included by the user's `.gitlab-ci.yml`, the file has no `stages:` of its own: GitLab would
    /// let it replace the default build, test, deploy that the user's jobs run in.
    @Test func anIncludedFileHasNoStagesAndPassesTheSchema() throws {
        var options = PipelineOptions()
        options.included = true
        let files = try GitLabPipeline.files(options)
        #expect(files.map(\.path) == ["kind-ci.gitlab-ci.yml"])
        let root = try #require(try Yams.compose(yaml: files[0].contents)?.mapping)
        #expect(root["stages"] == nil)
        #expect(root[PipelineOptions.defaultJob]?.mapping?["stage"]?.string == "test")
        let folder = try TemporaryFolder()
        let outcome = try CheckJSONSchema.validate([try folder.write("kind-ci.gitlab-ci.yml", files[0].contents)], schema: "vendor.gitlab-ci")
        #expect(outcome.passed, "\(outcome.output)")
        guard case let .include(_, _, note)? = try ExistingPipeline.way(for: .gitlab, PipelineOptions(stage: "e2e")) else {
            Issue.record("GitLab includes kind-ci's file")
            return
        }
        #expect(note?.contains("add `stages: [build, test, deploy, e2e]`") == true, "\(note ?? "")")
    }

    @Test func parallelJobsEachGetTheirOwnKind() throws {
        let (text, job, _) = try Self.render(PipelineOptions(parallel: 3))
        #expect(job["parallel"]?.int == 3)
        #expect(try Self.render(PipelineOptions()).job["parallel"] == nil)
        let folder = try TemporaryFolder()
        let outcome = try CheckJSONSchema.validate([try folder.write("gitlab.yml", text)], schema: "vendor.gitlab-ci")
        #expect(outcome.passed, "\(outcome.output)")
    }

    /// `--bake`: a bake stage first, on docker:dind, pushing to the project's registry when
    /// kind-ci.yml or the manifests change; the tests' kind service is the branch's baked image,
    /// named by a pipeline variable (GitLab does not expand a dotenv value in `services:`), and
    /// still no DOCKER_HOST reaches it.
    @Test func bakingAddsAJobAndRunsTheTestsOnItsResult() throws {
        var options = PipelineOptions()
        options.bake = true
        options.bakeWatch = ["kind-ci.yml", "k8s/**/*"]
        let (text, job, root) = try Self.render(options)
        #expect(root["stages"]?.array().compactMap(\.string) == ["bake", "test"])
        #expect(root["variables"]?.mapping?["KIND_CI_BAKED_IMAGE"]?.string == "$CI_REGISTRY_IMAGE/kind-ci-baked:$CI_COMMIT_REF_SLUG")
        #expect(job["services"]?.array().first?.mapping?["name"]?.string == "$KIND_CI_BAKED_IMAGE")
        #expect(job["variables"] == nil)
        let bake = try #require(root["kind-ci-bake"]?.mapping)
        #expect(bake["stage"]?.string == "bake")
        #expect(bake["services"]?.array().first?.mapping?["alias"]?.string == "docker")
        #expect(bake["variables"]?.mapping?["DOCKER_HOST"]?.string == "tcp://docker:2375")
        #expect(bake["script"]?.array().first?.string
            == #"kind-ci bake --tag "$CI_REGISTRY_IMAGE/kind-ci-baked:{hash}" --also-tag "$KIND_CI_BAKED_IMAGE" --push"#)
        #expect(bake["rules"]?.array().first?.mapping?["changes"]?.array().compactMap(\.string) == ["kind-ci.yml", "k8s/**/*"])
        let folder = try TemporaryFolder()
        let outcome = try CheckJSONSchema.validate([try folder.write("gitlab.yml", text)], schema: "vendor.gitlab-ci")
        #expect(outcome.passed, "\(outcome.output)")
    }

    /// The validator is real: a file GitLab would refuse fails it.
    @Test func theSchemaCheckRefusesABrokenFile() throws {
        let folder = try TemporaryFolder()
        let broken = try folder.write("broken.yml", "job:\n  script: [x]\n  retry: {max: 9}\n")
        #expect(try !CheckJSONSchema.validate([broken], schema: "vendor.gitlab-ci").passed)
    }
}
