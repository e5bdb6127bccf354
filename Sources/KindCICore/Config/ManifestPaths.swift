import Foundation

/// How `manifests:` paths name files beyond kubectl's `-f`: `DIR/**` is every manifest file below
/// `DIR`, and some files and folders are never plain manifests (tools' own configurations, Helm
/// charts and kustomizations, which their tools render).
public enum ManifestPaths {
    /// `k8s/**`: every manifest file below `k8s/`, at any depth.
    public static func isRecursive(_ path: String) -> Bool {
        path == "**" || path.hasSuffix("/**")
    }

    /// The folder a recursive path starts in (`.` for `**`).
    public static func base(ofRecursive path: String) -> String {
        path == "**" ? "." : String(path.dropLast(3))
    }

    public static let extensions = [".yaml", ".yml", ".json"]

    public static func isKustomization(_ name: String) -> Bool {
        ["kustomization.yaml", "kustomization.yml", "Kustomization"].contains(name)
    }

    /// Compose files, Helm's chart and values files, kustomizations, Skaffold's configuration:
    /// YAML named for its tool, never objects for the cluster.
    public static func isToolFileName(_ name: String) -> Bool {
        let stem = ((name.lowercased()) as NSString).deletingPathExtension
        return stem.hasPrefix("docker-compose") || stem.hasPrefix("compose") || stem.hasPrefix("values")
            || ["chart", "kustomization", "skaffold"].contains(stem)
    }

    /// The YAML and JSON files directly in `folder` (not hidden), sorted.
    public static func files(in folder: URL) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.sorted().filter { name in extensions.contains(where: name.lowercased().hasSuffix) && !name.hasPrefix(".") }
    }

    /// Every manifest file below `folder` (absolute paths, in path order): YAML and JSON files that
    /// are not tools' configurations, outside hidden folders, symbolic links to folders, and
    /// folders holding a Helm chart or a kustomization.
    public static func filesBelow(_ folder: URL) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path))?.sorted() ?? []
        guard !names.contains("Chart.yaml"), !names.contains(where: isKustomization) else { return [] }
        var found: [String] = []
        for name in names where !name.hasPrefix(".") {
            let url = folder.appendingPathComponent(name)
            let type = (try? FileManager.default.attributesOfItem(atPath: url.path))?[.type] as? FileAttributeType
            if type == .typeDirectory {
                found += filesBelow(url)
            } else if extensions.contains(where: name.lowercased().hasSuffix), !isToolFileName(name), type != .typeSymbolicLink || !isFolder(url) {
                found.append(url.path)
            }
        }
        return found
    }

    /// Whether `folder` holds a kustomization (so is kustomize's input, not manifests).
    public static func holdsKustomization(_ folder: URL) -> Bool {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).contains(where: isKustomization)
    }

    private static func isFolder(_ url: URL) -> Bool {
        var folder: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &folder) && folder.boolValue
    }
}
