import Foundation
import KindCICore
import Testing
import TestSupport

/// SIGINT and SIGTERM in each phase (the wait for kind and the tests have their own tests): what
/// runs is stopped, report.xml is written with the phase cancelled, diagnostics are gathered where
/// there is a cluster, and kind-ci exits 130 or 143; a second signal exits at once.
extension DeployTests {
    /// Starts `run`, waits for `cue` in its log, sends `signal`; returns how it ended.
    func signalled(_ folder: TemporaryFolder, at cue: String, _ signal: Int32) async throws -> KindCIBinary.Result {
        let running = try KindCIBinary.start(["run", "--host", "127.0.0.1"] + ReachingKindTests.kubeconfig(folder), in: folder.url,
                                             environment: ReachingKindTests.noCI)
        #expect(try await running.waitForLog(cue, timeout: .seconds(180)), "\(running.stderr)")
        kill(running.process.processIdentifier, signal)
        return try await offThePool { running.finish() }
    }

    func report(_ folder: TemporaryFolder) throws -> String {
        try String(contentsOf: folder.url.appendingPathComponent(".kind-ci/report.xml"), encoding: .utf8)
    }

    @Test func sigtermDuringABuildStopsItInKindsDocker() async throws {
        let marker = UUID().uuidString
        let image = "kind-ci-test/\(Self.unique("endless")):ci"
        let folder = try project("build:\n  - image: \(image)\n", files: ["Dockerfile": "FROM \(FakeKind.busybox)\nRUN sleep 600 && echo \(marker)\n"])
        let result = try await signalled(folder, at: "Running in", SIGTERM)
        #expect(result.status == ExitStatus.terminated.rawValue, "\(result.stderr)")
        #expect(result.stderr.contains("kind-ci: cancelled in "), "\(result.stderr)")
        let reportXML = try report(folder)
        #expect(reportXML.contains("<skipped message=\"the run was cancelled\"/>"))
        // The build was under way: the cancellation is its, not the cluster's (whose boot the
        // signal stopped too).
        #expect(reportXML.contains("<testcase classname=\"kind-ci.build\" name=\"build\" time=\"0.000\">\n      <skipped message=\"the run was cancelled\"/>"),
                "\(reportXML)")
        // The build's container goes with the request: nothing keeps sleeping in kind's docker.
        var running = true
        for _ in 0..<60 where running {
            running = try TestDocker.docker(["ps", "--no-trunc", "--format", "{{.Command}}"]).contains(marker)
            if running { try await Task.sleep(for: .milliseconds(500)) }
        }
        #expect(!running, "the build's RUN step still runs in kind's docker")
    }

    @Test func sigtermDuringADeployStepStopsIt() async throws {
        let folder = try project("deploy:\n  - run: sleep 600 & echo $! > step.pid; echo step-started; wait\n")
        let result = try await signalled(folder, at: "step-started", SIGTERM)
        #expect(result.status == ExitStatus.terminated.rawValue, "\(result.stderr)")
        try Self.expectStopped(folder.url.appendingPathComponent("step.pid"))
        let reportXML = try report(folder)
        #expect(reportXML.contains("<skipped message=\"the run was cancelled\"/>"), "\(reportXML)\n\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: folder.url.appendingPathComponent(".kind-ci/diagnostics/pods.txt").path))
    }

    @Test func sigintWhileWaitingForTheWorkloadsExits130WithDiagnostics() async throws {
        let folder = try project("deploy:\n  - manifests: app.yaml\nwait: {timeout: 5m, tolerate: until-deadline}\n", files: [
            // Never ready: an image nothing has, waited out until the deadline.
            "app.yaml": Self.deployment("flaky", container: #"{name: app, image: "kind-ci-test/nowhere:1"}"#),
        ])
        let result = try await signalled(folder, at: "Waiting for the workloads", SIGINT)
        #expect(result.status == ExitStatus.interrupted.rawValue, "\(result.stderr)")
        #expect(result.stderr.contains("kind-ci: stopped by SIGINT"), "\(result.stderr)")
        let reportXML = try report(folder)
        #expect(reportXML.contains("name=\"deployment/flaky in default\""), "\(reportXML)")
        #expect(reportXML.contains("<skipped message=\"not judged before the run ended\"/>"), "\(reportXML)")
        #expect(FileManager.default.fileExists(atPath: folder.url.appendingPathComponent(".kind-ci/diagnostics/pods.txt").path), "\(result.stderr)")
    }

    /// A test that ignores SIGTERM holds up the first signal for the grace period; a second one
    /// ends kind-ci there and then, leaving the clean-up undone.
    @Test func aSecondSignalExitsAtOnce() async throws {
        let folder = try project("test:\n  run: trap '' TERM; sleep 600 & echo $! > sleep.pid; echo tests-started; wait\n")
        let running = try KindCIBinary.start(["run", "--host", "127.0.0.1"] + ReachingKindTests.kubeconfig(folder), in: folder.url,
                                             environment: ReachingKindTests.noCI)
        #expect(try await running.waitForLog("tests-started", timeout: .seconds(180)), "\(running.stderr)")
        defer {
            if let pid = Int32((try? String(contentsOf: folder.url.appendingPathComponent("sleep.pid"), encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? "") { kill(pid, SIGKILL) }
        }
        // Timed on a thread of its own: a late wake-up on a busy pool would let the 10 s grace of
        // the clean-up run out first.
        let pid = running.process.processIdentifier
        let result = try await offThePool {
            kill(pid, SIGTERM)
            Thread.sleep(forTimeInterval: 1)
            kill(pid, SIGTERM)
            return running.finish()
        }
        #expect(result.status == ExitStatus.terminated.rawValue, "\(result.stderr)")
        #expect(!result.stderr.contains("kind-ci: cancelled in "), "the second signal let the clean-up finish:\n\(result.stderr)")
    }
}
