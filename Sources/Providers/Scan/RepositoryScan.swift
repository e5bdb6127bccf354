import Foundation
import KindCICore

/// What a repository holds that kind-ci.yml can describe: the builds its tools declare, its
/// Dockerfiles, plain manifests (and the images they run), Helm charts, kustomizations and a test
/// script. Read-only, bounded in depth; symbolic links are not followed (a `k8s/loop -> ..` would
/// find everything twice).
struct RepositoryScan {
    struct Dockerfile: Equatable {
        /// Relative to the root: `Dockerfile`, `services/api/Dockerfile.ci`.
        let path: String
        var folder: String { (path as NSString).deletingLastPathComponent }
        var fileName: String { (path as NSString).lastPathComponent }
    }

    /// `skaffold.yaml`'s documents, read once: its builds and its deployment source.
    private(set) var skaffold: [[String: Any]] = []
    private(set) var declared: [DeclaredBuild] = []
    private(set) var dockerfiles: [Dockerfile] = []
    /// Plain manifest files, relative to the root, in path order.
    private(set) var manifestFiles: [String] = []
    /// Every YAML or JSON file of each folder holding manifests, to tell a folder of manifests
    /// (deployable as `folder/`) from one that mixes in other files.
    private var yamlFilesByFolder: [String: [String]] = [:]
    /// The images the plain manifests run, as written, each once, in order.
    private(set) var manifestImages: [String] = []
    private(set) var charts: [String] = []
    private(set) var kustomizations: [String] = []
    private(set) var testScript: String?

    /// Where real repositories keep plain manifests, at any depth up to `maximumDepth`.
    static let manifestFolderNames: Set<String> = ["k8s", "kubernetes", "kubernetes-manifests", "k8s-specifications", "deploy",
                                                   "deployment", "deployments", "manifests", "release"]
    static let maximumDepth = 4
    /// Folders that hold other people's code, build output, or archived and example material,
    /// never the repository's own images or manifests.
    static let skippedFolders: Set<String> = ["node_modules", "vendor", "third_party", "Pods", "target", "_archived", "archive", "archived",
                                              "examples", "example", "testdata", "fixtures", "__fixtures__", "test-fixtures"]

    init(root: URL) {
        skaffold = DeclaredBuild.skaffoldDocuments(root)
        declared = DeclaredBuild.find(in: root, skaffold: skaffold)
        visit(root, relative: "", depth: 0, plain: true, underManifests: false)
        dockerfiles.sort { $0.path < $1.path }
        manifestFiles.sort()
        charts.sort()
        kustomizations.sort()
        testScript = TestScript.find(in: root)
    }

    /// The `manifests:` entries: a folder whose YAML files are all manifests as `folder/`, the
    /// files one by one elsewhere (so that a Compose file or `values.yaml` beside them is not
    /// applied).
    var manifestEntries: [String] {
        var entries: [String] = []
        for file in manifestFiles {
            let folder = (file as NSString).deletingLastPathComponent
            let all = yamlFilesByFolder[folder] ?? []
            let whole = !folder.isEmpty && all.allSatisfy(manifestFiles.contains)
            let entry = whole ? "\(folder)/" : file
            if !entries.contains(entry) { entries.append(entry) }
        }
        return entries
    }

    /// `plain`: outside charts and kustomizations, whose files are their tools' input, not objects.
    private mutating func visit(_ folder: URL, relative: String, depth: Int, plain: Bool, underManifests: Bool) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path))?.sorted() ?? []
        var plain = plain
        var skipped: Set<String> = []
        if names.contains("Chart.yaml") {
            charts.append(relative.isEmpty ? "." : relative)
            // The chart's own folders are Helm's; the rest of a folder holding a chart (a root
            // Chart.yaml beside the sources) is still searched for Dockerfiles.
            skipped = ["templates", "charts", "crds"]
            plain = false
        }
        if names.contains(where: ManifestPaths.isKustomization) {
            kustomizations.append(relative.isEmpty ? "." : relative)
            plain = false
        }
        let manifestsHere = underManifests || Self.manifestFolderNames.contains((relative as NSString).lastPathComponent) || relative.isEmpty
        for name in names {
            let url = folder.appendingPathComponent(name)
            let path = relative.isEmpty ? name : "\(relative)/\(name)"
            guard let type = (try? FileManager.default.attributesOfItem(atPath: url.path))?[.type] as? FileAttributeType,
                  type != .typeSymbolicLink else { continue }
            if type == .typeDirectory {
                if depth < Self.maximumDepth, !name.hasPrefix("."), !Self.skippedFolders.contains(name), !skipped.contains(name) {
                    visit(url, relative: path, depth: depth + 1, plain: plain,
                          underManifests: manifestsHere && !relative.isEmpty || Self.manifestFolderNames.contains(name))
                }
            } else if Self.isDockerfile(name) {
                dockerfiles.append(Dockerfile(path: path))
            } else if plain, manifestsHere, ManifestPaths.extensions.contains(where: name.lowercased().hasSuffix), !name.hasPrefix(".") {
                yamlFilesByFolder[relative, default: []].append(path)
                if let manifest = ManifestFile(url: url) {
                    manifestFiles.append(path)
                    for image in manifest.images where !manifestImages.contains(image) { manifestImages.append(image) }
                }
            }
        }
    }

    static func isDockerfile(_ name: String) -> Bool {
        let lowered = name.lowercased()
        guard !lowered.hasSuffix(".dockerignore") else { return false }
        return lowered == "dockerfile" || lowered.hasPrefix("dockerfile.") || lowered.hasSuffix(".dockerfile")
    }

}
