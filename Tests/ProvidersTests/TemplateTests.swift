import Testing
@testable import Providers

@Suite struct TemplateTests {
    /// Values the templates may write unescaped: numbers only (`--parallel`'s count, and the list of
    /// shard numbers made from it), which escaping would quote into strings the hosts refuse.
    static let numericValues: Set<String> = ["parallel", "shardList"]

    /// `{{{x}}}` and `{{& x}}` would bypass the YAML escaping: only numbers may.
    @Test(arguments: EmbeddedTemplates.files.keys.sorted())
    func noTemplateBypassesEscaping(name: String) throws {
        let source = TemplateRenderer.source(name)
        let raw = Set(source.matches(of: /\{\{\{\s*(\w+)\s*\}\}\}/).map { String($0.1) })
        #expect(raw.isSubset(of: Self.numericValues), "\(raw)")
        #expect(!source.contains("{{&"))
    }

    @Test func everyHostHasItsTemplatesEmbedded() {
        #expect(Set(EmbeddedTemplates.files.keys) == [
            "gitlab/gitlab-ci.yml.mustache", "codeship/codeship-services.yml.mustache",
            "codeship/codeship-steps.yml.mustache", "kind-ci/kind-ci.yml.mustache",
            "github/workflow.yml.mustache", "circleci/config.yml.mustache", "travis/travis.yml.mustache",
            "bitbucket/bitbucket-pipelines.yml.mustache", "drone/drone.yml.mustache", "woodpecker/kind-ci.yml.mustache",
            "buildkite/pipeline.yml.mustache", "buildkite/docker-compose.kind-ci.yml.mustache", "azure/azure-pipelines.yml.mustache",
        ])
    }

    @Test(arguments: Provider.allCases)
    func renderingLeavesNoTags(provider: Provider) throws {
        for file in try provider.pipelineFiles(PipelineOptions()) {
            #expect(!file.contents.contains("{{") && !file.contents.contains("}}"), "\(file.path)")
        }
    }
}
