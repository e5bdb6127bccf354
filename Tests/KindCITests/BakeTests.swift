import Foundation
import KindCICore
import Testing
import TestSupport

/// `kind-ci bake` (heavier tier), with the kind stand-in image as the base (a real inner dockerd
/// whose cache is restored from /docker-cache.tar.lz4 at start, as kind's start.sh does) and a real
/// registry with htpasswd auth.
@Suite(.enabled(if: ReleaseBinary.path != nil && TestDocker.enabled), .serialized)
struct BakeTests {
    static let base = "kind-ci-test/kind-standin:bake"
    let registry: TestRegistry
    /// An image only the registry has, run by the manifests.
    let privateImage: String

    init() throws {
        try FakeKind.build()
        try KindStandInImage.build(tag: Self.base)
        registry = try TestRegistry(everywhere: true)
        privateImage = try registry.push(FakeKind.busybox, as: "private/app-\(UUID().uuidString.prefix(8).lowercased()):1.0")
    }

    /// A project baking the manifests' private image and, from the outer docker, `extra`.
    func project(extra: [String] = [FakeKind.busybox]) throws -> TemporaryFolder {
        let folder = try TemporaryFolder()
        let ports = try (0..<3).map { _ in try FreePort.next() }
        let gateway = try self.gateway
        try folder.write("kind-ci.yml", """
            kind:
              image: \(Self.base)
              ports: {docker: \(ports[0]), api: \(ports[1]), config: \(ports[2])}
            deploy:
              - manifests: app.yaml
            bake:
              images: [\(extra.joined(separator: ", "))]
              # Inside kind, 127.0.0.1 is kind itself: the registry is reached at the gateway instead.
              before: >-
                echo before-hook ran; FaultProxy --port \(registryPort) --to \(gateway):\(registryPort) </dev/null >/dev/null 2>&1 &
                until bash -c 'exec 3<>/dev/tcp/127.0.0.1/\(registryPort)' 2>/dev/null; do sleep 0.2; done
              after: echo after-hook ran

            """)
        try folder.write("app.yaml", DeployTests.deployment("app", container: #"{name: app, image: "\#(privateImage)", command: ["sleep", "3600"]}"#))
        return folder
    }

    static let runOptions = KindStandInImage.privilegedOptions.map { "--run-option=\($0)" }

    var registryPort: String { String(registry.address.split(separator: ":").last ?? "") }

    /// Where a container on the test dockerd's default network reaches this machine.
    var gateway: String {
        get throws { try TestDocker.docker(["network", "inspect", "bridge", "-f", "{{(index .IPAM.Config 0).Gateway}}"]) }
    }

    func bake(_ folder: TemporaryFolder, push: Bool = true, tag: String? = nil) throws -> KindCIBinary.Result {
        try KindCIBinary.run(["bake", "--tag", tag ?? "\(registry.address)/team/kind:{hash}"] + (push ? ["--push"] : []) + Self.runOptions,
                             in: folder.url, environment: ReachingKindTests.noCI.merging([
                                 "DOCKER_HOST": TestDocker.host, "DOCKER_CONFIG": "/nonexistent", "REGISTRY": registry.address,
                                 "REGISTRY_USER": registry.user, "REGISTRY_PASSWORD": registry.password,
                             ]) { $1 })
    }

    @Test func aBakedImageStartsWithItsImagesAndPodsNeedNoPull() throws {
        let folder = try project()
        let result = try bake(folder)
        #expect(result.status == 0, "\(result.stderr)")
        let tag = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(tag.wholeMatch(of: try Regex("\(NSRegularExpression.escapedPattern(for: registry.address))/team/kind:[0-9a-f]{12}")) != nil, "\(tag)")
        defer { _ = try? TestDocker.docker(["rmi", "-f", tag]) }
        for words in ["[bake.before] before-hook ran", "[\(privateImage)] pulled in", "[\(FakeKind.busybox)] copied in",
                      "[bake.after] after-hook ran", "committed \(tag)", "it starts with 2 images in its docker", "pushing \(tag)"] {
            #expect(result.stderr.contains(words), "\(words) missing:\n\(result.stderr)")
        }
        // The base image's configuration, not the bake container's: its command, ports and volume, and no labels of kind-ci's.
        let inspect = "{{json .Config.Cmd}} {{json .Config.ExposedPorts}} {{json .Config.Volumes}} {{json .Config.Env}} {{json .Config.Labels}}"
        let baked = try TestDocker.docker(["inspect", "-f", inspect, tag])
        let original = try TestDocker.docker(["inspect", "-f", inspect, Self.base])
        #expect(baked == original)
        try expectNoSecrets(in: tag)

        // The same inputs again: the registry has the tag, so there is nothing to do.
        let again = try bake(folder)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == tag)
        #expect(again.stderr.contains("exists already in its registry: the same inputs, no work"), "\(again.stderr)")
        #expect(!again.stderr.contains("Baking "))

        // A pipeline with the baked kind and no way to pull: the registry gone, no credentials.
        try TestDocker.docker(["rmi", "-f", privateImage])
        registry.stop()
        // A name of its own: UpDownTests run beside this suite with kind's default name.
        let name = "kind-ci-baked-\(UUID().uuidString.prefix(8).lowercased())"
        let run = try KindCIBinary.run(["run", "--up", "--name", name, "--image", tag, "--until", "ready"] + Self.runOptions
                                       + ReachingKindTests.kubeconfig(folder),
                                       in: folder.url, environment: ReachingKindTests.noCI.merging(["DOCKER_HOST": TestDocker.host]) { $1 })
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("[\(privateImage)] already in kind's docker"), "\(run.stderr)")
        #expect(run.stderr.contains("1 ready"), "\(run.stderr)")
        _ = try? KindCIBinary.run(["down", "--name", name], in: folder.url, environment: ["DOCKER_HOST": TestDocker.host])
    }

    /// Planted credentials (the registry's, sent with every pull) are nowhere in what was committed:
    /// not in its files, its cache, its configuration or its history.
    func expectNoSecrets(in tag: String) throws {
        let scratch = try TemporaryFolder()
        let saved = scratch.url.appendingPathComponent("image.tar")
        try TestDocker.docker(["save", "-o", saved.path, tag])
        let container = try TestDocker.docker(["create", tag])
        defer { _ = try? TestDocker.docker(["rm", "-f", container]) }
        let cache = scratch.url.appendingPathComponent("docker-cache.tar.lz4")
        try TestDocker.docker(["cp", "\(container):/docker-cache.tar.lz4", cache.path])
        let unpacked = try Command.run("/usr/bin/lz4", ["-d", "-f", cache.path, scratch.url.appendingPathComponent("docker-cache.tar").path])
        #expect(unpacked.status == 0, "\(unpacked.stderr)")
        let secrets = [registry.password, Data("\(registry.user):\(registry.password)".utf8).base64EncodedString()]
        var leaks: [String] = []
        for file in ["image.tar", "docker-cache.tar"] {
            let data = try Data(contentsOf: scratch.url.appendingPathComponent(file), options: .alwaysMapped)
            for secret in secrets where data.range(of: Data(secret.utf8)) != nil { leaks.append("\(file) holds \(secret.prefix(4))…") }
        }
        let described = try TestDocker.docker(["history", "--no-trunc", tag]) + (try TestDocker.docker(["inspect", tag]))
        for secret in secrets where described.contains(secret) { leaks.append("history or configuration holds \(secret.prefix(4))…") }
        Ledger.record(.secret, "bake", "planted", count: secrets.count)
        Ledger.record(.secret, "bake", "leaked", count: leaks.count)
        #expect(leaks.isEmpty, "\(leaks)")
    }

    @Test func aMissingImageFailsBeforeAnythingIsPushed() throws {
        let missing = "\(registry.address)/team/never-pushed:1.0"
        let folder = try project(extra: [missing])
        let result = try bake(folder)
        #expect(result.status == ExitStatus.imageBuildFailed.rawValue, "\(result.stderr)")
        #expect(result.stderr.contains("1 image could not be baked in; nothing was committed or pushed"), "\(result.stderr)")
        #expect(result.stderr.contains("\(missing): "), "\(result.stderr)")
        #expect(!result.stderr.contains("pushing "))
        // Nothing left behind: no kind of the bake's, and no such tag in the registry.
        #expect(try TestDocker.docker(["ps", "-a", "--filter", "name=kind-ci-bake", "-q"]).isEmpty)
        let tag = try #require(result.stderr.firstMatch(of: try Regex("as (\(NSRegularExpression.escapedPattern(for: registry.address))/team/kind:[0-9a-f]{12})"))?
            .output[1].substring.map(String.init), "\(result.stderr)")
        let pull = try Command.run("/usr/bin/docker", ["--config", registry.dockerConfig.path, "pull", tag], environment: ["DOCKER_HOST": TestDocker.host])
        #expect(pull.status != 0 && (pull.stderr + pull.stdout).contains("manifest unknown"), "\(pull.stderr)")
    }

    /// A tag without {hash} says nothing of its inputs: it is baked again; and a bake that fails
    /// leaves what the tag named before as it was.
    @Test func aTagWithoutHashIsBakedAgainAndAFailedBakeKeepsWhatItNamed() throws {
        let tag = "kind-ci-test/kind-fixed-\(UUID().uuidString.prefix(8).lowercased()):main"
        try TestDocker.docker(["tag", FakeKind.busybox, tag])
        defer { _ = try? TestDocker.docker(["rmi", tag]) }
        let before = try TestDocker.docker(["image", "inspect", "-f", "{{.Id}}", tag])
        let folder = try project(extra: ["\(registry.address)/team/never-pushed:1.0"])
        let result = try bake(folder, push: false, tag: tag)
        #expect(result.stderr.contains("--tag has no {hash}: baking, since an existing \(tag) says nothing of what it was baked from"), "\(result.stderr)")
        #expect(result.status == ExitStatus.imageBuildFailed.rawValue, "\(result.stderr)")
        #expect(try TestDocker.docker(["image", "inspect", "-f", "{{.Id}}", tag]) == before)
    }
}
