import Foundation
import Yams

/// The `kind-ci.yml` schema: turns the composed document into a `Configuration`, checking types,
/// keys and meaning (image names, unique build names, paths that exist) as it goes.
struct ConfigDecoder {
    let reader = NodeReader()
    /// The folder holding the file, for the checks that paths exist and stay inside it.
    let directory: URL
    private let containment: PathContainment
    /// `allow_outside: true`: paths may lead out of `directory`.
    private var allowOutside = false

    init(directory: URL) {
        self.directory = directory
        containment = PathContainment(directory: directory)
    }

    mutating func decode(_ root: Node) -> Configuration {
        var configuration = Configuration(directory: directory.path)
        let topKeys = ["version", "kind", "build", "builder", "build_jobs", "deploy", "wait", "test", "timeout", "allow_outside", "bake"]
        guard let fields = reader.mapping(root, "kind-ci.yml", keys: topKeys,
                                          example: "a mapping such as 'test: {run: ./test.sh}'") else {
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
        if let node = fields["build_jobs"] {
            if let jobs = node.int, (1...32).contains(jobs) {
                configuration.buildJobs = jobs
            } else {
                reader.report(node, "build_jobs", "expected a number of parallel builds from 1 to 32, found \(NodeReader.describe(node))",
                              fix: "write e.g. 'build_jobs: 3'")
            }
        }
        if let node = fields["deploy"] { configuration.deploy = readDeploy(node) }
        if let node = fields["wait"] { configuration.wait = readWait(node) }
        if let node = fields["test"] { configuration.test = readTest(node) }
        if let node = fields["timeout"] { configuration.timeout = reader.duration(node, "timeout") }
        if let node = fields["bake"] { configuration.bake = readBake(node) }
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

    private func readKind(_ node: Node) -> KindSettings {
        var kind = KindSettings()
        guard let fields = reader.mapping(node, "kind", keys: ["image", "host", "ports", "timeouts"],
                                          example: "'kind: {image: bsycorp/kind:latest-1.23}'") else { return kind }
        if let node = fields["image"], let image = readImage(node, "kind.image") {
            if let problem = KindImagePolicy.problem(with: image) {
                reader.report(node, "kind.image", problem.message, fix: problem.fix)
            } else {
                kind.image = image
            }
        }
        if let node = fields["host"] { kind.host = readHost(node) }
        if let node = fields["ports"],
           let ports = reader.mapping(node, "kind.ports", keys: ["docker", "api", "config"],
                                      example: "'ports: {docker: 2375, api: 8443, config: 10080}'") {
            let defaults = KindPorts()
            if let node = ports["docker"], let port = reader.port(node, "kind.ports.docker", example: "'docker: \(defaults.docker)'") {
                kind.ports.docker = port
            }
            if let node = ports["api"], let port = reader.port(node, "kind.ports.api", example: "'api: \(defaults.api)'") {
                kind.ports.api = port
            }
            if let node = ports["config"], let port = reader.port(node, "kind.ports.config", example: "'config: \(defaults.config)'") {
                kind.ports.config = port
            }
        }
        if let node = fields["timeouts"],
           let timeouts = reader.mapping(node, "kind.timeouts", keys: ["docker", "kubernetes"],
                                         example: "'timeouts: {docker: 3m, kubernetes: 6m}'") {
            if let node = timeouts["docker"], let value = reader.duration(node, "kind.timeouts.docker") {
                kind.timeouts.docker = value
            }
            if let node = timeouts["kubernetes"], let value = reader.duration(node, "kind.timeouts.kubernetes") {
                kind.timeouts.kubernetes = value
            }
        }
        return kind
    }

    /// A bare host name or IP address: the scheme and ports have keys of their own.
    private func readHost(_ node: Node) -> String? {
        guard let host = reader.string(node, "kind.host", example: "'host: kind'") else { return nil }
        let allowed = host.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || ".-_:".contains($0)) }
        guard allowed, !host.contains("://") else {
            reader.report(node, "kind.host", "expected a host name or IP address, found '\(host)'",
                          fix: "write only the host, e.g. 'host: kind'; ports go under 'kind.ports'")
            return nil
        }
        return host
    }

    private func readImage(_ node: Node, _ subject: String, example: String = "'image: example-app:ci'") -> ImageReference? {
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

    private func readBuild(_ node: Node) -> [BuildEntry] {
        guard let items = reader.sequence(node, "build", example: "'- image: example-app:ci'") else { return [] }
        var entries: [BuildEntry] = []
        var firstByName: [String: Int] = [:]
        for (index, item) in items.enumerated() {
            let subject = "build[\(index)]"
            guard let entry = readBuildEntry(item, subject) else { continue }
            let nameNode = item.mapping?["name"] ?? item.mapping?["image"]
            if let first = firstByName[entry.environmentName] {
                reader.report(nameNode, subject,
                              "its name \(entry.environmentName) is already used by build[\(first)]; both would set \(entry.environmentVariable)",
                              fix: "give one of them a distinct 'name:', e.g. 'name: \(entry.name ?? entry.image.lastPathSegment)-2'")
            } else {
                firstByName[entry.environmentName] = index
            }
            entries.append(entry)
        }
        return entries
    }

    private func readBuildEntry(_ node: Node, _ subject: String) -> BuildEntry? {
        let keys = ["image", "name", "context", "dockerfile", "args", "target", "labels", "builder", "cache_from"]
        guard let fields = reader.mapping(node, subject, keys: keys, example: "'- image: example-app:ci'") else { return nil }
        let imageNode = fields["image"]
        let image = imageNode.flatMap { readBuildImage($0, "\(subject).image") }
        if imageNode == nil {
            reader.report(node, subject, "missing 'image', the name to build the image as",
                          fix: "add e.g. 'image: example-app:ci'")
        }
        // The other keys are read even without a usable image, so that all their problems show at once.
        var name: String?
        if let node = fields["name"], let text = reader.string(node, "\(subject).name", example: "'name: app'") {
            if text.contains(where: { $0.isASCII && ($0.isLetter || $0.isNumber) }) {
                name = text
            } else {
                reader.report(node, "\(subject).name", "'\(text)' has no letter or digit to name a variable by",
                              fix: "write e.g. 'name: app' (it becomes KIND_CI_IMAGE_APP)")
            }
        }
        var context = "."
        var contextInside = true
        if let node = fields["context"], let text = reader.string(node, "\(subject).context", example: "'context: .'") {
            context = text
            contextInside = staysInside(text, node, "\(subject).context")
            if contextInside, !exists(text, folder: true) {
                reader.report(node, "\(subject).context", "folder '\(text)' does not exist",
                              fix: "paths are relative to the folder holding the configuration file; name an existing folder")
            }
        }
        var dockerfile: String?
        if let node = fields["dockerfile"] {
            dockerfile = reader.string(node, "\(subject).dockerfile", example: "'dockerfile: Dockerfile'")
            if let dockerfile, staysInside(dockerfile, node, "\(subject).dockerfile"), !exists(dockerfile, folder: false) {
                reader.report(node, "\(subject).dockerfile", "file '\(dockerfile)' does not exist",
                              fix: "paths are relative to the folder holding the configuration file, not to the context")
            }
        } else if let image, fields.complete, contextInside, exists(context, folder: true),
                  case let path = BuildEntry.defaultDockerfile(inContext: context), !exists(path, folder: false) {
            reader.report(imageNode, subject, "there is no '\(path)' to build '\(image)' from",
                          fix: "add that Dockerfile, or name yours with 'dockerfile:'")
        }
        let args = fields["args"].flatMap {
            reader.stringPairs($0, "\(subject).args", example: "'args: {VERSION: \"1.0\"}'")
        }
        let target = fields["target"].flatMap { reader.string($0, "\(subject).target", example: "'target: runtime'") }
        let labels = fields["labels"].flatMap {
            reader.stringPairs($0, "\(subject).labels", example: "'labels: {org.opencontainers.image.source: ci}'")
        }
        let builder = fields["builder"].flatMap { readBuilder($0, "\(subject).builder") }
        let cacheFrom = fields["cache_from"].map { readCacheFrom($0, "\(subject).cache_from") } ?? []
        guard let image else { return nil }
        var entry = BuildEntry(image: image)
        entry.name = name
        entry.context = context
        entry.dockerfile = dockerfile
        entry.args = args?.map { BuildArgument(name: $0.key, value: $0.value) } ?? []
        entry.target = target
        entry.labels = labels?.map { BuildArgument(name: $0.key, value: $0.value) } ?? []
        entry.builder = builder
        entry.cacheFrom = cacheFrom
        return entry
    }

    /// One image reference or a list of them; every item is checked, so all bad ones show at once.
    private func readCacheFrom(_ node: Node, _ subject: String) -> [ImageReference] {
        let example = "'cache_from: registry.example.com/team/app:main'"
        guard let items = node.sequence.map(Array.init) else { return readImage(node, subject, example: example).map { [$0] } ?? [] }
        if items.isEmpty {
            reader.report(node, subject, "expected at least one image, found an empty list", fix: "write it as \(example), or leave it out")
        }
        return items.enumerated().compactMap { index, item in readImage(item, "\(subject)[\(index)]", example: example) }
    }

    /// The name an image is built as: tagged, and not `latest`, since kind's pods would try to pull it.
    private func readBuildImage(_ node: Node, _ subject: String) -> ImageReference? {
        guard let image = readImage(node, subject) else { return nil }
        let tagged = "\(image.registry.map { "\($0)/" } ?? "")\(image.path):ci"
        if image.digest != nil {
            reader.report(node, subject, "'\(image)' names a digest, but a build produces a tag",
                          fix: "name it by a tag, e.g. '\(tagged)'")
            return nil
        }
        guard let tag = image.tag, tag != "latest" else {
            reader.report(node, subject,
                          "'\(image)' needs a tag other than 'latest': pods always pull a latest or untagged image, and kind runs yours from its own docker without a registry",
                          fix: "add a tag, e.g. '\(tagged)'")
            return nil
        }
        return image
    }

    private func readBuilder(_ node: Node, _ subject: String) -> Builder? {
        let names = Builder.allCases.map(\.rawValue)
        guard let text = reader.string(node, subject, example: "'builder: native'") else { return nil }
        guard let builder = Builder(rawValue: text) else {
            reader.report(node, subject, "expected \(names.joined(separator: " or ")), found '\(text)'",
                          fix: "write 'builder: native' (kind's docker API) or 'builder: cli' (the docker CLI, for BuildKit-only syntax)")
            return nil
        }
        return builder
    }

    private func readDeploy(_ node: Node) -> [DeployStep] {
        guard let items = reader.sequence(node, "deploy", example: "'- manifests: k8s/'") else { return [] }
        return items.enumerated().compactMap { index, item in readDeployStep(item, "deploy[\(index)]") }
    }

    private func readDeployStep(_ node: Node, _ subject: String) -> DeployStep? {
        let example = "'- manifests: k8s/' or '- run: ./scripts/seed.sh'"
        guard let fields = reader.mapping(node, subject, keys: ["manifests", "namespace", "run"], example: example) else { return nil }
        if let namespaceNode = fields["namespace"], fields["manifests"] == nil {
            reader.report(namespaceNode, "\(subject).namespace", "'namespace' belongs to a 'manifests' step",
                          fix: "move it to the '- manifests: ...' step whose objects it is for")
        }
        switch (fields["manifests"], fields["run"]) {
        case let (manifests?, nil):
            guard let paths = reader.strings(manifests, "\(subject).manifests", example: "'manifests: k8s/'") else { return nil }
            let pathNodes = manifests.sequence.map(Array.init) ?? [manifests]
            for (path, pathNode) in zip(paths, pathNodes) where staysInside(path, pathNode, "\(subject).manifests") && !matchesSomething(path) {
                reader.report(pathNode, "\(subject).manifests",
                              Glob.isPattern(path) ? "'\(path)' matches no file" : "'\(path)' does not exist",
                              fix: "paths are relative to the folder holding the configuration file")
            }
            var namespace: String?
            if let node = fields["namespace"], let name = reader.string(node, "\(subject).namespace", example: "'namespace: app'") {
                if Self.isDNSLabel(name) {
                    namespace = name
                } else {
                    reader.report(node, "\(subject).namespace", "'\(name)' is not a namespace name",
                                  fix: "use lower-case letters, digits and '-', at most 63, starting and ending with a letter or digit")
                }
            }
            return .manifests(paths, namespace: namespace)
        case let (nil, run?):
            return reader.string(run, "\(subject).run", example: "'run: ./scripts/seed.sh'").map { .run($0) }
        case (.some, .some):
            reader.report(fields.entries["run"]?.key, "\(subject)", "has both 'manifests' and 'run'; a step does one thing",
                          fix: "split it into two steps: '- manifests: ...' then '- run: ...'")
            return nil
        case (nil, nil):
            reader.report(node, subject, "expected 'manifests' or 'run'", fix: "write it as \(example)")
            return nil
        }
    }

    private func readWait(_ node: Node) -> WaitSettings {
        var wait = WaitSettings()
        guard let fields = reader.mapping(node, "wait", keys: ["timeout", "tolerate"], example: "'wait: {timeout: 3m}'") else { return wait }
        if let node = fields["timeout"], let timeout = reader.duration(node, "wait.timeout") {
            wait.timeout = timeout
        }
        if let node = fields["tolerate"], let text = reader.string(node, "wait.tolerate", example: "'tolerate: until-deadline'") {
            if let tolerance = WaitSettings.Tolerance(rawValue: text) {
                wait.tolerate = tolerance
            } else {
                reader.report(node, "wait.tolerate", "expected 'none' or 'until-deadline', found '\(text)'",
                              fix: "'until-deadline' waits out pods stuck pulling or crashing; 'none' (the default) fails at once")
            }
        }
        return wait
    }

    private func readTest(_ node: Node) -> TestSettings? {
        let example = "'test: {run: ./scripts/integration-test.sh}'"
        guard let fields = reader.mapping(node, "test", keys: ["run", "reports", "timeout", "shard"], example: example) else { return nil }
        guard let runNode = fields["run"] else {
            reader.report(node, "test", "missing 'run', the command that runs the tests", fix: "add e.g. 'run: ./scripts/integration-test.sh'")
            return nil
        }
        guard let run = reader.string(runNode, "test.run", example: "'run: ./scripts/integration-test.sh'") else { return nil }
        var test = TestSettings(run: run)
        if let node = fields["reports"] {
            test.reports = reader.strings(node, "test.reports", example: "'reports: reports/*.xml'") ?? []
            checkInside(test.reports, node, "test.reports")
        }
        if let node = fields["timeout"] {
            test.timeout = reader.duration(node, "test.timeout")
        }
        if let node = fields["shard"], let shard = reader.mapping(node, "test.shard", keys: ["files"], example: "'shard: {files: \"tests/**/*_test.sh\"}'") {
            if let files = shard["files"] {
                test.shardFiles = reader.strings(files, "test.shard.files", example: "'files: \"tests/**/*_test.sh\"'") ?? []
                checkInside(test.shardFiles, files, "test.shard.files")
            } else {
                reader.report(node, "test.shard", "missing 'files', the test files to split across the parallel jobs",
                              fix: "add e.g. 'files: \"tests/**/*_test.sh\"'")
            }
        }
        return test
    }

    private func readBake(_ node: Node) -> BakeSettings {
        var bake = BakeSettings()
        guard let fields = reader.mapping(node, "bake", keys: ["images", "before", "after"],
                                          example: "'bake: {images: [redis:7]}'") else { return bake }
        if let node = fields["images"] {
            let example = "'images: [redis:7, registry.example.com/team/tool:1.2]'"
            if let items = reader.sequence(node, "bake.images", example: example) {
                bake.images = items.enumerated().compactMap { index, item in readImage(item, "bake.images[\(index)]", example: example) }
            }
        }
        bake.before = fields["before"].flatMap { reader.string($0, "bake.before", example: "'before: ./scripts/bake-before.sh'") }
        bake.after = fields["after"].flatMap { reader.string($0, "bake.after", example: "'after: ./scripts/bake-after.sh'") }
        return bake
    }

    /// A Kubernetes namespace name (RFC 1123 label).
    static func isDNSLabel(_ name: String) -> Bool {
        let characters = Array(name.utf8)
        func alphanumeric(_ c: UInt8) -> Bool { (c >= 97 && c <= 122) || (c >= 48 && c <= 57) }
        guard let first = characters.first, let last = characters.last, characters.count <= 63 else { return false }
        return alphanumeric(first) && alphanumeric(last) && characters.allSatisfy { alphanumeric($0) || $0 == 45 }
    }

    /// Whether `path` stays inside the configuration's folder (or may leave it); reports it when not.
    private func staysInside(_ path: String, _ node: Node, _ subject: String) -> Bool {
        guard !allowOutside, let escape = containment.escape(of: path) else { return true }
        reader.report(node, subject, "'\(path)': \(escape)",
                      fix: "keep the paths of kind-ci.yml inside its folder, or add 'allow_outside: true' to it if the job really needs files from elsewhere")
        return false
    }

    /// `staysInside` for each of a list's items, located at the item (or the whole value when it is one string).
    private func checkInside(_ paths: [String], _ node: Node, _ subject: String) {
        let nodes = node.sequence.map(Array.init) ?? [node]
        for (path, item) in zip(paths, nodes) { _ = staysInside(path, item, subject) }
    }

    private func resolve(_ path: String) -> URL {
        path.hasPrefix("/") ? URL(fileURLWithPath: path) : directory.appendingPathComponent(path)
    }

    private func exists(_ path: String, folder: Bool) -> Bool {
        var isFolder: ObjCBool = false
        return FileManager.default.fileExists(atPath: resolve(path).path, isDirectory: &isFolder) && isFolder.boolValue == folder
    }

    private func matchesSomething(_ path: String) -> Bool {
        Glob.isPattern(path) ? !Glob.matches(resolve(path).path).isEmpty
            : FileManager.default.fileExists(atPath: resolve(path).path)
    }
}
