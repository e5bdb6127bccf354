import Foundation
import KindCICore
import Testing
import TestSupport

/// `kind-ci run` finding and waiting for kind, against the config-endpoint stand-in; each
/// diagnosis produced for real and its message checked. Deadlines are generous: what is asserted
/// is the reason, not the time.
@Suite struct ReachingKindTests {
    /// A folder with a kind-ci.yml whose config port is `port` (and docker and API ports).
    static func project(config port: Int, docker: Int = 2375, api: Int = 8443,
                        timeouts: String = "{docker: 30s, kubernetes: 30s}") throws -> TemporaryFolder {
        let folder = try TemporaryFolder()
        try folder.write("kind-ci.yml", "kind:\n  ports: {config: \(port), docker: \(docker), api: \(api)}\n  timeouts: \(timeouts)\n")
        return folder
    }

    /// A project reaching both stand-ins of `kind`.
    static func project(_ kind: FakeKindAPI) throws -> TemporaryFolder {
        try project(config: kind.config.port, api: kind.apiPort)
    }

    /// Where a test's kubeconfig goes: never the developer's own.
    static func kubeconfig(_ folder: TemporaryFolder) -> [String] {
        ["--kubeconfig", folder.url.appendingPathComponent("home/.kube/config").path]
    }

    static let noCI: [String: String?] = ["GITLAB_CI": nil, "GITHUB_ACTIONS": nil, "KIND_CI_HOST": nil, "KIND_CI_CONFIG": nil,
                                          "KIND_CI_SHARD": nil, "KIND_CI_SHARDS": nil, "CI_NODE_INDEX": nil, "CI_NODE_TOTAL": nil,
                                          "DOCKER_HOST": "unix:///nonexistent.sock", "CI_JOB_TIMEOUT": nil, "KIND_CI_JOB_TIMEOUT": nil]

    @Test func waitsThroughRefusedAndNotYetToReady() throws {
        let kind = try FakeKindAPI(["--refuse-for", "1s", "--docker-ready-after", "1.5s", "--kubernetes-ready-after", "2.5s"])
        let standIn = kind.config
        let folder = try Self.project(kind)
        let result = try KindCIBinary.run(["run", "--host", "127.0.0.1", "--until", "kubernetes"] + Self.kubeconfig(folder),
                                          in: folder.url, environment: Self.noCI)
        #expect(result.status == 0, "\(result.stderr)")
        let noProxy = ProcessInfo.processInfo.environment["NO_PROXY"].map { $0.isEmpty ? "" : "\($0)," } ?? ""
        #expect(result.stdout == "DOCKER_HOST=tcp://127.0.0.1:2375\nKIND_CI_HOST=127.0.0.1\nNO_PROXY=\(noProxy)127.0.0.1\n"
            + "KIND_CI_SHARD=1\nKIND_CI_SHARDS=1\nKUBECONFIG=\(folder.url.path)/home/.kube/config\n")
        let log = result.stderr
        let states = ["connection refused", "docker-ready at 127.0.0.1:\(standIn.port): ready", "kubernetes-ready at 127.0.0.1:\(standIn.port): not yet (404)",
                      "Kubernetes v1.23.10 is ready"]
        let positions = states.map { log.range(of: $0)?.lowerBound }
        #expect(!positions.contains(nil), "\(log)")
        #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted(), "states out of order:\n\(log)")
        #expect(try String(contentsOf: folder.url.appendingPathComponent(".kind-ci/env"), encoding: .utf8) == result.stdout)
    }

    @Test func detectsKindAmongTheNamesAJobCanSee() throws {
        let kind = try FakeKindAPI()
        let folder = try Self.project(kind)
        let result = try KindCIBinary.run(["run", "--until", "kubernetes"] + Self.kubeconfig(folder), in: folder.url, environment: Self.noCI)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("KIND_CI_HOST=localhost\n"))
        #expect(result.stderr.contains("found kind at localhost (a Kubernetes executor's pod, or ports published on this host)"))
        let verbose = try KindCIBinary.run(["run", "--verbose", "--until", "kubernetes"] + Self.kubeconfig(folder), in: folder.url,
                                           environment: Self.noCI)
        #expect(verbose.stderr.contains("no host named: a kind `up` started, else the first of kind, bsycorp-kind, bsycorp__kind, localhost to answer"))
        #expect(verbose.stderr.contains("docker within 30s, Kubernetes within 30s, no overall deadline"), "\(verbose.stderr)")
    }

    @Test func aNameThatNeverResolvesExits75() throws {
        let folder = try Self.project(config: 10080, timeouts: "{docker: 2s, kubernetes: 3s}")
        let result = try KindCIBinary.run(["run", "--until", "kubernetes"], in: folder.url,
                                          environment: Self.noCI.merging(["KIND_CI_HOST": "kind.invalid"]) { $1 })
        #expect(result.status == ExitStatus.kindNotReady.rawValue)
        #expect(result.stderr.contains("kind's host 'kind.invalid' (from KIND_CI_HOST) never resolved in 2."), "\(result.stderr)")
        #expect(result.stderr.contains("Is the name right?"))
    }

    @Test func refusedThroughoutSaysKindMustRunPrivileged() throws {
        let folder = try Self.project(config: try FreePort.next(), timeouts: "{docker: 2s, kubernetes: 3s}")
        let result = try KindCIBinary.run(["run", "--host", "127.0.0.1", "--until", "kubernetes"], in: folder.url, environment: Self.noCI)
        #expect(result.status == ExitStatus.kindNotReady.rawValue)
        #expect(result.stderr.contains("kind is not running at 127.0.0.1:"), "\(result.stderr)")
        #expect(result.stderr.contains(" connections in 2."), "\(result.stderr)")
        #expect(result.stderr.contains("s were refused."))
        #expect(result.stderr.contains("privileged = true"))
    }

    @Test func inGitLabLogsEachPhaseIsASection() throws {
        let kind = try FakeKindAPI(["--kubernetes-ready-after", "1s"])
        let folder = try Self.project(kind)
        let result = try KindCIBinary.run(["run", "--host", "127.0.0.1", "--until", "kubernetes"] + Self.kubeconfig(folder), in: folder.url,
                                          environment: Self.noCI.merging(["GITLAB_CI": "true"]) { $1 })
        #expect(result.status == 0)
        #expect(result.stderr.contains(":kind_ci_docker\r\u{1B}[0KWaiting for kind's docker"))
        #expect(result.stderr.contains("section_end:"))
    }

    /// On a terminal the wait is one live line, redrawn in place with the elapsed time.
    @Test func onATerminalTheStateIsALiveLine() throws {
        let kind = try FakeKindAPI(["--kubernetes-ready-after", "2s"])
        let standIn = kind.config
        let folder = try Self.project(kind)
        // `script` gives kind-ci a pseudo-terminal as its standard error.
        let command = "cd \(folder.url.path) && \(KindCIBinary.path) run --host 127.0.0.1 --until kubernetes \(Self.kubeconfig(folder).joined(separator: " "))"
        let result = try Command.run("/usr/bin/script", ["-qec", command, "/dev/null"],
                                     environment: Self.noCI.merging(["NO_COLOR": "1", "TERM": "xterm"]) { $1 })
        #expect(result.status == 0, "\(result.stdout)")
        #expect(result.stdout.contains("\r\u{1B}[2K    kubernetes-ready at 127.0.0.1:\(standIn.port): not yet (404) ("), "\(result.stdout.debugDescription)")
        #expect(!result.stdout.contains("\u{1B}[1m"), "NO_COLOR leaves colour out")
    }

    @Test func sigtermStopsTheWaitAndExits143() async throws {
        let standIn = try ConfigEndpointStandIn(["--never-kubernetes"])
        let folder = try Self.project(config: standIn.port, timeouts: "{docker: 60s, kubernetes: 10m}")
        let running = try KindCIBinary.start(["run", "--host", "127.0.0.1", "--until", "kubernetes"], in: folder.url, environment: Self.noCI)
        #expect(try await running.waitForLog("kubernetes-ready at 127.0.0.1"), "\(running.stderr)")
        running.process.terminate()
        let result = running.finish()
        #expect(result.status == ExitStatus.terminated.rawValue, "\(result.stderr)")
        #expect(result.stderr.contains("stopped by SIGTERM"))
    }

    /// Docker up, Kubernetes never: the evidence comes from kind's docker (here the test daemon on
    /// its TCP port) holding kube-system containers.
    @Test(.enabled(if: TestDocker.enabled))
    func kubernetesNeverReadyShowsTheKubeSystemContainers() throws {
        let tcp = try #require(TestDocker.tcp, "no test dockerd: run scripts/test")
        let dockerPort = try #require(Int(tcp.split(separator: ":").last ?? ""))
        try FakeKind.build()
        let pod = "kube-apiserver-\(UUID().uuidString.prefix(8).lowercased())"
        let container = try TestDocker.docker(["run", "-d", "--label", "io.kubernetes.pod.namespace=kube-system",
                                               "--label", "io.kubernetes.container.name=kube-apiserver", "--label", "io.kubernetes.pod.name=\(pod)",
                                               FakeKind.busybox, "sh", "-c", "echo 'E1127 listen tcp 0.0.0.0:8443: bind: address already in use'; exit 1"])
        defer { _ = try? TestDocker.docker(["rm", "-f", container]) }
        _ = try TestDocker.docker(["wait", container])
        let standIn = try ConfigEndpointStandIn(["--never-kubernetes"])
        let folder = try Self.project(config: standIn.port, docker: dockerPort, timeouts: "{docker: 20s, kubernetes: 3s}")
        let result = try KindCIBinary.run(["run", "--host", "127.0.0.1", "--until", "kubernetes"], in: folder.url, environment: Self.noCI)
        #expect(result.status == ExitStatus.kindNotReady.rawValue)
        #expect(result.stderr.contains("Kubernetes in kind at 127.0.0.1 did not become ready in"), "\(result.stderr)")
        #expect(result.stderr.contains("kube-apiserver: exited (1)"), "\(result.stderr)")
        #expect(result.stderr.contains("last: E1127 listen tcp 0.0.0.0:8443: bind: address already in use"))
        let diagnostics = folder.url.appendingPathComponent(".kind-ci/diagnostics/kind")
        let files = try FileManager.default.contentsOfDirectory(atPath: diagnostics.path)
        #expect(files.contains("containers.txt"))
        let log = try #require(files.first { $0.hasPrefix("\(pod)_kube-apiserver_") })
        #expect(try String(contentsOf: diagnostics.appendingPathComponent(log), encoding: .utf8).contains("address already in use"))
    }

    /// Builds need kind's docker, not its config endpoint, which is a container on that docker and
    /// serves docker-ready a second or more later: a named kind whose docker answers is ready.
    @Test(.enabled(if: TestDocker.enabled))
    func aNamedKindIsReadyWhenItsDockerAnswers() throws {
        let dockerPort = try #require(Int(TestDocker.tcp?.split(separator: ":").last ?? ""), "no test dockerd: run scripts/test")
        let standIn = try ConfigEndpointStandIn(["--docker-ready-after", "600s"])
        let folder = try Self.project(config: standIn.port, docker: dockerPort, timeouts: "{docker: 60s, kubernetes: 60s}")
        let result = try KindCIBinary.run(["run", "--host", "127.0.0.1", "--until", "images"], in: folder.url, environment: Self.noCI)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("Waiting for kind's docker: ready at 127.0.0.1 (--host; its docker answers)"), "\(result.stderr)")
    }

    /// On `localhost` another daemon may listen on 2375 (a docker-in-docker service, the machine's
    /// own): there only the config endpoint's docker-ready counts.
    @Test(.enabled(if: TestDocker.enabled))
    func aDockerOnLocalhostIsNotTakenForKinds() throws {
        let dockerPort = try #require(Int(TestDocker.tcp?.split(separator: ":").last ?? ""), "no test dockerd: run scripts/test")
        // The daemon really answers there, or the test would prove nothing.
        try TestDocker.docker(["version"])
        let standIn = try ConfigEndpointStandIn(["--docker-ready-after", "600s"])
        let folder = try Self.project(config: standIn.port, docker: dockerPort, timeouts: "{docker: 3s, kubernetes: 60s}")
        let result = try KindCIBinary.run(["run", "--until", "images"], in: folder.url, environment: Self.noCI)
        #expect(result.status == ExitStatus.kindNotReady.rawValue, "\(result.stderr)")
        #expect(result.stderr.contains("kind's config endpoint at localhost:\(standIn.port) answers, but never served docker-ready"), "\(result.stderr)")
    }
}
