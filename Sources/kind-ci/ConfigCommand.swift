import ArgumentParser
import Foundation
import KindCICore

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Check or show kind-ci.yml without running anything.",
        subcommands: [ConfigCheck.self, ConfigShow.self]
    )
}

/// The file argument `config check` and `config show` share.
struct ConfigFileArgument: ParsableArguments {
    @Argument(help: ArgumentHelp(
        "The configuration file.",
        discussion: "Default: $KIND_CI_CONFIG, else kind-ci.yml in the current folder.",
        valueName: "file"))
    var file: String?

    var location: ConfigLocation { ConfigLocation(explicit: file, environment: ProcessInfo.processInfo.environment) }
}
