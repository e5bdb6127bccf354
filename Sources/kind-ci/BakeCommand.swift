import ArgumentParser
import Foundation
import KindCICore
import Runner

struct BakeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bake",
        abstract: "(Experimental) Build a kind image whose docker already holds the images the manifests run; print its tag.",
        discussion: """
            Starts the kind image on a Docker daemon (DOCKER_HOST, or the local socket) as `up` does, pulls \
            the images the manifests run (and bake.images) into its docker, rebuilds kind's docker cache, \
            commits, then starts the result and checks the images are there. {hash} in the tag stands for \
            the inputs; with --push, a tag the registry has already means no work (without --push, one the \
            daemon has). A tag without {hash} is baked every time.
            """
    )

    @Option(help: ArgumentHelp("The configuration file (default: $KIND_CI_CONFIG, else kind-ci.yml).", valueName: "file"))
    var config: String?

    @Option(help: ArgumentHelp("The result's tag, e.g. registry.example.com/team/kind:{hash}.", valueName: "image"))
    var tag: String

    @Option(name: .customLong("also-tag"), help: ArgumentHelp("Another tag for the result, updated even when there is no work.", valueName: "image"))
    var alsoTag: String?

    @Flag(help: "Push the result (and --also-tag); without it the result stays on the daemon.")
    var push = false

    @OptionGroup var image: KindImageOption<BaseImageHelp>

    @Option(name: .customLong("run-option"), parsing: .unconditionalSingleValue,
            help: ArgumentHelp("Replaces --privileged when given; repeatable; write it with '='.", valueName: "option"))
    var runOptions: [String] = []

    @OptionGroup var timeout: TimeoutOption<BakeTimeoutHelp>

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        var request = BakeRequest(configPath: ConfigLocation(explicit: config, environment: environment).path, tag: tag,
                                  environment: environment)
        request.alsoTag = alsoTag
        request.push = push
        request.runOptions = runOptions
        request.timeout = try timeout.duration()
        request.image = try image.reference()
        let progress = ProgressReporter(style: LogStyle.detect(environment: environment), quiet: global.quiet)
        let baked = try await SignalTrap.run { [request] in try await KindBake(request: request, progress: progress).execute() }
        Console.output(baked)
    }
}

enum BaseImageHelp: OptionHelp {
    static var help: ArgumentHelp { ArgumentHelp("The kind image to bake from (default: kind.image).", valueName: "image") }
}

enum BakeTimeoutHelp: OptionHelp {
    static var help: ArgumentHelp { ArgumentHelp("The whole bake's deadline (default 1h).", valueName: "duration") }
}
