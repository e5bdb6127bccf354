import KindCICore
import Yams

/// The images kind-ci built, as manifests refer to them. A container whose image's repository is a
/// built image's, or one its build `replaces:`, runs the built reference whatever tag or digest the
/// manifest wrote (none, `latest`, `:2.2.0`, `@sha256:...`), as Skaffold and Tilt rewrite by
/// repository; and never pulls it (`IfNotPresent`): kind's docker has it, no registry does.
struct BuiltImageReferences: Sendable {
    /// Each repository a build claims (its own and its `replaces:`), with the index of the build.
    let claims: [(repository: ImageReference, build: Int)]
    let builds: [BuildEntry]

    init(builds: [BuildEntry]) {
        self.builds = builds
        claims = builds.enumerated().flatMap { index, build in ([build.image] + build.replaces).map { ($0, index) } }
    }

    /// Where pod specs sit in each kind of workload.
    static let podSpecPaths: [String: [String]] = [
        "Pod": ["spec"],
        "Deployment": ["spec", "template", "spec"], "ReplicaSet": ["spec", "template", "spec"],
        "StatefulSet": ["spec", "template", "spec"], "DaemonSet": ["spec", "template", "spec"],
        "Job": ["spec", "template", "spec"], "ReplicationController": ["spec", "template", "spec"],
        "CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
    ]

    /// The container lists of a pod spec; ephemeral containers are added by `kubectl debug`, not
    /// at start, so their images are not pre-pulled.
    static let containerLists = ["initContainers", "containers", "ephemeralContainers"]

    /// The index of the build a manifest's image stands for, if any.
    func build(for reference: ImageReference) -> Int? {
        claims.first { Self.sameRepository($0.repository, reference) }?.build
    }

    /// The built reference a manifest's image stands for, if any.
    func built(for reference: ImageReference) -> ImageReference? {
        build(for: reference).map { builds[$0].image }
    }

    /// Rewrites each container image that names a built repository to the built reference, never
    /// pulled, and records every container of the object's pods; `node` is the object as read, for
    /// the line and column of each image.
    func rewrite(_ manifest: inout Manifest, node: Node?) {
        guard let path = Self.podSpecPaths[manifest.object.kind],
              var spec = path.reduce(Optional(manifest.object), { $0?[$1] }) else { return }
        let specNode = path.reduce(node) { $0?.mapping?[$1] }
        for list in Self.containerLists {
            guard var containers = spec[list]?.array else { continue }
            let nodes = specNode?.mapping?[list]?.sequence.map(Array.init) ?? []
            for index in containers.indices {
                guard let text = containers[index]["image"]?.string else { continue }
                let mark = (index < nodes.count ? nodes[index].mapping?["image"] : nil)?.mark
                let reference = try? ImageReference.parse(text).get()
                let build = reference.flatMap(build(for:))
                if let build {
                    containers[index]["imagePullPolicy"] = .string("IfNotPresent")
                    containers[index]["image"] = .string(builds[build].image.description)
                }
                manifest.containers.append(ContainerImage(
                    object: manifest.label, list: list, name: containers[index]["name"]?.string ?? "#\(index)",
                    written: text, reference: reference, build: build, built: build.map { builds[$0].image },
                    pullPolicy: containers[index]["imagePullPolicy"]?.string,
                    location: manifest.locate(mark.map { SourcePosition(line: $0.line, column: $0.column) })))
            }
            spec[list] = .array(containers)
        }
        manifest.object = Self.replacing(manifest.object, at: path[...], with: spec)
    }

    /// The same repository, whatever way Docker Hub's name is spelt.
    static func sameRepository(_ a: ImageReference, _ b: ImageReference) -> Bool {
        a.canonicalRepository == b.canonicalRepository
    }

    private static func replacing(_ value: JSON, at path: ArraySlice<String>, with replacement: JSON) -> JSON {
        guard let key = path.first else { return replacement }
        var copy = value
        copy[key] = replacing(value[key] ?? .object([:]), at: path.dropFirst(), with: replacement)
        return copy
    }
}

/// One container of a manifest's pods, as written and as it will run.
struct ContainerImage: Sendable {
    /// `deployment/web`.
    let object: String
    /// `containers`, `initContainers` or `ephemeralContainers`.
    let list: String
    let name: String
    /// The image as the manifest wrote it.
    let written: String
    /// Nil when `written` is not an image name (the API server will refuse it).
    let reference: ImageReference?
    /// The build this container runs, by index, and its reference; nil when it runs `written`.
    let build: Int?
    let built: ImageReference?
    /// After the rewrite.
    let pullPolicy: String?
    /// `k8s/web.yaml:14:16`, or the file and document when the line is not known.
    let location: String

    /// The image pulled when its pod starts: neither built, nor an ephemeral container's, nor
    /// `imagePullPolicy: Never` (which expects the image in kind's docker already).
    var pulled: ImageReference? {
        guard build == nil, list != "ephemeralContainers", pullPolicy != "Never" else { return nil }
        return reference
    }

    /// What the log says of a rewrite: where, which container, from what to what.
    var rewrite: String? {
        guard let built, written != built.description else { return nil }
        return "\(object) container \(name) (\(location)): \(written) → \(built)"
    }
}
