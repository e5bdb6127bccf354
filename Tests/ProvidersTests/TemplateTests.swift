import Testing
@testable import Providers

@Suite struct TemplateTests {
    /// `{{{x}}}` and `{{& x}}` would bypass the YAML escaping.
    @Test(arguments: EmbeddedTemplates.files.keys.sorted())
    func noTemplateBypassesEscaping(name: String) throws {
        let source = TemplateRenderer.source(name)
        #expect(!source.contains("{{{"))
        #expect(!source.contains("{{&"))
    }

    @Test func everyHostHasItsTemplatesEmbedded() {
        #expect(Set(EmbeddedTemplates.files.keys) == [
            "gitlab/gitlab-ci.yml.mustache", "codeship/codeship-services.yml.mustache",
            "codeship/codeship-steps.yml.mustache", "kind-ci/kind-ci.yml.mustache",
        ])
    }

    @Test(arguments: Provider.allCases)
    func renderingLeavesNoTags(provider: Provider) throws {
        for file in try provider.pipelineFiles(PipelineOptions()) {
            #expect(!file.contents.contains("{{") && !file.contents.contains("}}"), "\(file.path)")
        }
    }
}
