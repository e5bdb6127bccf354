import ArgumentParser
import Foundation
import KindCICore
import Runner

struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Print what `kind-ci run` would apply, after the image rewrite, as YAML; no kind needed.",
        discussion: """
            Objects in run's order (per step: Namespaces, CustomResourceDefinitions, the rest in file \
            order); run: steps as comments; Secret values masked. Warnings (a build nothing runs, an \
            image that looks like a build) go to standard error. Exits 0, or 78 with every problem.
            """
    )

    @Option(help: ArgumentHelp("The configuration file (default: $KIND_CI_CONFIG, else kind-ci.yml).", valueName: "file"))
    var config: String?

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let location = ConfigLocation(explicit: config, environment: ProcessInfo.processInfo.environment)
        let preview = try DeployPreview(configuration: ConfigLoader.load(path: location.path))
        Console.warn(preview, quiet: global.quiet)
        Console.write(try preview.yaml())
    }
}
