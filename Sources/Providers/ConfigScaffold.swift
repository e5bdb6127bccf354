import Foundation
import KindCICore

/// A first `kind-ci.yml` for a repository, from what `RepositoryScan` finds: each Dockerfile a
/// build entry, each manifest folder a deploy entry, charts and kustomizations as commented
/// `run:` entries, an integration-test script as the test. No `kind.host`, so that auto-detection
/// works on every executor.
public enum ConfigScaffold {
    public static let path = ConfigLoader.defaultFileName
    /// Built images get this tag: never `latest`, which pods would try to pull.
    static let tag = "ci"

    struct Context {
        struct Build {
            let image: String
            /// Nil for the root folder, the default.
            let context: String?
            /// Nil when it is the context's `Dockerfile`, the default.
            let dockerfile: String?
        }
        struct Manifests {
            let path: String
        }
        struct Command {
            let helm: Bool
            let path: String
            let command: String
        }
        struct Test {
            let run: String
        }

        let kindImage: String
        let build: [Build]
        let manifests: [Manifests]
        let commands: [Command]
        let test: Test?
        // Stored, not computed: the template engine reads properties by reflection.
        let hasBuild: Bool
        let hasManifests: Bool
        let hasCommands: Bool

        init(kindImage: String, build: [Build], manifests: [Manifests], commands: [Command], test: Test?) {
            self.kindImage = kindImage
            self.build = build
            self.manifests = manifests
            self.commands = commands
            self.test = test
            hasBuild = !build.isEmpty
            hasManifests = !manifests.isEmpty
            hasCommands = !commands.isEmpty
        }
    }

    public static func render(repository: URL, kindImage: ImageReference) throws -> GeneratedFile {
        let scan = RepositoryScan(root: repository)
        let context = Context(
            kindImage: kindImage.description,
            build: buildEntries(scan.dockerfiles, repositoryName: repository.standardizedFileURL.lastPathComponent),
            manifests: scan.manifestFolders.map(Context.Manifests.init),
            commands: scan.helmCharts.map { chart in
                Context.Command(helm: true, path: chart, command: ShellWords.join(
                    ["helm", "upgrade", "--install", ImageName.sanitized(chart == "." ? "app" : (chart as NSString).lastPathComponent),
                     chart == "." ? "." : "./\(chart)", "--wait"]))
            } + scan.kustomizations.map { folder in
                Context.Command(helm: false, path: folder, command: ShellWords.join(
                    ["kubectl", "apply", "--server-side", "--field-manager=kind-ci", "-k", folder == "." ? "." : "./\(folder)"]))
            },
            test: scan.testScript.map { Context.Test(run: ShellWords.join(["./\($0)"])) }
        )
        return GeneratedFile(path: path, contents: try TemplateRenderer.render("kind-ci/kind-ci.yml.mustache", context))
    }

    /// One entry per Dockerfile, named after its folder (the repository's own name at the root)
    /// and any suffix of the file (`Dockerfile.worker`, `worker.Dockerfile`); names made unique.
    private static func buildEntries(_ dockerfiles: [RepositoryScan.Dockerfile], repositoryName: String) -> [Context.Build] {
        var used: Set<String> = []
        return dockerfiles.map { file in
            let folderName = file.folder.isEmpty ? repositoryName : (file.folder as NSString).lastPathComponent
            let lowered = file.fileName.lowercased()
            let variant: String? = if lowered.hasPrefix("dockerfile.") {
                String(file.fileName.dropFirst("dockerfile.".count))
            } else if lowered.hasSuffix(".dockerfile") {
                String(file.fileName.dropLast(".dockerfile".count))
            } else {
                nil
            }
            let words = variant.map { $0.lowercased() == folderName.lowercased() ? [folderName] : [folderName, $0] } ?? [folderName]
            let base = ImageName.sanitized(words.joined(separator: "-"))
            var name = base
            var counter = 2
            while used.contains(name) {
                name = "\(base)-\(counter)"
                counter += 1
            }
            used.insert(name)
            return Context.Build(image: "\(name):\(tag)",
                                 context: file.folder.isEmpty ? nil : file.folder,
                                 dockerfile: file.fileName == "Dockerfile" ? nil : file.fileName)
        }
    }
}
