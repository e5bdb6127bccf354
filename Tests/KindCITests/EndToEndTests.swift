import Foundation
import Testing
import TestSupport

/// `run` from nothing to a verdict, on the stand-ins and the test dockerd: the tests, their exit
/// codes, reports, diagnostics, the deadline and SIGTERM.
extension DeployTests {
    @Test func theGitLabExamplePassesEndToEnd() throws {
        let folder = try TemporaryFolder()
        let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../examples/gitlab").standardized
        for name in try FileManager.default.contentsOfDirectory(atPath: example.path) {
            try FileManager.default.copyItem(at: example.appendingPathComponent(name), to: folder.url.appendingPathComponent(name))
        }
        // Only the ports differ from the example: the stand-ins listen on free ones.
        let config = folder.url.appendingPathComponent("kind-ci.yml")
        let text = try String(contentsOf: config, encoding: .utf8)
        try text.replacing("kind:\n", with: "kind:\n  ports: {config: \(kind.config.port), docker: \(dockerPort), api: \(kind.apiPort)}\n")
            .write(to: config, atomically: true, encoding: .utf8)
        let result = try run(folder, until: nil)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("==> Running the tests"))
        #expect(result.stderr.contains("ok   deployment rolled out"))
        #expect(result.stderr.contains("ok   service answers on its node port"))
        #expect(result.stderr.contains("kept 1 report in .kind-ci/reports/"))
        #expect(result.stderr.contains("kind-ci: passed in "))
        #expect(result.stderr.contains("; critical path: kind → "), "\(result.stderr)")
        let reportXML = try String(contentsOf: folder.url.appendingPathComponent(".kind-ci/report.xml"), encoding: .utf8)
        for name in ["docker ready", "kubernetes ready", "hello:ci", "deploy[0]: manifests k8s/", "deployment/hello in default",
                     "./scripts/integration-test.sh"] {
            #expect(reportXML.contains("name=\"\(name)\""), "\(name) missing from \(reportXML)")
        }
        #expect(reportXML.contains("failures=\"0\""))
        let copied = try String(contentsOf: folder.url.appendingPathComponent(".kind-ci/reports/integration.xml"), encoding: .utf8)
        #expect(copied.contains("tests=\"3\" failures=\"0\""))
        #expect(!FileManager.default.fileExists(atPath: folder.url.appendingPathComponent(".kind-ci/diagnostics").path))
    }

    /// The cluster boots while the images build: the kubeconfig is in place before a long build
    /// ends, and the closing line puts the build on the critical path.
    @Test func theClusterBootsWhileTheImagesBuild() throws {
        let image = "kind-ci-test/\(Self.unique("slow")):ci"
        defer { _ = try? TestDocker.docker(["rmi", "-f", image]) }
        let folder = try project("build:\n  - image: \(image)\ndeploy:\n  - manifests: app.yaml\n", files: [
            "Dockerfile": "FROM \(FakeKind.busybox)\nRUN echo \(UUID().uuidString) > /id && sleep 3\n",
            "app.yaml": Self.deployment("slow", container: #"{name: app, image: "\#(image)", command: ["sleep", "3600"]}"#),
        ])
        let result = try run(folder)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("; critical path: kind → build → deploy → ready)"), "\(result.stderr)")
        let reportXML = try String(contentsOf: folder.url.appendingPathComponent(".kind-ci/report.xml"), encoding: .utf8)
        func span(_ phase: String) throws -> (Double, Double) {
            let match = try #require(reportXML.firstMatch(of: try Regex("kind-ci\\.phase\\.\(phase)\" value=\"([0-9.]+)-([0-9.]+)")))
            return (Double(match.output[1].substring!)!, Double(match.output[2].substring!)!)
        }
        // The kubeconfig was installed while the build still ran, not after it.
        #expect(try span("kubernetes").1 < span("build").1, "\(reportXML)")
        #expect(reportXML.contains(#"<property name="kind-ci.critical-path" value="kind,build,deploy,ready"/>"#), "\(reportXML)")
    }

    /// A project whose deployment is ready at once and whose test is `test`.
    func tested(_ test: String, extra: String = "") throws -> TemporaryFolder {
        try project("""
            deploy:
              - manifests: app.yaml
            test:
              run: \(test)
              reports: [reports/*.xml, missing/*.xml]
            \(extra)
            """, files: ["app.yaml": Self.deployment("app", container: #"{name: app, image: "\#(FakeKind.busybox)", command: ["sleep", "3600"]}"#),
                         "reports/unit.xml": "<testsuite name=\"unit\" tests=\"1\"/>\n"])
    }

    @Test func aFailingTestKeepsItsCodeAndLeavesDiagnostics() throws {
        let folder = try tested("echo about to fail; exit 3")
        let result = try run(folder, until: nil)
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("about to fail\n"))
        #expect(result.stderr.contains("error: the tests failed: the test command exited with 3"))
        #expect(result.stderr.contains("test.reports: missing/*.xml matched no file"))
        #expect(result.stderr.contains("kind-ci: failed (exit 3) in "))
        let diagnostics = folder.url.appendingPathComponent(".kind-ci/diagnostics")
        let pods = try String(contentsOf: diagnostics.appendingPathComponent("pods.txt"), encoding: .utf8)
        #expect(pods.contains("default/app-"))
        let events = try String(contentsOf: diagnostics.appendingPathComponent("events/default.txt"), encoding: .utf8)
        #expect(events.contains("ScalingReplicaSet deployment/app"))
        #expect(FileManager.default.fileExists(atPath: diagnostics.appendingPathComponent("kind/versions.txt").path))
        let logs = try FileManager.default.subpathsOfDirectory(atPath: diagnostics.appendingPathComponent("logs/default").path)
        #expect(logs.contains { $0.hasSuffix("/app.log") }, "\(logs)")
        #expect(FileManager.default.fileExists(atPath: folder.url.appendingPathComponent(".kind-ci/reports/unit.xml").path))
        let reportXML = try String(contentsOf: folder.url.appendingPathComponent(".kind-ci/report.xml"), encoding: .utf8)
        #expect(reportXML.contains("<failure message=\"the test command exited with 3\">"))
    }

    @Test func aTestCodeThatWouldReadAsKindCIsOwnBecomesOne() throws {
        let folder = try tested("exit 75")
        let result = try run(folder, until: nil)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("the test command exited with 75, reported as 1"))
        let reportXML = try String(contentsOf: folder.url.appendingPathComponent(".kind-ci/report.xml"), encoding: .utf8)
        #expect(reportXML.contains("the test command exited with 75"))
    }

    @Test func theOverallDeadlineStopsTheTests() throws {
        let folder = try tested("sleep 600 & echo $! > sleep.pid; wait")
        let started = ContinuousClock.now
        let result = try KindCIBinary.run(["run", "--host", "127.0.0.1", "--timeout", "20s"] + ReachingKindTests.kubeconfig(folder),
                                          in: folder.url, environment: ReachingKindTests.noCI)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("error: the tests did not finish within the overall deadline: stopped them"))
        #expect(ContinuousClock.now - started < .seconds(120))
        try Self.expectStopped(folder.url.appendingPathComponent("sleep.pid"))
        let reportXML = try String(contentsOf: folder.url.appendingPathComponent(".kind-ci/report.xml"), encoding: .utf8)
        #expect(reportXML.contains("<failure message=\"stopped at the overall deadline\">"))
        #expect(FileManager.default.fileExists(atPath: folder.url.appendingPathComponent(".kind-ci/diagnostics/pods.txt").path))
    }

    @Test func sigtermDuringTheTestsStopsThemAndKeepsTheReports() async throws {
        let folder = try tested("sleep 600 & echo $! > sleep.pid; echo tests-started; wait")
        let running = try KindCIBinary.start(["run", "--host", "127.0.0.1"] + ReachingKindTests.kubeconfig(folder),
                                             in: folder.url, environment: ReachingKindTests.noCI)
        #expect(try await running.waitForLog("tests-started", timeout: .seconds(180)), "\(running.stderr)")
        running.process.terminate()
        let deadline = ContinuousClock.now + .seconds(60)
        while running.process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
        #expect(!running.process.isRunning)
        #expect(running.process.terminationStatus == 143, "\(running.stderr)")
        #expect(running.stderr.contains("kind-ci: stopped by SIGTERM"))
        #expect(running.stderr.contains("kind-ci: cancelled in "))
        try Self.expectStopped(folder.url.appendingPathComponent("sleep.pid"))
        let reportXML = try String(contentsOf: folder.url.appendingPathComponent(".kind-ci/report.xml"), encoding: .utf8)
        #expect(reportXML.contains("<skipped message=\"the run was cancelled\"/>"))
        #expect(FileManager.default.fileExists(atPath: folder.url.appendingPathComponent(".kind-ci/reports/unit.xml").path))
        #expect(FileManager.default.fileExists(atPath: folder.url.appendingPathComponent(".kind-ci/diagnostics/pods.txt").path))
    }

    @Test func eachShardRunsItsShareOfTheTestFiles() throws {
        var files: [String: String] = [:]
        for name in ["a", "b", "c", "d", "e"] { files["tests/\(name)_test.sh"] = "echo ran \(name)\n" }
        let folder = try project("""
            test:
              run: 'for f in $KIND_CI_SHARD_FILES; do sh "$f"; done; echo "shard $KIND_CI_SHARD of $KIND_CI_SHARDS"'
              shard: {files: "tests/**/*_test.sh"}

            """, files: files)
        let result = try KindCIBinary.run(["run", "--host", "127.0.0.1"] + ReachingKindTests.kubeconfig(folder), in: folder.url,
                                          environment: ReachingKindTests.noCI.merging(["CI_NODE_INDEX": "2", "CI_NODE_TOTAL": "3"]) { $1 })
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("shard 2 of 3: 2 of 5 test files"))
        #expect(result.stderr.contains("ran b\nran e\nshard 2 of 3\n"))
        #expect(try String(contentsOf: folder.url.appendingPathComponent(".kind-ci/shard-files"), encoding: .utf8)
            == "tests/b_test.sh\ntests/e_test.sh\n")
        #expect(try String(contentsOf: folder.url.appendingPathComponent(".kind-ci/env"), encoding: .utf8).contains("KIND_CI_SHARD=2\nKIND_CI_SHARDS=3\n"))
    }

    /// The test's own child is gone (or a zombie waiting to be reaped).
    static func expectStopped(_ pidFile: URL) throws {
        let pid = try #require(Int32(try String(contentsOf: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        let state = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8))?.split(separator: " ").dropFirst(2).first
        #expect(state == nil || state == "Z", "the test's child \(pid) still runs (state \(state ?? "-"))")
    }
}
