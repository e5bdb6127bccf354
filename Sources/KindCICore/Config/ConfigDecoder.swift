import Foundation
import Yams

/// The `kind-ci.yml` schema: turns the composed document into a `Configuration`, checking types,
/// keys and meaning (image names, unique build names, paths that exist) as it goes. Each section
/// has its reader in `ConfigDecoder+<Section>.swift`; the path checks are in `ConfigDecoder+Paths`.
struct ConfigDecoder {
    let reader = NodeReader()
    /// The folder holding the file, for the checks that paths exist and stay inside it.
    let directory: URL
    let containment: PathContainment
    /// `allow_outside: true`: paths may lead out of `directory`.
    private(set) var allowOutside = false

    /// The file's name, for messages that speak of it.
    let fileName: String

    init(directory: URL, fileName: String = ConfigLoader.defaultFileName) {
        self.directory = directory
        self.fileName = fileName
        containment = PathContainment(directory: directory, fileName: fileName)
    }

    mutating func decode(_ root: Node) -> Configuration {
        var configuration = Configuration(directory: directory.path)
        let topKeys = ["version", "kind", "build", "builder", "build_jobs", "deploy", "wait", "test", "timeout", "allow_outside", "strict_images", "bake"]
        guard let fields = reader.mapping(root, fileName, keys: topKeys,
                                          example: "a mapping such as 'test: {run: ./test.sh}'", extensions: true) else {
            return configuration
        }
        // First: every path below is judged by it.
        if let node = fields["allow_outside"], let allowed = reader.bool(node, "allow_outside", example: "'allow_outside: true'") {
            allowOutside = allowed
            configuration.allowOutside = allowed
        }
        if let node = fields["version"] { readVersion(node) }
        if let node = fields["kind"] { configuration.kind = readKind(node) }
        if let node = fields["build"] { configuration.build = readBuild(node) }
        if let node = fields["builder"], let builder = readBuilder(node, "builder") { configuration.builder = builder }
        if let node = fields["build_jobs"], let jobs = readBuildJobs(node) { configuration.buildJobs = jobs }
        if let node = fields["deploy"] { configuration.deploy = readDeploy(node) }
        if let node = fields["wait"] { configuration.wait = readWait(node) }
        if let node = fields["test"] { configuration.test = readTest(node) }
        if let node = fields["timeout"] { configuration.timeout = reader.duration(node, "timeout") }
        if let node = fields["bake"] { configuration.bake = readBake(node) }
        if let node = fields["strict_images"], let strict = reader.bool(node, "strict_images", example: "'strict_images: true'") {
            configuration.strictImages = strict
        }
        return configuration
    }

    private func readVersion(_ node: Node) {
        let current = Configuration.currentVersion
        guard let version = node.int else {
            reader.report(node, "version", "expected the number \(current), found \(NodeReader.describe(node))",
                          fix: "write 'version: \(current)'")
            return
        }
        guard version == current else {
            reader.report(node, "version", "this kind-ci reads version \(current) files, not version \(version)",
                          fix: version > current ? "upgrade kind-ci" : "write 'version: \(current)'")
            return
        }
    }

    /// An image name, reported where it is not one (`kind.image`, `build`, `bake.images`).
    func readImage(_ node: Node, _ subject: String, example: String = "'image: example-app:ci'") -> ImageReference? {
        guard let text = reader.string(node, subject, example: example) else { return nil }
        switch ImageReference.parse(text) {
        case let .success(image):
            return image
        case let .failure(problem):
            reader.report(node, subject, "'\(text)' is not an image name: \(problem.reason)",
                          fix: "write a name such as 'example-app:ci' or 'registry.example.com/team/app:1.2'")
            return nil
        }
    }
}
