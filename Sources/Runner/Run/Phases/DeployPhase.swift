import KindCICore

/// Runs the deploy steps in order: manifests applied by kind-ci's own client (server-side, in the
/// API's order), `run:` steps in the configuration's folder with kind-ci's environment. Returns
/// what was applied, for the readiness wait.
struct DeployPhase {
    let context: RunContext
    let client: KubernetesClient
    let env: EnvFile

    func run() async throws -> [RolloutWait.Target] {
        let steps = context.steps
        let progress = context.progress
        let deployer = Deployer(client: client, progress: progress)
        let definitions = RolloutWait(client: client, progress: progress, tolerate: context.configuration.wait.tolerate)
        let deploying = ContinuousClock.now
        context.recorder.enter(.deploy)
        let targets = try await context.recorder.section(RunPhase.deploy) {
            var targets: [RolloutWait.Target] = []
            for rewrite in steps.rewrites { await progress.note("runs the build: \(rewrite)") }
            for (index, step) in steps.steps.enumerated() {
                let started = ContinuousClock.now
                do {
                    switch step {
                    case let .manifests(manifests, namespace):
                        targets += try await deployer.apply(manifests, namespace: namespace, wait: definitions, until: context.deadline.end)
                    case let .run(command):
                        try await runStep(command, index: index)
                    }
                    await context.recorder.add(.deploy, steps.title(index), duration: ContinuousClock.now - started)
                } catch let failed as DeployFailed {
                    await context.recorder.add(.deploy, steps.title(index), duration: ContinuousClock.now - started,
                                               .failed(message: failed.headline, details: failed.lines.joined(separator: "\n")))
                    throw failed
                }
            }
            return targets
        } summary: { _ in "\(steps.objectCount) object\(steps.objectCount == 1 ? "" : "s") applied" }
        await context.recorder.span(.deploy, from: deploying)
        return targets
    }

    /// A `run:` deploy step, in the configuration's folder with kind-ci's environment.
    private func runStep(_ command: String, index: Int) async throws {
        let progress = context.progress
        await progress.note("deploy[\(index)]: \(command)")
        let outcome = try await ShellCommand(command: command, directory: context.configuration.directory, environment: env.childEnvironment)
            .run { line in await progress.output(line) }
        guard outcome.succeeded else {
            throw DeployFailed(headline: "deploy[\(index)] `\(command)` \(outcome.description)",
                               fix: "its output is above; run it yourself after `kind-ci run --until kubernetes` and `set -a; . .kind-ci/env`")
        }
    }
}
