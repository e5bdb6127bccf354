import Foundation
import KindCICore

/// A first `kind-ci.yml` for a repository, from what `RepositoryScan` finds: each declared build
/// and each other Dockerfile a build entry, named after the image the manifests run for it
/// (`BuildNaming`); the plain manifests as deploy entries; charts and kustomizations as commented
/// `run:` entries; an integration-test script as the test. No `kind.host`, so that
/// auto-detection works on every executor.
public enum ConfigScaffold {
    public static let path = ConfigLoader.defaultFileName

    struct Context {
        struct Build {
            let image: String
            let name: String?
            /// Nil for the root folder, the default.
            let context: String?
            /// Nil when it is the context's `Dockerfile`, the default.
            let dockerfile: String?
            let target: String?
            let args: [BuildArgument]
            let hasArgs: Bool
            let replaces: String?
            let comment: String?
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
        /// Deployment sources found and not used, so that the application is deployed once.
        let others: [DeploymentSource.Found]
        // Stored, not computed: the template engine reads properties by reflection.
        let hasBuild: Bool
        let hasManifests: Bool
        let hasCommands: Bool
        let hasOthers: Bool

        init(kindImage: String, build: [Build], manifests: [Manifests], commands: [Command], test: Test?, others: [DeploymentSource.Found]) {
            self.kindImage = kindImage
            self.build = build
            self.manifests = manifests
            self.commands = commands
            self.test = test
            hasBuild = !build.isEmpty
            hasManifests = !manifests.isEmpty
            hasCommands = !commands.isEmpty
            self.others = others
            hasOthers = !others.isEmpty
        }
    }

    public static func render(repository: URL, kindImage: ImageReference) throws -> GeneratedFile {
        let scan = RepositoryScan(root: repository)
        let source = DeploymentSource(scan)
        let context = Context(
            kindImage: kindImage.description,
            build: BuildNaming.builds(scan, repositoryName: repository.standardizedFileURL.lastPathComponent).map { build in
                Context.Build(image: build.image, name: build.name, context: build.context == "." ? nil : build.context,
                              dockerfile: build.dockerfile, target: build.target, args: build.args,
                              hasArgs: !build.args.isEmpty, replaces: build.replaces.first, comment: build.comment)
            },
            manifests: source.manifests.map(Context.Manifests.init),
            commands: source.charts.map { chart in
                Context.Command(helm: true, path: chart, command: ShellWords.join(
                    ["helm", "upgrade", "--install", ImageName.sanitized(chart == "." ? "app" : (chart as NSString).lastPathComponent),
                     chart == "." ? "." : "./\(chart)", "--wait"]))
            } + source.kustomizations.map { folder in
                Context.Command(helm: false, path: folder, command: ShellWords.join(
                    ["kubectl", "apply", "--server-side", "--field-manager=kind-ci", "-k", folder == "." ? "." : "./\(folder)"]))
            },
            test: scan.testScript.map { Context.Test(run: ShellWords.join(["./\($0)"])) },
            others: source.others
        )
        return GeneratedFile(path: path, contents: try TemplateRenderer.render("kind-ci/kind-ci.yml.mustache", context))
    }
}
