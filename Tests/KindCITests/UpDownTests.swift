import Foundation
import KindCICore
import Testing
import TestSupport

/// `up`, `down` and `run --up` against the real test dockerd, with images that play kind.
/// `--run-option` stands in for `--privileged`, which this sandbox refuses (testing-here.md).
/// One at a time: several start kind under its default name, and `run` and `down` find it by its labels.
@Suite(.enabled(if: TestDocker.enabled), .serialized)
struct UpDownTests {
    static let runOption = "--run-option=--cap-add=NET_ADMIN"

    /// A project whose kind-ci.yml names `image` and free host ports (docker, api, config).
    static func project(image: String, kubernetesTimeout: String = "30s") throws -> (TemporaryFolder, [Int]) {
        let folder = try TemporaryFolder()
        let ports = try (0..<3).map { _ in try FreePort.next() }
        try folder.write("kind-ci.yml", """
            kind:
              image: \(image)
              ports: {docker: \(ports[0]), api: \(ports[1]), config: \(ports[2])}
              timeouts: {docker: 30s, kubernetes: \(kubernetesTimeout)}

            """)
        return (folder, ports)
    }

    static var environment: [String: String?] {
        ["DOCKER_HOST": TestDocker.host, "DOCKER_TLS_VERIFY": nil, "KIND_CI_HOST": nil, "KIND_CI_CONFIG": nil,
         "GITLAB_CI": nil, "GITHUB_ACTIONS": nil, "CI_JOB_TIMEOUT": nil]
    }

    init() throws {
        try FakeKind.build()
    }

    @Test func upIsIdempotentRunFindsItAndDownRemovesIt() throws {
        let (folder, ports) = try Self.project(image: FakeKind.ready)
        let up = try KindCIBinary.run(["up", Self.runOption], in: folder.url, environment: Self.environment)
        #expect(up.status == 0, "\(up.stderr)")
        #expect(up.stdout == "kind is up at 127.0.0.1: docker \(ports[0]), api \(ports[1]), config \(ports[2])\n")
        let id = try TestDocker.docker(["inspect", "-f", "{{.Id}}", "kind-ci"])
        #expect(try TestDocker.docker(["inspect", "-f", "{{index .Config.Labels \"io.kind-ci.role\"}}", "kind-ci"]) == "kind")
        #expect(try TestDocker.docker(["port", "kind-ci", "10080/tcp"]) == "127.0.0.1:\(ports[2])")

        let again = try KindCIBinary.run(["up", Self.runOption], in: folder.url, environment: Self.environment)
        #expect(again.status == 0)
        #expect(again.stderr.contains("kind is already up as kind-ci"))
        #expect(try TestDocker.docker(["inspect", "-f", "{{.Id}}", "kind-ci"]) == id)

        let run = try KindCIBinary.run(["run", "--until", "images"], in: folder.url, environment: Self.environment)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("ready at 127.0.0.1 (started by `kind-ci up` as kind-ci; docker-ready is served)"), "\(run.stderr)")

        let down = try KindCIBinary.run(["down"], in: folder.url, environment: Self.environment)
        #expect(down.stdout == "removed kind kind-ci (\(id.prefix(12)))\n")
        #expect(try !TestDocker.containerExists("kind-ci"))
        #expect(try KindCIBinary.run(["down"], in: folder.url, environment: Self.environment).stdout == "no kind to remove\n")
    }

    /// A daemon on another machine (docker:dind at tcp://docker:2375; here the test daemon behind
    /// 127.0.0.2): kind is published on its interfaces and reached under the daemon's name.
    @Test func onAnotherMachinesDaemonKindIsReachedByItsName() throws {
        let tcp = try #require(TestDocker.tcp)
        let daemon = try FaultProxy(to: tcp, host: "127.0.0.2")
        let (folder, ports) = try Self.project(image: FakeKind.ready)
        var environment = Self.environment
        environment["DOCKER_HOST"] = "tcp://127.0.0.2:\(daemon.port)"
        let up = try KindCIBinary.run(["up", Self.runOption], in: folder.url, environment: environment)
        defer { _ = try? KindCIBinary.run(["down"], in: folder.url, environment: environment) }
        #expect(up.status == 0, "\(up.stderr)")
        #expect(up.stdout == "kind is up at 127.0.0.2: docker \(ports[0]), api \(ports[1]), config \(ports[2])\n", "\(up.stderr)")
        #expect(up.stderr.contains("ports on 127.0.0.2"), "\(up.stderr)")
        let run = try KindCIBinary.run(["run", "--until", "images"], in: folder.url, environment: environment)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("KIND_CI_HOST=127.0.0.2\n"), "\(run.stdout)")
    }

    @Test func registryCredentialsReachKindAndNeverTheLog() throws {
        let (folder, _) = try Self.project(image: FakeKind.ready)
        let name = "kind-ci-test-\(UUID().uuidString.prefix(8).lowercased())"
        let secret = "s3cr3t-\(UUID().uuidString)"
        let environment = Self.environment.merging(["REGISTRY": "registry.example.com", "REGISTRY_USER": "ci",
                                                    "REGISTRY_PASSWORD": secret]) { $1 }
        let result = try KindCIBinary.run(["up", "--name", name, Self.runOption, "--verbose"], in: folder.url, environment: environment)
        defer { _ = try? TestDocker.docker(["rm", "-f", name]) }
        #expect(result.status == 0, "\(result.stderr)")
        let env = try TestDocker.docker(["inspect", "-f", "{{json .Config.Env}}", name])
        #expect(env.contains("REGISTRY=registry.example.com") && env.contains("REGISTRY_USER=ci") && env.contains("REGISTRY_PASSWORD=\(secret)"))
        #expect(!result.stdout.contains(secret) && !result.stderr.contains(secret))
    }

    @Test func runUpRemovesKindEvenWhenTheRunFails() throws {
        let (folder, _) = try Self.project(image: FakeKind.stuck, kubernetesTimeout: "3s")
        let name = "kind-ci-test-\(UUID().uuidString.prefix(8).lowercased())"
        let result = try KindCIBinary.run(["run", "--up", "--name", name, Self.runOption, "--until", "kubernetes"],
                                          in: folder.url, environment: Self.environment)
        #expect(result.status == ExitStatus.kindNotReady.rawValue, "\(result.stderr)")
        #expect(result.stderr.contains("started kind as \(name)"))
        // --until keeps kind for the job's own steps; without it, kind goes whatever the outcome.
        #expect(try TestDocker.containerExists(name))
        _ = try? TestDocker.docker(["rm", "-f", name])

        let full = try KindCIBinary.run(["run", "--up", "--name", name, Self.runOption], in: folder.url, environment: Self.environment)
        #expect(full.status == ExitStatus.kindNotReady.rawValue, "\(full.stderr)")
        #expect(full.stderr.contains("removed kind \(name)"))
        #expect(try !TestDocker.containerExists(name))
    }

    @Test func sigtermDuringRunUpStillRemovesKind() async throws {
        let (folder, _) = try Self.project(image: FakeKind.stuck, kubernetesTimeout: "10m")
        let name = "kind-ci-test-\(UUID().uuidString.prefix(8).lowercased())"
        let running = try KindCIBinary.start(["run", "--up", "--name", name, Self.runOption], in: folder.url, environment: Self.environment)
        #expect(try await running.waitForLog("kubernetes-ready at 127.0.0.1"), "\(running.stderr)")
        running.process.terminate()
        let result = running.finish()
        #expect(result.status == ExitStatus.terminated.rawValue, "\(result.stderr)")
        #expect(result.stderr.contains("removed kind \(name)"))
        #expect(try !TestDocker.containerExists(name))
    }

    /// Bitbucket's docker service holds localhost:2375 itself: kind's docker port moves aside.
    @Test func aPortTheDaemonItselfHoldsMovesAside() throws {
        let tcp = try #require(TestDocker.tcp, "no test dockerd: run scripts/test")
        let daemonPort = try #require(Int(tcp.split(separator: ":").last ?? ""))
        let (folder, ports) = try Self.project(image: FakeKind.ready)
        try folder.write("kind-ci.yml", try String(contentsOf: folder.url.appendingPathComponent("kind-ci.yml"), encoding: .utf8)
            .replacing("docker: \(ports[0])", with: "docker: \(daemonPort)"))
        var environment = Self.environment
        environment["DOCKER_HOST"] = "tcp://\(tcp)"
        defer { _ = try? KindCIBinary.run(["down"], in: folder.url, environment: environment) }
        let up = try KindCIBinary.run(["up", Self.runOption], in: folder.url, environment: environment)
        #expect(up.status == 0, "\(up.stderr)")
        #expect(up.stderr.contains("kind's port goes to \(daemonPort + 10000) instead"))
        #expect(up.stdout == "kind is up at 127.0.0.1: docker \(daemonPort + 10000), api \(ports[1]), config \(ports[2])\n")
    }

    @Test func aTakenPortIsAClearError() async throws {
        let (folder, ports) = try Self.project(image: FakeKind.ready)
        let configPort = ports[2]
        let holder = try ConfigEndpointStandIn([], port: configPort)
        try await Task.sleep(for: .milliseconds(500))
        _ = holder
        let name = "kind-ci-test-\(UUID().uuidString.prefix(8).lowercased())"
        let result = try KindCIBinary.run(["up", "--name", name, Self.runOption], in: folder.url, environment: Self.environment)
        #expect(result.status == ExitStatus.badConfiguration.rawValue, "\(result.stderr)")
        #expect(result.stderr.contains("port \(configPort) on 127.0.0.1 is taken"), "\(result.stderr)")
        #expect(try !TestDocker.containerExists(name))
    }

    @Test func anImageThatCannotBePulledIsAClearError() throws {
        let (folder, _) = try Self.project(image: FakeKind.ready)
        let result = try KindCIBinary.run(["up", "--image", "kind-ci-test/missing:1", "--name", "kind-ci-missing", Self.runOption],
                                          in: folder.url, environment: Self.environment)
        #expect([ExitStatus.kindNotReady.rawValue, ExitStatus.badConfiguration.rawValue].contains(result.status), "\(result.stderr)")
        #expect(result.stderr.contains("cannot pull kind-ci-test/missing:1"), "\(result.stderr)")
    }

    /// This sandbox refuses `--privileged` ("unable to apply caps"), which is what a locked-down
    /// runner does: the error must say so. Where privileged works, kind simply starts.
    @Test func aDaemonRefusingPrivilegedIsAClearError() throws {
        let (folder, _) = try Self.project(image: FakeKind.ready)
        let name = "kind-ci-test-\(UUID().uuidString.prefix(8).lowercased())"
        let result = try KindCIBinary.run(["up", "--name", name], in: folder.url, environment: Self.environment)
        defer { _ = try? KindCIBinary.run(["down", "--name", name], in: folder.url, environment: Self.environment) }
        if result.status != 0 {
            #expect(result.status == ExitStatus.badConfiguration.rawValue)
            #expect(result.stderr.contains("the Docker daemon would not start kind privileged"), "\(result.stderr)")
            #expect(try !TestDocker.containerExists(name))
        }
    }

    /// The Codeship shape: kind-ci itself runs in a container on the daemon, so kind joins that
    /// container's network and is reached by name, with no port published on the host.
    @Test func fromAJobContainerKindJoinsItsNetwork() throws {
        let (folder, _) = try Self.project(image: FakeKind.ready)
        let network = "kci-net-\(UUID().uuidString.prefix(8).lowercased())"
        try TestDocker.docker(["network", "create", network])
        defer { _ = try? TestDocker.docker(["network", "rm", network]) }
        let socket = try #require(TestDocker.host?.replacing("unix://", with: ""))
        let job = try Command.run("/usr/bin/docker", [
            "run", "--rm", "--network", network,
            "-v", "\(KindCIBinary.path):/kind-ci:ro", "-v", "/opt/swift:/opt/swift:ro", "-v", "/usr:/usr:ro",
            "-v", "/lib:/lib:ro", "-v", "/lib64:/lib64:ro", "-v", "\(socket):/var/run/docker.sock", "-v", "\(folder.url.path):/w",
            "-w", "/w", "-e", "DOCKER_HOST=unix:///var/run/docker.sock",
            FakeKind.busybox, "/kind-ci", "run", "--up", Self.runOption, "--until", "images",
        ], environment: ["DOCKER_HOST": TestDocker.host])
        let kind = try TestDocker.docker(["ps", "-a", "-q", "--filter", "network=\(network)", "--filter", "label=io.kind-ci.role=kind"])
        defer { if !kind.isEmpty { _ = try? TestDocker.docker(["rm", "-f", kind]) } }
        #expect(job.status == 0, "\(job.stderr)")
        #expect(job.stdout.contains("KIND_CI_HOST=kind-ci-"), "\(job.stdout)")
        #expect(job.stderr.contains("on network \(network)"))
        #expect(!kind.isEmpty)
        #expect(try TestDocker.docker(["inspect", "-f", "{{json .NetworkSettings.Ports}}", kind]).contains("HostPort") == false)
    }
}
