import Foundation
import KindCICore
import Yams

/// Whether a YAML file of a repository is Kubernetes objects to apply as they are, and the images
/// their pods run. Real repositories keep Compose files, Helm values and tool configurations next
/// to their manifests; an object has `apiVersion` and `kind`, and tools' own configurations are
/// not objects for the cluster.
struct ManifestFile {
    /// Container images in the file's pod specs, as written, in order.
    let images: [String]

    /// API groups of tools' configuration files, which look like objects but are not the cluster's.
    static let toolAPIVersions = ["kustomize.config.k8s.io/", "skaffold/", "kind.x-k8s.io/", "k3d.io/", "ctlptl.dev/", "config.kubernetes.io/"]
    /// Bigger files are generated bundles (CRDs, operators) that init need not inspect.
    static let maximumSize = 4 << 20

    /// The manifest at `url`, or nil when the file is not one (by name or by content).
    init?(url: URL) {
        let name = url.lastPathComponent.lowercased()
        guard ManifestPaths.extensions.contains(where: name.hasSuffix), !ManifestPaths.isToolFileName(name),
              let data = try? Data(contentsOf: url), data.count <= Self.maximumSize,
              let text = String(data: data, encoding: .utf8).map(ConfigLoader.withoutByteOrderMark) else { return nil }
        guard let sequence = try? Yams.load_all(yaml: text), case let documents = sequence.compactMap({ $0 }) else { return nil }
        let objects = documents.compactMap { $0 as? [String: Any] }
        guard !objects.isEmpty, objects.count == documents.count, objects.allSatisfy(Self.isClusterObject) else { return nil }
        images = objects.flatMap(Self.images)
    }

    private static func isClusterObject(_ object: [String: Any]) -> Bool {
        guard let apiVersion = object["apiVersion"] as? String, !apiVersion.isEmpty,
              let kind = object["kind"] as? String, !kind.isEmpty else { return false }
        return !toolAPIVersions.contains(where: apiVersion.hasPrefix)
    }

    /// Every `image` of a container or init container anywhere in the object (pod templates sit
    /// at different depths in different kinds, and inside `List`s).
    private static func images(_ value: Any) -> [String] {
        if let list = value as? [Any] { return list.flatMap(images) }
        guard let fields = value as? [String: Any] else { return [] }
        var found: [String] = []
        for (key, child) in fields.sorted(by: { $0.key < $1.key }) {
            if ["containers", "initContainers"].contains(key), let containers = child as? [[String: Any]] {
                found += containers.compactMap { $0["image"] as? String }
            } else {
                found += images(child)
            }
        }
        return found
    }
}
