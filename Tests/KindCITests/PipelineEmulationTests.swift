import Foundation
import KindCICore
import Testing
import TestSupport

/// The heavier tier (scripts/test without --quick): the generated pipelines run on real
/// docker-in-docker, kind played by the kind stand-in image and the job by the runner image, both
/// tagged with the names the files use.
@Suite(.enabled(if: ReleaseBinary.path != nil && TestDocker.enabled), .serialized)
struct PipelineEmulationTests {
    /// The example, copied: the job writes `.kind-ci/` into it.
    static func example(_ host: String) throws -> TemporaryFolder {
        let folder = try TemporaryFolder()
        let example = Repository.root.appendingPathComponent("examples/\(host)")
        for name in try FileManager.default.contentsOfDirectory(atPath: example.path) {
            try FileManager.default.copyItem(at: example.appendingPathComponent(name), to: folder.url.appendingPathComponent(name))
        }
        return folder
    }

    /// The pods' logs kind-ci's diagnostics kept, for a failure's message.
    static func podLogs(_ folder: TemporaryFolder) -> String {
        let logs = folder.url.appendingPathComponent(".kind-ci/diagnostics/logs")
        let files = (try? FileManager.default.subpathsOfDirectory(atPath: logs.path)) ?? []
        return files.filter { $0.hasSuffix(".log") }.map { file in
            "\(file): \((try? String(contentsOf: logs.appendingPathComponent(file), encoding: .utf8)) ?? "")"
        }.joined(separator: "\n")
    }

    /// The images the job names, made here: kind's from the stand-in, the runner from the release binary.
    static func provide(job image: String, kind images: [String]) throws {
        try RunnerImage.build(tag: image, binary: try #require(ReleaseBinary.path))
        for kind in images { try KindStandInImage.build(tag: kind) }
    }

    @Test func theGitLabExampleRunsThroughTheDockerExecutor() throws {
        let folder = try Self.example("gitlab")
        let job = try GitLabJobEmulation(project: folder.url, job: "kubernetes-tests")
        try Self.provide(job: job.jobImage, kind: job.serviceImages)
        let outcome = try job.run()
        #expect(outcome.status == 0, "\(outcome.output)\n\(outcome.serviceLogs)\n\(Self.podLogs(folder))")
        #expect(outcome.output.contains("ok   service answers on its node port"))
        #expect(outcome.output.contains("kind-ci: passed in "))
        #expect(outcome.missingArtifacts.isEmpty, "\(outcome.missingArtifacts)")
        #expect(FileManager.default.fileExists(atPath: folder.url.appendingPathComponent(".kind-ci/reports/integration.xml").path))
    }

    /// A job variable reaches the services too: DOCKER_HOST stops kind's start script, and the job
    /// ends with kind never ready (75, which the pipeline retries), saying what it saw.
    @Test func aDockerHostJobVariableBreaksKindAsOnGitLab() throws {
        let folder = try Self.example("gitlab")
        let job = try GitLabJobEmulation(project: folder.url, job: "kubernetes-tests")
        try Self.provide(job: job.jobImage, kind: job.serviceImages)
        let outcome = try job.run(extraJobVariables: ["DOCKER_HOST": "tcp://kind:2375"])
        #expect(outcome.status == ExitStatus.kindNotReady.rawValue, "\(outcome.output)")
        #expect(outcome.serviceLogs["kind"]?.contains("DOCKER_HOST=tcp://kind:2375 is set") == true, "\(outcome.serviceLogs)")
        #expect(outcome.output.contains("refused"), "\(outcome.output)")
    }

    @Test func theCodeshipExampleRunsWithAddDocker() throws {
        let folder = try Self.example("codeship")
        let build = try CodeshipEmulation(project: folder.url)
        // The step starts the kind image kind-ci.yml names, on the build machine's Docker.
        let kindImage = try ConfigLoader.load(path: folder.url.appendingPathComponent("kind-ci.yml").path).kind.image.description
        try Self.provide(job: try #require(build.serviceImages.first), kind: [kindImage])
        let outcome = try build.run()
        #expect(outcome.status == 0, "\(outcome.output)\n\(Self.podLogs(folder))")
        #expect(outcome.output.contains("started kind as kind-ci-"))
        #expect(outcome.output.contains("ok   service answers on its node port"))
        #expect(outcome.output.contains("removed kind kind-ci-"))
        #expect(FileManager.default.fileExists(atPath: folder.url.appendingPathComponent(".kind-ci/reports/integration.xml").path))
    }
}
