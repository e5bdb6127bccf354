import Foundation

/// What a repository holds that kind-ci.yml can describe: Dockerfiles, manifest folders, Helm
/// charts, kustomizations and an integration-test script. Read-only, bounded in depth.
struct RepositoryScan {
    struct Dockerfile: Equatable {
        /// Relative to the root: `Dockerfile`, `services/api/Dockerfile.ci`.
        let path: String
        var folder: String { (path as NSString).deletingLastPathComponent }
        var fileName: String { (path as NSString).lastPathComponent }
    }

    private(set) var dockerfiles: [Dockerfile] = []
    /// Root-level manifest folders, with a trailing `/`.
    private(set) var manifestFolders: [String] = []
    private(set) var helmCharts: [String] = []
    private(set) var kustomizations: [String] = []
    private(set) var testScript: String?

    static let manifestFolderNames = ["k8s", "deploy", "manifests"]
    static let maximumDepth = 4
    /// Folders that hold other people's code or build output, never the repository's own images.
    static let skippedFolders: Set<String> = ["node_modules", "vendor", "third_party", "Pods", "target"]
    static let testScriptFolders = ["", "scripts", "test", "tests", "ci"]

    init(root: URL) {
        visit(root, relative: "", depth: 0)
        dockerfiles.sort { $0.path < $1.path }
        helmCharts.sort()
        kustomizations.sort()
        manifestFolders = Self.manifestFolderNames
            .filter { name in isManifestFolder(root.appendingPathComponent(name), relative: name) }
            .map { "\($0)/" }
        testScript = Self.testScriptFolders.lazy.compactMap { folder in
            Self.findTestScript(in: folder.isEmpty ? root : root.appendingPathComponent(folder), relative: folder)
        }.first
    }

    private mutating func visit(_ folder: URL, relative: String, depth: Int) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path))?.sorted() ?? []
        if names.contains("Chart.yaml") {
            // A chart's templates are not plain manifests, and its Dockerfiles (rare) are not ours.
            helmCharts.append(relative.isEmpty ? "." : relative)
            return
        }
        if names.contains(where: Self.isKustomization) {
            kustomizations.append(relative.isEmpty ? "." : relative)
        }
        for name in names {
            let url = folder.appendingPathComponent(name)
            let path = relative.isEmpty ? name : "\(relative)/\(name)"
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else { continue }
            if isFolder.boolValue {
                if depth < Self.maximumDepth, !name.hasPrefix("."), !Self.skippedFolders.contains(name) {
                    visit(url, relative: path, depth: depth + 1)
                }
            } else if Self.isDockerfile(name) {
                dockerfiles.append(Dockerfile(path: path))
            }
        }
    }

    static func isDockerfile(_ name: String) -> Bool {
        let lowered = name.lowercased()
        guard !lowered.hasSuffix(".dockerignore") else { return false }
        return lowered == "dockerfile" || lowered.hasPrefix("dockerfile.") || lowered.hasSuffix(".dockerfile")
    }

    static func isKustomization(_ name: String) -> Bool {
        ["kustomization.yaml", "kustomization.yml", "Kustomization"].contains(name)
    }

    /// A folder of plain manifests: some YAML or JSON, and no chart or kustomization in it
    /// (those are applied by their own tools; their files are not objects to apply as they are).
    private func isManifestFolder(_ url: URL, relative: String) -> Bool {
        let isOrHolds = { (found: String) in found == relative || found.hasPrefix("\(relative)/") }
        guard !helmCharts.contains(where: isOrHolds), !kustomizations.contains(where: isOrHolds),
              let names = FileManager.default.subpaths(atPath: url.path) else { return false }
        return names.contains { [".yaml", ".yml", ".json"].contains(where: $0.lowercased().hasSuffix) }
    }

    private static func findTestScript(in folder: URL, relative: String) -> String? {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path))?.sorted() ?? []
        let script = names.first { name in
            let lowered = name.lowercased()
            return lowered.hasSuffix(".sh")
                && ["integration-test", "integration_test", "e2e"].contains(where: lowered.hasPrefix)
        }
        return script.map { relative.isEmpty ? $0 : "\(relative)/\($0)" }
    }
}
