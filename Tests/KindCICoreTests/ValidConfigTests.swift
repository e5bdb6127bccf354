import Foundation
import Testing
@testable import KindCICore

@Suite struct ValidConfigTests {
    static let full = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/valid/full/kind-ci.yml")

    @Test func readsEveryKeyOfTheFullFile() throws {
        let configuration = try ConfigLoader.load(path: Self.full.path)
        #expect(configuration.directory == Self.full.deletingLastPathComponent().path)
        #expect(configuration.kind.image.description == "bsycorp/kind:v1.22.4")
        #expect(configuration.kind.host == "kind")
        #expect(configuration.kind.ports == { var ports = KindPorts(); ports.docker = 12375; ports.api = 18443; ports.config = 20080; return ports }())
        #expect(configuration.kind.timeouts.docker == ConfigDuration(seconds: 90))
        #expect(configuration.kind.timeouts.kubernetes == ConfigDuration(seconds: 5400))

        try #require(configuration.build.count == 2)
        let app = configuration.build[0]
        #expect(app.image.registry == "registry.example.com:5000")
        #expect(app.image.path == "team/example-app")
        #expect(app.image.tag == "ci-1")
        #expect(app.environmentVariable == "KIND_CI_IMAGE_APP")
        #expect(app.dockerfilePath == "app/Dockerfile")
        // Scalars keep their spelling: 1.0 is not turned into 1, "~" is not null.
        #expect(app.args == [BuildArgument(name: "VERSION", value: "1.0"),
                             BuildArgument(name: "QUOTED", value: "it's: # here"),
                             BuildArgument(name: "EMPTY", value: "~")])
        #expect(app.target == "runtime")
        #expect(app.labels == [BuildArgument(name: "org.example.team", value: "platform")])
        #expect(app.builder == nil)
        #expect(app.cacheFrom.map(\.description) == ["registry.example.com:5000/team/example-app:main",
                                                     "registry.example.com:5000/team/example-app:latest"])
        #expect(configuration.build[1].cacheFrom.map(\.description) == ["worker:main"])
        #expect(app.replaces.map(\.description) == ["ghcr.io/example-org/shop/example-app", "example-app"])
        #expect(app.deployed && !configuration.build[1].deployed)
        #expect(app.position == SourcePosition(line: 9, column: 12) && configuration.file == Self.full.path)
        #expect(configuration.build[1].builder == .cli)
        #expect(configuration.builder == .native)
        #expect(configuration.buildJobs == 2)
        #expect(configuration.build[1].environmentVariable == "KIND_CI_IMAGE_WORKER")

        #expect(configuration.deploy == [
            .manifests(["k8s/"]),
            .manifests(["k8s/*.yaml", "k8s/namespace.yaml"], namespace: "team-a"),
            .run("./scripts/seed.sh \"with 'quotes'\" && echo done"),
        ])
        #expect(configuration.wait.timeout == .minutes(2))
        #expect(configuration.wait.tolerate == .untilDeadline)
        #expect(configuration.test?.run == "./scripts/integration-test.sh --junit reports/junit.xml")
        #expect(configuration.test?.reports == ["reports/*.xml", "other/report.xml"])
        #expect(configuration.test?.timeout == .minutes(10))
        #expect(configuration.test?.shardFiles == ["tests/**/*_test.sh"])
        #expect(configuration.timeout == .minutes(45))
        #expect(configuration.bake.images.map(\.description) == ["redis:7", "registry.example.com:5000/team/tool:1.2"])
        #expect(configuration.bake.before == "echo before the pulls" && configuration.bake.after == "docker image prune -f")
        #expect(configuration.allowOutside && configuration.strictImages)
    }

    /// What `config show` prints loads back to the same configuration.
    @Test func roundTripsThroughItsOwnYAML() throws {
        let configuration = try ConfigLoader.load(path: Self.full.path)
        let text = try configuration.yamlText()
        let again = try ConfigLoader.decode(Data(text.utf8), path: "shown.yml", directory: Self.full.deletingLastPathComponent())
        #expect(Self.placeless(again) == Self.placeless(configuration))
    }

    /// The configuration without where it was written (file name, lines), which a reprint changes.
    private static func placeless(_ configuration: Configuration) -> Configuration {
        var copy = configuration
        copy.file = ""
        for index in copy.build.indices { copy.build[index].position = SourcePosition(line: 0, column: 0) }
        return copy
    }

    /// Files as real repositories have them: a byte-order mark from a Windows editor, and merge
    /// keys whose anchors sit under an `x-` key, as Compose files keep them.
    @Test func readsAByteOrderMarkMergeKeysAndExtensionKeys() throws {
        let text = """
            \u{FEFF}x-build: &build {context: ., args: {MODE: ci}}
            build:
              - <<: *build
                image: web:ci
              - <<: *build
                image: api:ci
                args: {MODE: api}
            test: {run: ./test.sh}

            """
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kind-ci-merge-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("FROM scratch\n".utf8).write(to: folder.appendingPathComponent("Dockerfile"))
        let configuration = try ConfigLoader.decode(Data(text.utf8), path: "ci/kind.yml", directory: folder)
        #expect(configuration.build.map(\.image.description) == ["web:ci", "api:ci"])
        #expect(configuration.build.map { $0.args.map(\.value) } == [["ci"], ["api"]])
        // A key no merge supplies is still checked, and the file is named as the user gave it.
        let problems = try #require(throws: ConfigProblems.self) {
            try ConfigLoader.decode(Data("x-a: &a {contxt: .}\nbuild: [{<<: *a, image: web:ci}]\nbogus: 1\n".utf8), path: "ci/kind.yml", directory: folder)
        }
        let report = problems.render(style: .plain)
        #expect(report.contains("ci/kind.yml:3:1: error: kind.yml: unknown key 'bogus'"), "\(report)")
        #expect(report.contains("unknown key 'contxt'"), "\(report)")
    }

    @Test func fillsInDefaultsForAMinimalFile() throws {
        let configuration = try ConfigLoader.decode(Data("test: {run: ./test.sh}\n".utf8), path: "min.yml",
                                                    directory: URL(fileURLWithPath: "/"))
        #expect(configuration.kind.image.description == "bsycorp/kind:latest-1.23")
        #expect(configuration.kind.host == nil)
        #expect(configuration.kind.ports == KindPorts())
        #expect(configuration.kind.timeouts.docker == .minutes(3))
        #expect(configuration.kind.timeouts.kubernetes == .minutes(6))
        #expect(configuration.wait.timeout == .minutes(5))
        #expect(configuration.buildJobs == 8 && configuration.builder == .native)
        #expect(configuration.build.isEmpty && configuration.deploy.isEmpty && configuration.timeout == nil)
    }

    @Test(arguments: ["bsycorp/kind:latest-1.18", "bsycorp/kind:latest-1.23", "bsycorp/kind:v1.23.10",
                      "docker.io/bsycorp/kind:latest-1.20", "registry.example.com/ci/kind-baked:1.0"])
    func acceptsSupportedKindImages(image: String) throws {
        let configuration = try ConfigLoader.decode(Data("kind: {image: \(image)}\n".utf8), path: "k.yml",
                                                    directory: URL(fileURLWithPath: "/"))
        #expect(configuration.kind.image.description == image)
    }

    @Test(arguments: ["bsycorp/kind:latest-1.9", "bsycorp/kind:latest-1.17", "bsycorp/kind:v1.15.3",
                      "bsycorp/kind:latest", "bsycorp/kind:latest-1.24", "bsycorp/kind:nightly"])
    func refusesUnsupportedKindImages(image: String) throws {
        let problems = try #require(throws: ConfigProblems.self) {
            try ConfigLoader.decode(Data("kind: {image: \(image)}\n".utf8), path: "k.yml", directory: URL(fileURLWithPath: "/"))
        }
        #expect(problems.diagnostics.map(\.subject) == ["kind.image"])
    }

    @Test func refusesAFileOverTheSizeLimitBeforeReadingIt() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kind-ci-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("kind-ci.yml")
        try Data(repeating: UInt8(ascii: "#"), count: ConfigLoader.maximumFileSize + 1).write(to: file)
        let problems = try #require(throws: ConfigProblems.self) { try ConfigLoader.load(path: file.path) }
        #expect(problems.render(style: .plain).contains("the file is \(ConfigLoader.maximumFileSize + 1) bytes"))
    }

    @Test func saysWhenTheFileIsMissingOrAFolder() throws {
        let missing = try #require(throws: ConfigFileUnreadable.self) { try ConfigLoader.load(path: "/nonexistent/kind-ci.yml") }
        #expect(missing.reason == .missing)
        #expect(missing.exitStatus == .badConfiguration)
        let folder = try #require(throws: ConfigFileUnreadable.self) { try ConfigLoader.load(path: "/tmp") }
        #expect(folder.reason == .folder)
    }
}
