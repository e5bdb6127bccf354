import ArgumentParser
import Foundation
import KindCICore
import Runner

struct ConfigCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check kind-ci.yml and the manifests it deploys as run does before touching kind; start nothing.",
        discussion: """
            Reports every problem with its file, line and column, prints which objects and containers \
            run each build, and warns where the code under test would not be what runs. run: steps \
            are your commands and are not checked. Exits 0 when run would go ahead, 78 when not.
            """
    )

    @OptionGroup var file: ConfigFileArgument
    @OptionGroup var global: GlobalOptions

    func run() throws {
        let path = file.location.path
        let configuration = try ConfigLoader.load(path: path)
        let preview = try DeployPreview(configuration: configuration)
        Console.warn(preview, quiet: global.quiet)
        guard !global.quiet else { return }
        if global.verbose {
            Console.output("\(path): paths are relative to \(configuration.directory)")
        }
        Console.output("\(path): OK: \(configuration.summary)")
        if !preview.wiring.isEmpty {
            Console.output("images under test:")
            preview.wiring.forEach(Console.output)
        }
        if !preview.commandSteps.isEmpty {
            Console.output("not checked (your commands): \(preview.commandSteps.joined(separator: "; "))")
        }
    }
}
