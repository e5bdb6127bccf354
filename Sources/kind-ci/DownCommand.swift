import ArgumentParser
import Foundation
import KindCICore
import Runner

struct DownCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "down",
        abstract: "Remove the kind `kind-ci up` started (only that container)."
    )

    @Option(help: ArgumentHelp("The container's name, if `up` was given one.", valueName: "name"))
    var name: String?

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        // `down` reads no configuration: it finds the container by its labels (and --name).
        var request = RunRequest(configPath: ConfigLoader.defaultFileName, configNamed: false, environment: environment)
        request.name = name
        let progress = ProgressReporter(style: LogStyle.detect(environment: environment), quiet: global.quiet)
        let removed = try await KindControl(request: request, progress: progress).down()
        if !global.quiet { Console.output(removed.map { "removed kind \($0)" } ?? "no kind to remove") }
    }
}
