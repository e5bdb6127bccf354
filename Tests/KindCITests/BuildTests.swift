import Foundation
import KindCICore
import Testing
import TestSupport

/// Images built into "kind's docker": the test dockerd on its loopback TCP port, announced by the
/// config-endpoint stand-in, exactly as `run` reaches a real kind.
@Suite(.enabled(if: TestDocker.enabled))
struct BuildTests {
    let standIn: ConfigEndpointStandIn
    let dockerPort: Int

    init() throws {
        try FakeKind.build()
        standIn = try ConfigEndpointStandIn(["--kubernetes-ready-after", "0s"])
        dockerPort = try #require(Int(TestDocker.tcp?.split(separator: ":").last ?? ""), "no test dockerd: run scripts/test")
    }

    /// A project folder with `kind-ci.yml` (kind section prepended) and files.
    func project(_ config: String, files: [String: String] = [:]) throws -> TemporaryFolder {
        let folder = try TemporaryFolder()
        try folder.write("kind-ci.yml", "kind:\n  ports: {config: \(standIn.port), docker: \(dockerPort)}\n" + config)
        for (path, text) in files { try folder.write(path, text) }
        return folder
    }

    func run(_ folder: TemporaryFolder, _ extra: [String] = [], environment: [String: String?] = [:]) throws -> KindCIBinary.Result {
        try KindCIBinary.run(["run", "--host", "127.0.0.1", "--until", "images"] + extra, in: folder.url,
                             environment: ReachingKindTests.noCI.merging(environment) { $1 })
    }

    static func tag() -> String { "kind-ci-test/built-\(UUID().uuidString.prefix(8).lowercased()):ci" }

    static let busyboxBase = "FROM \(FakeKind.busybox)\n"

    @Test func multiStageTargetArgsAndLabelsShapeTheImage() throws {
        let image = Self.tag()
        let folder = try project("""
            build:
              - image: \(image)
                name: app
                context: app
                args: {GREETING: "hello from args"}
                target: runtime
                labels: {org.example.team: platform}

            """, files: ["app/Dockerfile": Self.busyboxBase + """
                ARG GREETING=default
                RUN echo "$GREETING" > /greeting
                FROM \(FakeKind.busybox) AS runtime
                COPY --from=0 /greeting /greeting
                CMD ["cat", "/greeting"]
                FROM runtime AS never
                RUN exit 1

                """])
        defer { _ = try? TestDocker.docker(["rmi", "-f", image]) }
        let result = try run(folder)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("KIND_CI_IMAGE_APP=\(image)\n"))
        #expect(result.stderr.contains("[\(image)] Step 1/"))
        #expect(try TestDocker.docker(["run", "--rm", image]) == "hello from args")
        #expect(try TestDocker.docker(["inspect", "-f", "{{index .Config.Labels \"org.example.team\"}}", image]) == "platform")
        let log = folder.url.appendingPathComponent(".kind-ci/build/\(image.replacing("/", with: "_").replacing(":", with: "_")).log")
        #expect(try String(contentsOf: log, encoding: .utf8).contains("Successfully tagged \(image)"))
    }

    @Test func dockerignoreKeepsALargeFileFromBeingSent() throws {
        let image = Self.tag()
        let folder = try project("build:\n  - image: \(image)\n", files: [
            "Dockerfile": Self.busyboxBase + "COPY . /context/\n",
            ".dockerignore": "big/\n*.tmp\n!keep.tmp\n",
            "keep.tmp": "kept\n", "drop.tmp": "dropped\n", "src/main.txt": "main\n",
        ])
        try folder.write("big/blob.bin", "")
        try Data(count: 64 << 20).write(to: folder.url.appendingPathComponent("big/blob.bin"))
        defer { _ = try? TestDocker.docker(["rmi", "-f", image]) }
        let result = try run(folder)
        #expect(result.status == 0, "\(result.stderr)")
        let listing = try TestDocker.docker(["run", "--rm", image, "find", "/context"])
        #expect(listing.contains("/context/src/main.txt") && listing.contains("/context/keep.tmp"))
        #expect(!listing.contains("drop.tmp") && !listing.contains("big"))
        // The 64 MiB blob was never sent: the context is a few KiB.
        #expect(result.stderr.contains(" KiB of context sent"), "\(result.stderr)")
    }

    @Test func aDockerfileOutsideTheContextBuilds() throws {
        let image = Self.tag()
        let folder = try project("build:\n  - image: \(image)\n    context: src\n    dockerfile: ../ci/app.Dockerfile\n", files: [
            "ci/app.Dockerfile": Self.busyboxBase + "COPY hello.txt /hello.txt\nCMD [\"cat\", \"/hello.txt\"]\n",
            "src/hello.txt": "outside\n",
        ])
        defer { _ = try? TestDocker.docker(["rmi", "-f", image]) }
        let result = try run(folder)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try TestDocker.docker(["run", "--rm", image]) == "outside")
    }

    /// `dockerfile` is relative to the context, as Compose users write it: `context: web` with
    /// `dockerfile: Dockerfile`, and a named Dockerfile in a folder of its context.
    @Test func theDockerfileIsFoundInsideTheContext() throws {
        let web = Self.tag()
        let api = Self.tag()
        let folder = try project("""
            build:
              - image: \(web)
                context: web
                dockerfile: Dockerfile
              - image: \(api)
                context: services/api
                dockerfile: docker/api.Dockerfile
            """, files: [
                "web/Dockerfile": Self.busyboxBase + "COPY page.txt /page.txt\nCMD [\"cat\", \"/page.txt\"]\n",
                "web/page.txt": "web page\n",
                "services/api/docker/api.Dockerfile": Self.busyboxBase + "COPY reply.txt /reply.txt\nCMD [\"cat\", \"/reply.txt\"]\n",
                "services/api/reply.txt": "api reply\n",
            ])
        defer { _ = try? TestDocker.docker(["rmi", "-f", web, api]) }
        let result = try run(folder)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try TestDocker.docker(["run", "--rm", web]) == "web page")
        #expect(try TestDocker.docker(["run", "--rm", api]) == "api reply")
    }

    @Test func aFailingRunNamesTheStepAndExits65() throws {
        let folder = try project("build:\n  - image: \(Self.tag())\n", files: [
            "Dockerfile": Self.busyboxBase + "RUN echo preparing\nRUN echo 'compiler says no' >&2; exit 7\n",
        ])
        let result = try run(folder)
        #expect(result.status == ExitStatus.imageBuildFailed.rawValue, "\(result.stderr)")
        #expect(result.stderr.contains("failed at Step 3/3 : RUN echo 'compiler says no' >&2; exit 7"), "\(result.stderr)")
        #expect(result.stderr.contains("  | compiler says no"))
        #expect(result.stderr.contains("returned a non-zero code: 7"))
        #expect(result.stderr.contains("full log: "))
    }

    @Test func aContextThatCannotBeReadIsTheImagesFailureNotKindsAndIsNotRetried() throws {
        let image = Self.tag()
        let folder = try project("build:\n  - image: \(image)\n", files: ["Dockerfile": Self.busyboxBase])
        try Data([0x66, 0xff, 0xfe, 0x0a]).write(to: folder.url.appendingPathComponent(".dockerignore"))
        let result = try run(folder)
        #expect(result.status == ExitStatus.imageBuildFailed.rawValue, "\(result.stderr)")
        #expect(result.stderr.contains(image), "\(result.stderr)")
        #expect(!result.stderr.contains("dropped") && !result.stderr.contains("building again"), "\(result.stderr)")
    }

    @Test func aRefusedBuildGivesTheDaemonsReason() throws {
        // The daemon refuses the request itself (not a step): one `{"message": ...}` line.
        let folder = try project("build:\n  - image: \(Self.tag())\n", files: ["Dockerfile": Self.busyboxBase + "BOGUS everything\n"])
        let result = try run(folder)
        #expect(result.status == ExitStatus.imageBuildFailed.rawValue, "\(result.stderr)")
        #expect(result.stderr.contains("unknown instruction: BOGUS"), "\(result.stderr)")
    }

    /// The cluster not coming up makes the builds pointless: they are stopped when it fails, not
    /// run to their end first.
    @Test func aClusterThatNeverBootsStopsTheBuildsThen() throws {
        let never = try ConfigEndpointStandIn(["--never-kubernetes"])
        let folder = try TemporaryFolder()
        try folder.write("kind-ci.yml", """
            kind:
              ports: {config: \(never.port), docker: \(dockerPort)}
              timeouts: {kubernetes: 4s}
            build:
              - image: \(Self.tag())

            """)
        try folder.write("Dockerfile", Self.busyboxBase + "RUN echo building && sleep 600\n")
        let result = try KindCIBinary.run(["run", "--host", "127.0.0.1", "--until", "kubernetes"], in: folder.url,
                                          environment: ReachingKindTests.noCI)
        #expect(result.status == ExitStatus.kindNotReady.rawValue, "\(result.stderr)")
        #expect(result.stderr.contains("kubernetes-ready"), "\(result.stderr)")
        #expect(result.stderr.contains("Building 1 image into kind's docker: cancelled"), "\(result.stderr)")
    }

    @Test(arguments: [2, 5])
    func buildsSeveralImagesInParallel(count: Int) throws {
        let images = (0..<count).map { _ in Self.tag() }
        var config = "build_jobs: 3\nbuild:\n"
        var files: [String: String] = [:]
        for (index, image) in images.enumerated() {
            config += "  - image: \(image)\n    name: image-\(index)\n    context: image\(index)\n"
            files["image\(index)/Dockerfile"] = Self.busyboxBase + "RUN echo \(index) > /index\n"
        }
        let folder = try project(config, files: files)
        defer { for image in images { _ = try? TestDocker.docker(["rmi", "-f", image]) } }
        let result = try run(folder)
        #expect(result.status == 0, "\(result.stderr)")
        for (index, image) in images.enumerated() {
            #expect(result.stdout.contains("KIND_CI_IMAGE_IMAGE_\(index)=\(image)\n"))
            #expect(try TestDocker.docker(["run", "--rm", image, "cat", "/index"]) == String(index))
        }
    }

    /// The examples' app: a `debian:12-slim` image (made locally by scripts/test-base-images) with
    /// `apt-get install` in its build, serving its page.
    @Test func theExampleAppBuildsFromDebian() throws {
        let image = Self.tag()
        let folder = try project("build:\n  - image: \(image)\n    context: hello\n")
        try FileManager.default.copyItem(at: Repository.root.appendingPathComponent("examples/gitlab/hello"),
                                         to: folder.url.appendingPathComponent("hello"))
        defer { _ = try? TestDocker.docker(["rmi", "-f", image]) }
        let result = try run(folder)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("Step 2/"), "\(result.stderr)")
        let page = try TestDocker.docker(["run", "--rm", image, "sh", "-c",
                                          "busybox httpd -p 8080 -h /srv/www && busybox wget -qO- http://127.0.0.1:8080/"])
        #expect(page.contains("Hello from kind-ci!"))
    }

    /// A base image only a registry with auth has: the credentials go with the build, from
    /// `REGISTRY_*` or the job's docker config file, and never into the log.
    @Test func pullsAPrivateBaseImageWithCredentials() throws {
        let registry = try TestRegistry()
        let base = try registry.push(FakeKind.busybox, as: "private/base:\(UUID().uuidString.prefix(8).lowercased())")
        let image = Self.tag()
        let folder = try project("build:\n  - image: \(image)\n", files: ["Dockerfile": "FROM \(base)\nRUN echo private > /made\n"])
        defer { _ = try? TestDocker.docker(["rmi", "-f", image, base]) }

        let anonymous = try run(folder, environment: ["DOCKER_CONFIG": "/nonexistent"])
        #expect(anonymous.status == ExitStatus.imageBuildFailed.rawValue, "\(anonymous.stderr)")
        #expect(anonymous.stderr.contains("no basic auth credentials"), "\(anonymous.stderr)")

        let fromEnvironment = try run(folder, environment: ["DOCKER_CONFIG": "/nonexistent", "REGISTRY": registry.address,
                                                            "REGISTRY_USER": registry.user, "REGISTRY_PASSWORD": registry.password])
        #expect(fromEnvironment.status == 0, "\(fromEnvironment.stderr)")
        #expect(!fromEnvironment.stderr.contains(registry.password) && !fromEnvironment.stdout.contains(registry.password))
        #expect(try TestDocker.docker(["run", "--rm", image, "cat", "/made"]) == "private")

        try TestDocker.docker(["rmi", "-f", image, base])
        let fromConfigFile = try run(folder, environment: ["DOCKER_CONFIG": registry.dockerConfig.path])
        #expect(fromConfigFile.status == 0, "\(fromConfigFile.stderr)")
    }

    /// `builder: cli` runs the docker CLI with BuildKit, so BuildKit-only syntax works there and
    /// not in the classic builder; without a CLI the error says so.
    @Test func theCLIBuilderHandlesBuildKitSyntax() throws {
        let image = Self.tag()
        let dockerfile = Self.busyboxBase + "RUN --mount=type=tmpfs,target=/scratch echo buildkit > /scratch/x && cp /scratch/x /made\n"
        let cli = try project("builder: cli\nbuild:\n  - image: \(image)\n", files: ["Dockerfile": dockerfile])
        defer { _ = try? TestDocker.docker(["rmi", "-f", image]) }
        // Debian's 20.10 CLI uses the daemon's own BuildKit; the 28.x one on this machine would need buildx.
        let path = "/usr/bin:/bin"
        let result = try run(cli, environment: ["PATH": path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try TestDocker.docker(["run", "--rm", image, "cat", "/made"]) == "buildkit")

        let native = try project("build:\n  - image: \(Self.tag())\n", files: ["Dockerfile": dockerfile])
        #expect(try run(native).status == ExitStatus.imageBuildFailed.rawValue)

        let missing = try run(cli, environment: ["PATH": "/nonexistent"])
        #expect(missing.status == ExitStatus.badConfiguration.rawValue, "\(missing.stderr)")
        #expect(missing.stderr.contains("`builder: cli` needs the docker CLI"))
    }
}
