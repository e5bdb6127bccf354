import Foundation
import KindCICore
import Testing
import Yams
@testable import Providers

/// No schema fits codeship-services.yml (compose-spec rejects add_docker), so the facts of
/// ci-hosts.md are asserted on the parsed files.
@Suite struct CodeshipPipelineTests {
    /// The service keys Codeship Pro documents; anything else is ignored or refused there.
    static let serviceKeys: Set<String> = ["image", "build", "environment", "encrypted_env_file", "volumes",
                                           "depends_on", "cached", "default_cache_branch", "add_docker"]
    static let stepKeys: Set<String> = ["name", "service", "command", "type", "steps", "tag", "exclude"]

    static func render(_ options: PipelineOptions) throws -> (services: Node.Mapping, steps: [Node], text: String) {
        let files = try CodeshipPipeline.files(options)
        #expect(files.map(\.path) == ["codeship-services.yml", "codeship-steps.yml"])
        let services = try #require(try Yams.compose(yaml: files[0].contents)?.mapping)
        let steps = try #require(try Yams.compose(yaml: files[1].contents)?.sequence).map { $0 }
        return (services, steps, files.map(\.contents).joined())
    }

    @Test func startsKindFromTheStepOnTheHostDocker() throws {
        let (services, steps, text) = try Self.render(PipelineOptions())
        #expect(services.count == 1)
        let (name, value) = try #require(services.first)
        let service = try #require(value.mapping)
        #expect(Set(service.keys.compactMap(\.string)).isSubset(of: Self.serviceKeys))
        // `privileged` validates but is silently ignored by Codeship Pro: it must not be relied on.
        #expect(service["privileged"] == nil)
        #expect(text.contains("ignores `privileged: true`"), "the file says why kind is not a service")
        #expect(service["add_docker"]?.bool == true)
        #expect(service["image"]?.string == PipelineOptions.defaultRunnerImage)
        #expect(service["volumes"]?.array().compactMap(\.string) == ["./:/workspace"])
        #expect(service["ports"] == nil)

        #expect(steps.count == 1, "starting kind and using it must be one step")
        let step = try #require(steps.first?.mapping)
        #expect(Set(step.keys.compactMap(\.string)).isSubset(of: Self.stepKeys))
        #expect(step["service"]?.string == name.string)
        #expect(step["name"]?.string == PipelineOptions.defaultJob)
        let command = try #require(step["command"]?.string)
        #expect(command == "kind-ci run --up --config /workspace/kind-ci.yml --artifacts /workspace/.kind-ci")
        #expect(!command.contains { "&|;<>$`".contains($0) }, "Codeship runs `command` without a shell")
    }

    @Test func hostileValuesStayValues() throws {
        for value in ["a: b # c", "line\nbreak", "*x", "&y", "!z", "%w", "@v", "ü🚀", "'\"", "no"] {
            let (services, steps, _) = try Self.render(PipelineOptions(job: "step \(value)", runnerImage: "runner \(value)"))
            #expect(services.first?.value.mapping?["image"]?.string == "runner \(value)")
            #expect(steps.first?.mapping?["name"]?.string == "step \(value)")
        }
    }

    @Test func refusesAStage() {
        #expect(throws: Problem.self) { try CodeshipPipeline.files(PipelineOptions(stage: "test")) }
    }
}
