import KindCICore

/// The images kind-ci built, as manifests refer to them. A container whose image's repository is a
/// built image's, or one its build `replaces:`, runs the built reference whatever tag or digest the
/// manifest wrote (none, `latest`, `:2.2.0`, `@sha256:...`), as Skaffold and Tilt rewrite by
/// repository; and never pulls it (`IfNotPresent`): kind's docker has it, no registry does.
struct BuiltImageReferences: Sendable {
    /// Each repository a build claims (its own and its `replaces:`), with the reference it builds.
    let claims: [(repository: ImageReference, built: ImageReference)]

    init(builds: [BuildEntry]) {
        claims = builds.flatMap { build in ([build.image] + build.replaces).map { ($0, build.image) } }
    }

    /// Where pod specs sit in each kind of workload.
    static let podSpecPaths: [String: [String]] = [
        "Pod": ["spec"],
        "Deployment": ["spec", "template", "spec"], "ReplicaSet": ["spec", "template", "spec"],
        "StatefulSet": ["spec", "template", "spec"], "DaemonSet": ["spec", "template", "spec"],
        "Job": ["spec", "template", "spec"], "ReplicationController": ["spec", "template", "spec"],
        "CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
    ]

    /// The built reference a manifest's image stands for, if any.
    func built(for reference: ImageReference) -> ImageReference? {
        claims.first { Self.sameRepository($0.repository, reference) }?.built
    }

    /// Rewrites each container image that names a built repository to the built reference, never
    /// pulled; returns the image rewrites made, one line each.
    func rewrite(_ manifest: inout Manifest) -> [String] {
        guard !claims.isEmpty, let path = Self.podSpecPaths[manifest.object.kind],
              var spec = path.reduce(Optional(manifest.object), { $0?[$1] }) else { return [] }
        var changes: [String] = []
        for list in ["initContainers", "containers", "ephemeralContainers"] {
            guard var containers = spec[list]?.array else { continue }
            for index in containers.indices {
                guard let text = containers[index]["image"]?.string, case let .success(reference) = ImageReference.parse(text),
                      let match = built(for: reference) else { continue }
                containers[index]["imagePullPolicy"] = .string("IfNotPresent")
                guard reference != match else { continue }
                containers[index]["image"] = .string(match.description)
                let container = containers[index]["name"]?.string ?? "#\(index)"
                changes.append("\(manifest.source): \(manifest.object.kind.lowercased())/\(manifest.object.name) container \(container): \(text) → \(match)")
            }
            spec[list] = .array(containers)
        }
        manifest.object = Self.replacing(manifest.object, at: path[...], with: spec)
        return changes
    }

    /// The images `object`'s pods run that are not built ones, except where the pod says never to
    /// pull (`imagePullPolicy: Never` expects the image in kind's docker already).
    func pulled(by object: JSON) -> [ImageReference] {
        guard let path = Self.podSpecPaths[object.kind], let spec = path.reduce(Optional(object), { $0?[$1] }) else { return [] }
        let containers = ["initContainers", "containers"].flatMap { spec[$0]?.array ?? [] }
        return containers.compactMap { container in
            guard container["imagePullPolicy"]?.string != "Never", let text = container["image"]?.string,
                  case let .success(reference) = ImageReference.parse(text), built(for: reference) == nil else { return nil }
            return reference
        }
    }

    /// The same repository, whatever way Docker Hub's name is spelt.
    static func sameRepository(_ a: ImageReference, _ b: ImageReference) -> Bool {
        if let hubA = a.hubRepository, let hubB = b.hubRepository { return hubA == hubB }
        return a.registry == b.registry && a.path == b.path
    }

    private static func replacing(_ value: JSON, at path: ArraySlice<String>, with replacement: JSON) -> JSON {
        guard let key = path.first else { return replacement }
        var copy = value
        copy[key] = replacing(value[key] ?? .object([:]), at: path.dropFirst(), with: replacement)
        return copy
    }
}
