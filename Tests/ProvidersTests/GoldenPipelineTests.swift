import Foundation
import KindCICore
import Testing
import TestSupport
@testable import Providers

/// Each host's files for a few option sets, compared with `Golden/<host>/<variant>/`.
/// `KIND_CI_RECORD=1 swift test` rewrites them; review the diff before committing.
@Suite struct GoldenPipelineTests {
    static let variants = ["default", "custom"]
    /// `--bake` is written for GitLab and GitHub.
    static let cases: [(Provider, String)] = Provider.allCases.flatMap { provider in variants.map { (provider, $0) } }
        + [(.gitlab, "bake"), (.github, "bake")]

    static func options(_ provider: Provider, _ variant: String) throws -> PipelineOptions {
        if variant == "bake" {
            var options = PipelineOptions()
            options.bake = true
            options.bakeWatch = ["kind-ci.yml", "k8s/**/*", "extra/crd.yaml"]
            return options
        }
        guard variant == "custom" else { return PipelineOptions() }
        return PipelineOptions(kindImage: try PipelineOptions.kindImage(named: nil, kubernetes: "1.20"),
                               job: "integration", stage: provider == .gitlab ? "integration-tests" : nil,
                               runnerImage: "registry.example.com/ci/runner:2.0")
    }

    @Test(arguments: cases)
    func matchesTheGoldenFiles(provider: Provider, variant: String) throws {
        let folder = Repository.root.appendingPathComponent("Tests/ProvidersTests/Golden/\(provider.rawValue)/\(variant)")
        for file in try provider.pipelineFiles(Self.options(provider, variant)) {
            let golden = folder.appendingPathComponent(file.path)
            if Repository.recording {
                try FileManager.default.createDirectory(at: golden.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(file.contents.utf8).write(to: golden)
            }
            #expect(file.contents == (try String(contentsOf: golden, encoding: .utf8)), "\(golden.path) differs")
        }
    }

    /// The committed examples' pipeline files are exactly what `init` writes with default options.
    @Test(arguments: Provider.allCases)
    func examplesMatchWhatInitWrites(provider: Provider) throws {
        let example = Repository.root.appendingPathComponent("examples/\(provider.rawValue)")
        for file in try provider.pipelineFiles(PipelineOptions()) {
            let committed = try String(contentsOf: example.appendingPathComponent(file.path), encoding: .utf8)
            #expect(file.contents == committed, "examples/\(provider.rawValue)/\(file.path) differs from `kind-ci init \(provider.rawValue)`; rerun it there")
        }
    }

    /// Each example's README names its pipeline files, and the committed example holds no files of
    /// an earlier layout (Buildkite's moved to .buildkite/).
    @Test(arguments: Provider.allCases)
    func examplesReadmesListTheirFiles(provider: Provider) throws {
        let example = Repository.root.appendingPathComponent("examples/\(provider.rawValue)")
        let readme = try String(contentsOf: example.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(!readme.contains("()"), "examples/\(provider.rawValue)/README.md lists no files")
        for file in try provider.pipelineFiles(PipelineOptions()) {
            #expect(readme.contains("`\(file.path)`"), "examples/\(provider.rawValue)/README.md does not name \(file.path)")
        }
        #expect(!FileManager.default.fileExists(atPath: example.appendingPathComponent("buildkite").path))
    }

    @Test(arguments: Provider.allCases)
    func examplesHaveAValidConfiguration(provider: Provider) throws {
        let path = Repository.root.appendingPathComponent("examples/\(provider.rawValue)/kind-ci.yml").path
        let configuration = try ConfigLoader.load(path: path)
        #expect(configuration.build.map(\.image.description) == ["hello:ci"])
        #expect(configuration.test?.run == "./scripts/integration-test.sh")
    }
}
