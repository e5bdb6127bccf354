import ArgumentParser
import Foundation
import KindCICore

struct ConfigCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate kind-ci.yml: report every problem with its line and column, run nothing.",
        discussion: "Exits 0 when the file is valid, 78 when it is not."
    )

    @OptionGroup var file: ConfigFileArgument
    @OptionGroup var global: GlobalOptions

    func run() throws {
        let path = file.location.path
        let configuration = try ConfigLoader.load(path: path)
        if global.verbose {
            Console.output("\(path): paths are relative to \(configuration.directory)")
        }
        if !global.quiet {
            Console.output("\(path): OK: \(configuration.summary)")
        }
    }
}
