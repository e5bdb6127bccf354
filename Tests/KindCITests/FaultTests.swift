import Foundation
import KindCICore
import Testing
import TestSupport

/// Faults injected into kind's endpoints, its docker and its API server, each with the outcome a
/// user needs: a passing fault is waited out and the run passes; a lasting one ends the run with
/// the right exit code and a message that says what, before any deadline of the job, keeping the
/// report (and diagnostics once there is a cluster to read). Every one is counted in the ledger.
@Suite(.enabled(if: TestDocker.enabled), .timeLimit(.minutes(5)))
struct FaultTests {
    let dockerPort: Int

    init() throws {
        try FakeKind.build()
        dockerPort = try #require(Int(TestDocker.tcp?.split(separator: ":").last ?? ""), "no test dockerd: run scripts/test")
    }

    /// A project reaching `kind` (docker at `docker`, default the test daemon) with `config` after the kind section.
    func project(_ kind: FakeKindAPI, docker: Int? = nil, timeouts: String = "{docker: 30s, kubernetes: 60s}",
                 _ config: String = "", files: [String: String] = [:]) throws -> TemporaryFolder {
        let folder = try TemporaryFolder()
        try folder.write("kind-ci.yml", """
            kind:
              ports: {config: \(kind.config.port), docker: \(docker ?? dockerPort), api: \(kind.apiPort)}
              timeouts: \(timeouts)

            """ + config)
        for (path, text) in files { try folder.write(path, text) }
        return folder
    }

    func run(_ folder: TemporaryFolder, until: String? = nil, environment: [String: String?] = [:]) async throws -> KindCIBinary.Result {
        let arguments = ["run", "--host", "127.0.0.1"] + (until.map { ["--until", $0] } ?? []) + ReachingKindTests.kubeconfig(folder)
        let environment = ReachingKindTests.noCI.merging(environment) { $1 }
        return try await offThePool { try KindCIBinary.run(arguments, in: folder.url, environment: environment) }
    }

    /// A deployment that is ready at once, and a test that passes.
    static let workload = """
        deploy:
          - manifests: app.yaml
        test:
          run: echo tests ran

        """
    static let workloadFiles = ["app.yaml": DeployTests.deployment("app", container: #"{name: app, image: "\#(FakeKind.busybox)", command: ["sleep", "3600"]}"#)]

    /// Runs a fault's scenario and checks its outcome: the exit code, the words that say why, and
    /// what must survive (report.xml always; diagnostics where asked). Records it in the ledger.
    func inject(_ name: String, expect code: Int32, saying words: [String], diagnostics: Bool = false,
                _ scenario: () async throws -> (KindCIBinary.Result, TemporaryFolder)) async throws {
        Ledger.record(.fault, name, "injected")
        let (result, folder) = try await scenario()
        let artifacts = folder.url.appendingPathComponent(".kind-ci")
        let report = (try? String(contentsOf: artifacts.appendingPathComponent("report.xml"), encoding: .utf8)) ?? ""
        let missing = words.filter { !result.stderr.contains($0) }
        let kept = !report.isEmpty && (code == 0 || report.contains("<failure "))
            && (!diagnostics || FileManager.default.fileExists(atPath: artifacts.appendingPathComponent("diagnostics").path))
        #expect(result.status == code, "\(name): \(result.stderr)")
        #expect(missing.isEmpty, "\(name): the log lacks \(missing):\n\(result.stderr)")
        #expect(kept, "\(name): report.xml or diagnostics missing; report: \(report)")
        guard result.status == code, missing.isEmpty, kept else {
            Ledger.record(.fault, name, "wrong-outcome")
            return
        }
        Ledger.record(.fault, name, code == 0 ? "survived" : "failed-cleanly")
    }

    // MARK: kind's config endpoint

    @Test(arguments: ["reset", "status-500", "hang"])
    func aPassingFaultOfTheConfigEndpointIsWaitedOut(fault: String) async throws {
        try await inject("config endpoint: \(fault), twice", expect: 0, saying: ["Kubernetes v1.23.10 is ready"]) {
            let kind = try FakeKindAPI(["--fault", "\(fault):2", "--kubernetes-ready-after", "0s"])
            let folder = try project(kind, docker: 2375)
            return (try await run(folder, until: "kubernetes"), folder)
        }
    }

    @Test(arguments: [("reset", "connections in"), ("status-500", "never served docker-ready"), ("hang", "no answer (timed out)")])
    func aLastingFaultOfTheConfigEndpointExits75(fault: String, words: String) async throws {
        try await inject("config endpoint: \(fault), always", expect: ExitStatus.kindNotReady.rawValue, saying: [words]) {
            let kind = try FakeKindAPI(["--fault", "\(fault):always"])
            let folder = try project(kind, docker: 2375, timeouts: "{docker: 6s, kubernetes: 10s}")
            return (try await run(folder, until: "kubernetes"), folder)
        }
    }

    @Test(arguments: ["config-empty", "config-truncated"])
    func aKubeconfigServedBrokenOnceIsFetchedAgain(fault: String) async throws {
        try await inject("config endpoint: \(fault), once", expect: 0, saying: ["the API answers"]) {
            let kind = try FakeKindAPI(["--fault", "\(fault):1", "--kubernetes-ready-after", "0s"])
            let folder = try project(kind, docker: 2375)
            return (try await run(folder, until: "kubernetes"), folder)
        }
    }

    @Test(arguments: [("config-empty", "it is empty"), ("config-truncated", "is not usable: ")])
    func aKubeconfigAlwaysBrokenExits75(fault: String, words: String) async throws {
        try await inject("config endpoint: \(fault), always", expect: ExitStatus.kindNotReady.rawValue,
                         saying: ["kind says Kubernetes is ready, but its kubeconfig", words]) {
            let kind = try FakeKindAPI(["--fault", "\(fault):always", "--kubernetes-ready-after", "0s"])
            let folder = try project(kind, docker: 2375)
            return (try await run(folder, until: "kubernetes"), folder)
        }
    }

    @Test func aNameThatNeverResolvesExits75() async throws {
        try await inject("kind's name never resolves", expect: ExitStatus.kindNotReady.rawValue, saying: ["never resolved in"]) {
            let folder = try ReachingKindTests.project(config: 10080, timeouts: "{docker: 3s, kubernetes: 5s}")
            let result = try await offThePool {
                try KindCIBinary.run(["run", "--until", "kubernetes"], in: folder.url,
                                     environment: ReachingKindTests.noCI.merging(["KIND_CI_HOST": "kind.invalid"]) { $1 })
            }
            return (result, folder)
        }
    }

    // MARK: kind's docker

    /// A build whose connection drops: the first time it is built again; every time, kind's docker
    /// is not usable (75).
    @Test(arguments: [1, nil] as [Int?])
    func kindsDockerDroppingABuild(drops: Int?) async throws {
        let transient = drops != nil
        try await inject("kind's docker drops during a build, \(transient ? "once" : "always")",
                         expect: transient ? 0 : ExitStatus.kindNotReady.rawValue,
                         saying: transient ? ["building again (attempt 2 of 3)", "built in"] : ["dropped the build of", "3 times"],
                         diagnostics: !transient) {
            let tcp = try #require(TestDocker.tcp)
            // Big enough that the build's request, and no other, carries more than the proxy lets through.
            let proxy = try FaultProxy(to: tcp, dropAfter: 256 << 10, drops: drops)
            let kind = try FakeKindAPI(["--kubernetes-ready-after", "0s"])
            let image = "kind-ci-test/dropped-\(UUID().uuidString.prefix(8).lowercased()):ci"
            defer { _ = try? TestDocker.docker(["rmi", "-f", image]) }
            let folder = try project(kind, docker: proxy.port, "build:\n  - image: \(image)\n",
                                     files: ["Dockerfile": "FROM \(FakeKind.busybox)\nCOPY blob.bin /blob.bin\n"])
            try Data(count: 1 << 20).write(to: folder.url.appendingPathComponent("blob.bin"))
            return (try await run(folder, until: "images"), folder)
        }
    }

    // MARK: kind's API server

    @Test func anAPIThatIsUnavailableThenThrottledForAWhileIsWaitedOut() async throws {
        try await inject("API: 503 six times, then 429 three times", expect: 0, saying: ["tests ran", "kind-ci: passed in "]) {
            let tcp = try #require(TestDocker.tcp)
            let kind = try FakeKindAPI(apiOptions: ["--docker", "tcp://\(tcp)", "--unavailable-first", "6", "--throttled-first", "3"])
            let folder = try project(kind, Self.workload, files: Self.workloadFiles)
            return (try await run(folder), folder)
        }
    }

    @Test func anAPIThatIsAlwaysUnavailableExits75() async throws {
        try await inject("API: 503 always", expect: ExitStatus.kindNotReady.rawValue, saying: ["/version answered 503"]) {
            let kind = try FakeKindAPI(apiOptions: ["--unavailable-first", "1000000"])
            let folder = try project(kind, Self.workload, files: Self.workloadFiles)
            return (try await run(folder), folder)
        }
    }

    @Test func droppedWatchStreamsAreResumed() async throws {
        try await inject("API: every watch stream cut after 300 ms", expect: 0, saying: ["1 ready", "tests ran"]) {
            let tcp = try #require(TestDocker.tcp)
            let kind = try FakeKindAPI(apiOptions: ["--docker", "tcp://\(tcp)", "--drop-watches-after", "0.3"])
            let folder = try project(kind, Self.workload, files: Self.workloadFiles)
            return (try await run(folder), folder)
        }
    }

    @Test(arguments: [3, nil] as [Int?])
    func anApplyAnswered409(times: Int?) async throws {
        let transient = times != nil
        try await inject("API: 409 on apply, \(transient ? "three times" : "always")",
                         expect: transient ? 0 : ExitStatus.deployFailed.rawValue,
                         saying: transient ? ["applied deployment/app", "tests ran"] : ["the API refused it (409 Conflict)"],
                         diagnostics: !transient) {
            let tcp = try #require(TestDocker.tcp)
            let kind = try FakeKindAPI(apiOptions: ["--docker", "tcp://\(tcp)", "--conflict-first", String(times ?? 1_000_000)])
            let folder = try project(kind, Self.workload, files: Self.workloadFiles)
            return (try await run(folder), folder)
        }
    }

    /// An admission webhook that cannot be called answers 500 to the apply: the workload's to fix
    /// (exit 66, the API's message shown), not kind gone (75), once retried within patience.
    @Test func anApplyRefusedByAFailingWebhookIsTheWorkloadsFailure() async throws {
        try await inject("API: 500 from an admission webhook on apply", expect: ExitStatus.deployFailed.rawValue,
                         saying: ["the API refused it (500 InternalError)", "failed calling webhook \"validate.example.com\""], diagnostics: true) {
            let tcp = try #require(TestDocker.tcp)
            let kind = try FakeKindAPI(apiOptions: ["--docker", "tcp://\(tcp)", "--webhook-down"])
            let folder = try project(kind, Self.workload, files: Self.workloadFiles)
            return (try await run(folder), folder)
        }
    }

    /// kind dies while the run waits for the workloads: the run ends with 75 once the API has
    /// stayed silent past kind-ci's patience, not at wait.timeout, and says so.
    @Test func kindDyingAfterKubernetesReadyExits75() async throws {
        try await inject("kind dies after kubernetes-ready", expect: ExitStatus.kindNotReady.rawValue,
                         saying: ["stopped answering for ", "kind's container may have died"], diagnostics: true) {
            let tcp = try #require(TestDocker.tcp)
            let kind = try FakeKindAPI(apiOptions: ["--docker", "tcp://\(tcp)"])
            // Never ready: an image nothing has, waited out until the deadline.
            let folder = try project(kind, "deploy:\n  - manifests: app.yaml\nwait: {timeout: 5m, tolerate: until-deadline}\n", files: [
                "app.yaml": DeployTests.deployment("flaky", container: #"{name: app, image: "kind-ci-test/nowhere:1"}"#),
            ])
            let running = try KindCIBinary.start(["run", "--host", "127.0.0.1"] + ReachingKindTests.kubeconfig(folder), in: folder.url,
                                                 environment: ReachingKindTests.noCI)
            #expect(try await running.waitForLog("Waiting for the workloads", timeout: .seconds(120)), "\(running.stderr)")
            kind.stop()
            return (try await offThePool { running.finish() }, folder)
        }
    }
}
