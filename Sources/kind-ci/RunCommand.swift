import ArgumentParser
import Foundation
import KindCICore
import Runner

extension RunStop: ExpressibleByArgument {}

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "The test job's entrypoint: find kind, build the images into it, deploy, wait until ready, run the tests, report.",
        discussion: "Exits 75 when kind does not become ready in time (a pipeline can retry that alone)."
    )

    @Option(help: ArgumentHelp("The configuration file (default: $KIND_CI_CONFIG, else kind-ci.yml).", valueName: "file"))
    var config: String?

    @Option(help: ArgumentHelp("Where kind is (default: $KIND_CI_HOST, kind.host, a kind `up` started, else detected).", valueName: "host"))
    var host: String?

    @Option(help: ArgumentHelp("Where to write the kubeconfig (default: the first entry of $KUBECONFIG, else ~/.kube/config).", valueName: "path"))
    var kubeconfig: String?

    @Option(help: ArgumentHelp("The folder for the env file, reports and diagnostics.", valueName: "dir"))
    var artifacts = ".kind-ci"

    @OptionGroup var timeout: TimeoutOption<RunTimeoutHelp>

    @Option(help: ArgumentHelp("Stop after this phase, write and print .kind-ci/env, exit 0.", valueName: "phase"))
    var until: RunStop?

    @Flag(help: "Start kind first as `kind-ci up` does, and remove it at the end.")
    var up = false

    @Flag(help: "With --up: leave kind running at the end.")
    var keep = false

    @OptionGroup var start: KindStartOptions
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if keep && !up { throw ValidationError("--keep goes with --up.") }
        if !up && (start.kindImage.image != nil || start.name != nil || !start.runOptions.isEmpty) {
            throw ValidationError("--image, --name and --run-option go with --up.")
        }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let location = ConfigLocation(explicit: config, environment: environment)
        var request = RunRequest(configPath: location.path, configNamed: location.named,
                                 host: host, artifacts: artifacts, timeout: try timeout.duration(),
                                 until: until, environment: environment)
        request.kubeconfig = kubeconfig
        request.up = up
        request.keep = keep
        request.image = try start.kindImage.reference()
        request.name = start.name
        request.runOptions = start.runOptions
        request.verbose = global.verbose
        let progress = ProgressReporter(style: LogStyle.detect(environment: environment), quiet: global.quiet)
        try await SignalTrap.run { [request] in
            let outcome = try await KindRun(request: request, progress: progress).execute()
            // After --until, the job's next steps read the environment from standard output.
            if request.until != nil, let env = outcome.env { Console.write(env) }
            if let problem = outcome.problem { throw problem }
            await progress.output(outcome.closingLine)
            if let failure = outcome.failure { throw failure }
        }
    }
}

enum RunTimeoutHelp: OptionHelp {
    static var help: ArgumentHelp {
        ArgumentHelp("The overall deadline, e.g. 20m (default: timeout in the configuration, else the CI job's timeout less a margin).",
                     valueName: "duration")
    }
}
