import Foundation
import KindCICore
import Testing
import TestSupport
@testable import Runner

/// kind images back to 1.18 carry dockerd 19.03 (API 1.40): builds must work at older API versions.
@Suite(.enabled(if: TestDocker.enabled))
struct OlderAPITests {
    @Test(arguments: ["1.38", "1.40"])
    func buildsAtAnOlderAPIVersion(version: String) async throws {
        try FakeKind.build()
        let tcp = try #require(TestDocker.tcp, "no test dockerd: run scripts/test")
        let parts = tcp.split(separator: ":")
        let folder = try TemporaryFolder()
        try folder.write("Dockerfile", "FROM \(FakeKind.busybox)\nARG WHO\nRUN echo \"$WHO\" > /who\n")
        let image = "kind-ci-test/api-\(version.replacing(".", with: "-")):ci"
        var entry = BuildEntry(image: try ImageReference.parse(image).get())
        entry.args = [BuildArgument(name: "WHO", value: "api \(version)")]
        let progress = ProgressReporter(style: .plain, quiet: true)
        try await HTTPFetch.withClient { http in
            let negotiated = try await DockerEngine.connect(.plain(host: String(parts[0]), port: Int(parts[1])!), http: http)
            #expect(negotiated.apiVersion == "1.41")
            let engine = DockerEngine(endpoint: negotiated.endpoint, http: http, apiVersion: version)
            let log = try BuildLog(image: image, folder: folder.url.appendingPathComponent("logs"), progress: progress)
            let outcome = try await NativeBuilder(engine: engine, environment: [:]).build(entry, directory: folder.url, log: log, timeout: .seconds(120))
            await log.finish()
            #expect(outcome.id?.hasPrefix("sha256:") == true)
            #expect(outcome.sent > 0)
        }
        #expect(try TestDocker.docker(["run", "--rm", image, "cat", "/who"]) == "api \(version)")
        try TestDocker.docker(["rmi", image])
    }
}
