import ArgumentParser
import Foundation
import KindCICore

struct ConfigShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print kind-ci.yml as kind-ci reads it, with every default spelt out.",
        discussion: "Exits 78, with every problem, when the file is not valid."
    )

    @OptionGroup var file: ConfigFileArgument
    @OptionGroup var global: GlobalOptions

    func run() throws {
        let text = try ConfigLoader.load(path: file.location.path).yamlText()
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
