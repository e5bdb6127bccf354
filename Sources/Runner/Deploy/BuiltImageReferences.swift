import KindCICore
import Yams

/// The images kind-ci built, as manifests refer to them. kind runs them from its own docker, which
/// has them under the built tag only, and pulls whatever a pod spec says to pull (`latest`, no tag,
/// `imagePullPolicy: Always`): such a pull fails, there being no registry with the image.
struct BuiltImageReferences: Sendable {
    let built: [ImageReference]

    /// Where pod specs sit in each kind of workload.
    static let podSpecPaths: [String: [String]] = [
        "Pod": ["spec"],
        "Deployment": ["spec", "template", "spec"], "ReplicaSet": ["spec", "template", "spec"],
        "StatefulSet": ["spec", "template", "spec"], "DaemonSet": ["spec", "template", "spec"],
        "Job": ["spec", "template", "spec"], "ReplicationController": ["spec", "template", "spec"],
        "CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
    ]

    struct Refusals: Error {
        let diagnostics: [ConfigDiagnostic]
    }

    /// Rewrites each container image that names a built repository with another tag to the built
    /// reference; returns what it changed. Throws the references that would make kind pull.
    func rewrite(_ manifest: inout Manifest, node: Node) throws -> [String] {
        guard !built.isEmpty, let path = Self.podSpecPaths[manifest.object.kind] else { return [] }
        let specNode = path.reduce(Optional(node)) { $0?.mapping?[$1] }
        guard var spec = path.reduce(Optional(manifest.object), { $0?[$1] }) else { return [] }
        var changes: [String] = []
        var refusals: [ConfigDiagnostic] = []
        for list in ["initContainers", "containers", "ephemeralContainers"] {
            guard var containers = spec[list]?.array else { continue }
            let containerNodes = specNode?.mapping?[list]?.sequence.map(Array.init) ?? []
            for index in containers.indices {
                guard let text = containers[index]["image"]?.string, case let .success(reference) = ImageReference.parse(text),
                      let match = built.first(where: { Self.sameRepository($0, reference) }) else { continue }
                let container = containers[index]["name"]?.string ?? "#\(index)"
                let containerNode = index < containerNodes.count ? containerNodes[index] : nil
                let imageMark = containerNode?.mapping?["image"]?.mark ?? node.mark
                func refuse(_ message: String, fix: String, at mark: Mark?, length: Int) {
                    refusals.append(ConfigDiagnostic(line: mark?.line ?? 0, column: mark?.column ?? 0, length: length,
                                                     subject: "", message: message, fix: fix))
                }
                if reference.digest == nil, reference.tag == nil || reference.tag == "latest" {
                    refuse("container \(container) runs the built image as '\(text)', which kind would pull from a registry (an untagged or latest image is always pulled)",
                           fix: "write 'image: \(match)' (or ${KIND_CI_IMAGE_...} through a run: step); the build puts \(match) in kind's docker",
                           at: imageMark, length: text.count)
                    continue
                }
                if containers[index]["imagePullPolicy"]?.string == "Always" {
                    refuse("container \(container) has imagePullPolicy: Always for the built image \(text), which kind's docker has but no registry does",
                           fix: "use 'imagePullPolicy: IfNotPresent' (or leave it out)",
                           at: containerNode?.mapping?["imagePullPolicy"]?.mark ?? imageMark, length: "Always".count)
                    continue
                }
                guard reference.digest == nil, reference != match else { continue }
                containers[index]["image"] = .string(match.description)
                changes.append("\(manifest.source): \(manifest.object.kind.lowercased())/\(manifest.object.name) container \(container): \(text) → \(match)")
            }
            spec[list] = .array(containers)
        }
        guard refusals.isEmpty else { throw Refusals(diagnostics: refusals) }
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
                  case let .success(reference) = ImageReference.parse(text),
                  !built.contains(where: { Self.sameRepository($0, reference) }) else { return nil }
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
