import ArgumentParser
import Foundation
import KindCICore
import Runner

struct UpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Start kind on a Docker daemon (DOCKER_HOST, or the local socket); idempotent.",
        discussion: """
            On the daemon's own host, kind's ports are published on 127.0.0.1 only; when kind-ci runs \
            in a container on that daemon, kind joins that container's network instead. `kind-ci run` \
            then finds it by its labels.
            """
    )

    @Option(help: ArgumentHelp("The configuration file, for kind.image and kind.ports (optional).", valueName: "file"))
    var config: String?

    @OptionGroup var start: KindStartOptions
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let location = ConfigLocation(explicit: config, environment: environment)
        var request = RunRequest(configPath: location.path, configNamed: location.named, environment: environment)
        request.image = try start.kindImage.reference()
        request.name = start.name
        request.runOptions = start.runOptions
        let progress = ProgressReporter(style: LogStyle.detect(environment: environment), quiet: global.quiet)
        let address = try await SignalTrap.run { [request] in try await KindControl(request: request, progress: progress).up() }
        Console.output("kind is up at \(address.host): docker \(address.ports.docker), api \(address.ports.api), config \(address.ports.config)")
    }
}
