import Foundation
import Yams

/// `build:`, `builder` and `build_jobs`: the images to build, each checked for a usable name, a
/// context and Dockerfile that exist, and names that set distinct variables.
extension ConfigDecoder {
    func readBuild(_ node: Node) -> [BuildEntry] {
        guard let items = reader.sequence(node, "build", example: "'- image: example-app:ci'") else { return [] }
        var entries: [BuildEntry] = []
        var firstByName: [String: Int] = [:]
        var claimedBy: [String: Int] = [:]
        for (index, item) in items.enumerated() {
            let subject = "build[\(index)]"
            guard let (entry, replacesNodes) = readBuildEntry(item, subject) else { continue }
            // One repository, one build: otherwise which of them a container runs would be a guess.
            let claims = [(entry.image, item.mapping?["image"])] + zip(entry.replaces, replacesNodes).map { ($0, Optional($1)) }
            for (claim, node) in claims {
                let key = claim.canonicalRepository
                if let first = claimedBy[key], first != index {
                    reader.report(node, subject, "repository \(key) is claimed by build[\(first)] too (by its image or replaces:)",
                                  fix: "leave it to one build: remove it from the other's replaces:, or build it once")
                } else {
                    claimedBy[key] = index
                }
            }
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

    /// The entry, with the node of each of its `replaces:` repositories (to locate a duplicate claim).
    private func readBuildEntry(_ node: Node, _ subject: String) -> (BuildEntry, [Node])? {
        let keys = ["image", "name", "context", "dockerfile", "args", "target", "labels", "builder", "cache_from", "replaces", "deployed"]
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
            if let dockerfile, contextInside {
                checkDockerfile(dockerfile, context: context, node, "\(subject).dockerfile")
            }
        } else if let image, fields.complete, contextInside, exists(context, folder: true),
                  case let path = BuildEntry.dockerfilePath("Dockerfile", inContext: context), !exists(path, folder: false) {
            reader.report(imageNode, subject, "there is no '\(path)' to build '\(image)' from",
                          fix: "add that Dockerfile, or name yours with 'dockerfile:' (relative to the context)")
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
        let replaces = fields["replaces"].map { readReplaces($0, "\(subject).replaces") } ?? []
        let deployed = fields["deployed"].flatMap { reader.bool($0, "\(subject).deployed", example: "'deployed: false'") }
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
        entry.replaces = replaces.map(\.repository)
        entry.deployed = deployed ?? true
        if let mark = imageNode?.mark { entry.position = SourcePosition(line: mark.line, column: mark.column) }
        return (entry, replaces.map(\.node))
    }

    /// `dockerfile` is looked for in the context; when it is missing there but exists relative to
    /// the configuration's folder (how kind-ci.yml read it once), the fix says how to write it.
    private func checkDockerfile(_ dockerfile: String, context: String, _ node: Node, _ subject: String) {
        let path = BuildEntry.dockerfilePath(dockerfile, inContext: context)
        guard staysInside(path, node, subject), !exists(path, folder: false) else { return }
        let lookedAt = path == dockerfile ? "'\(path)'" : "'\(path)' (dockerfile '\(dockerfile)' in context '\(context)')"
        if path != dockerfile, !dockerfile.hasPrefix("/"), exists(dockerfile, folder: false) {
            let relative = BuildEntry.path(dockerfile, relativeToContext: context)
            reader.report(node, subject, "file \(lookedAt) does not exist; '\(dockerfile)' does, next to the configuration file",
                          fix: "the dockerfile is relative to the context, as in Compose: write 'dockerfile: \(relative)'")
        } else {
            reader.report(node, subject, "file \(lookedAt) does not exist",
                          fix: "the dockerfile is relative to the context, as in Compose; name an existing file")
        }
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

    /// `replaces:`: the repositories (a string or a list, no tags) the manifests name for this
    /// build, whose containers run the built reference instead.
    /// Each with the node it was read from.
    private func readReplaces(_ node: Node, _ subject: String) -> [(repository: ImageReference, node: Node)] {
        let example = "'replaces: registry.example.com/team/app'"
        let items = node.sequence.map(Array.init) ?? [node]
        if items.isEmpty {
            reader.report(node, subject, "expected at least one repository, found an empty list", fix: "write it as \(example), or leave it out")
        }
        return items.enumerated().compactMap { index, item in
            let itemSubject = node.sequence == nil ? subject : "\(subject)[\(index)]"
            guard let repository = readImage(item, itemSubject, example: example) else { return nil }
            guard repository.tag == nil, repository.digest == nil else {
                reader.report(item, itemSubject, "'\(repository)' names a tag or digest; replaces: takes repositories, whatever tag the manifests write",
                              fix: "write '\(repository.repository)'")
                return nil
            }
            return (repository, item)
        }
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

    func readBuilder(_ node: Node, _ subject: String) -> Builder? {
        let names = Builder.allCases.map(\.rawValue)
        guard let text = reader.string(node, subject, example: "'builder: native'") else { return nil }
        guard let builder = Builder(rawValue: text) else {
            reader.report(node, subject, "expected \(names.joined(separator: " or ")), found '\(text)'",
                          fix: "write 'builder: native' (kind's docker API) or 'builder: cli' (the docker CLI, for BuildKit-only syntax)")
            return nil
        }
        return builder
    }

    /// `build_jobs`: how many images build at once.
    func readBuildJobs(_ node: Node) -> Int? {
        guard let jobs = node.int, (1...32).contains(jobs) else {
            reader.report(node, "build_jobs", "expected a number of parallel builds from 1 to 32, found \(NodeReader.describe(node))",
                          fix: "write e.g. 'build_jobs: 3'")
            return nil
        }
        return jobs
    }
}
