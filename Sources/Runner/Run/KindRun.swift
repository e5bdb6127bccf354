import Foundation
import KindCICore

/// `kind-ci run`: find kind (starting it first with `--up`), wait for its docker, build the images
/// into it while its cluster boots, wait for Kubernetes, then write `.kind-ci/env`. Deploying and
/// testing come next, in this order.
public struct KindRun: Sendable {
    let request: RunRequest
    let progress: ProgressReporter

    public init(request: RunRequest, progress: ProgressReporter) {
        self.request = request
        self.progress = progress
    }

    /// The timing every phase works against.
    struct Clock {
        let start: ContinuousClock.Instant
        let overall: ContinuousClock.Instant?

        /// A phase's own limit from the start of the run, within the overall deadline.
        func deadline(_ phase: ConfigDuration) -> ContinuousClock.Instant {
            min(start + phase.duration, overall ?? start + phase.duration)
        }
    }

    /// Runs to the end (or `--until`); returns the environment written for the job. Whatever the
    /// outcome, `report.xml` is written and a closing line gives each phase's time; after a failure
    /// past kind's start, or a cancellation, diagnostics are gathered first.
    public func execute() async throws -> String {
        let start = ContinuousClock.now
        let configuration = try request.configuration(required: true)
        // Manifests are read (and checked) before kind is touched: a broken one fails at once.
        let steps = try DeploySteps(configuration)
        let shards = try Shards.from(environment: request.environment)
        let clock = Clock(start: start, overall: RunDeadline.overall(request: request, configuration: configuration, start: start))
        let artifacts = URL(fileURLWithPath: request.artifacts)
        let report = RunReport(started: start)
        if request.verbose { await explain(configuration, steps, clock: clock) }
        return try await HTTPFetch.withClient { http in
            try await withHeartbeat {
                var state = State()
                let outcome: Result<String, any Error>
                do {
                    outcome = .success(try await phases(configuration, steps, shards: shards, http: http, clock: clock,
                                                        artifacts: artifacts, report: report, state: &state))
                } catch {
                    outcome = .failure(error)
                }
                // Reports and diagnostics are written even when the run was cancelled: an
                // unstructured task does not inherit the cancellation.
                let concluded = await Task { [state] in
                    await conclude(outcome, configuration: configuration, state: state, http: http, artifacts: artifacts, report: report)
                }.value
                await tearDown(state.launched)
                return try concluded.get()
            }
        }
    }

    /// What the run has reached, for what follows a failure.
    struct State: Sendable {
        var launched: KindLauncher?
        var address: KindAddress?
        var client: KubernetesClient?
        /// The report's stages not reached yet, in order, and the one under way.
        var pending: [String] = []
        var current: String?

        mutating func begin(_ stage: String) {
            pending.removeAll { $0 == stage }
            current = stage
        }
    }

    /// Every phase in order, up to `--until`. Once kind's docker answers, three things go on at
    /// once: the builds, the pre-pulls and the cluster's boot (with the kubeconfig installed as soon
    /// as it is up); deploying waits for all three.
    private func phases(_ configuration: Configuration, _ steps: DeploySteps, shards: Shards, http: HTTPFetch, clock: Clock,
                        artifacts: URL, report: RunReport, state: inout State) async throws -> String {
        let reach = request.until
        /// Whether `--until` lets the run get to `stop`.
        func reaches(_ stop: RunStop) -> Bool { reach.map { $0 >= stop } ?? true }
        let deploys = !configuration.deploy.isEmpty
        state.pending = ["kind"] + (configuration.build.isEmpty ? [] : ["build"])
            + (reaches(.kubernetes) ? ["kubernetes"] : [])
            + (deploys && reaches(.deploy) ? ["deploy"] : []) + (deploys && reaches(.ready) ? ["ready"] : [])
            + (reach == nil && configuration.test != nil ? ["test"] : [])
        var launched: KindLauncher?
        defer { state.launched = launched }
        state.begin("kind")
        let named = try await namedKind(configuration, http: http) { launched = $0 }
        let address = try await waitForDocker(configuration, named: named, http: http, clock: clock)
        state.address = address
        let dockerReady = ContinuousClock.now
        await report.add("kind-ci.kind", "docker ready", duration: dockerReady - clock.start)
        await report.phase("kind", from: clock.start, to: dockerReady)
        var env = EnvFile.forKind(at: address, environment: request.environment)
        env.set("KIND_CI_SHARD", String(shards.index))
        env.set("KIND_CI_SHARDS", String(shards.count))
        let deadline = clock.overall ?? clock.start + .seconds(3600)
        let engine = configuration.build.isEmpty && steps.pulledImages.isEmpty ? nil
            : try await DockerEngine.connect(address.dockerEndpoint, http: http, fix: DockerUnreachable.kindFix)
        // A child's result says which ended: the pre-pulls (true) or the time allowed for them (false).
        return try await withThrowingTaskGroup(of: Bool.self) { prePulls in
            // Pre-pulls still going when the run fails or is stopped are of no more use.
            defer { prePulls.cancelAll() }
            if let engine, !steps.pulledImages.isEmpty {
                let prePull = PrePull(puller: ImagePuller(engine: engine, environment: request.environment), progress: progress, report: report)
                prePulls.addTask {
                    await prePull.run(steps.pulledImages, started: dockerReady, until: deadline)
                    return true
                }
            }
            let boot = HeldProgress()
            let (bootFailure, failing) = AsyncStream.makeStream(of: BootFailed.self)
            async let cluster = reaches(.kubernetes)
                ? bootKubernetes(configuration, at: address, http: http, clock: clock, artifacts: artifacts, status: boot, failing: failing) : nil
            if let engine, !configuration.build.isEmpty {
                state.begin("build")
                let built: [ImageBuilds.Built]
                do {
                    built = try await Self.unless(bootFailure) {
                        try await buildImages(configuration, engine: engine, at: address, artifacts: artifacts, deadline: deadline, report: report)
                    }
                } catch let failed as BootFailed {
                    // The cluster will not come: the builds were stopped for it, and its reason is the run's.
                    state.begin("kubernetes")
                    throw failed.error
                }
                for image in built { env.set(image.entry.environmentVariable, image.entry.image.description) }
                await report.phase("build", from: dockerReady, after: ["kind"])
            }
            guard reach != .images else {
                try await awaitPrePulls(&prePulls, limit: configuration.wait.timeout.duration)
                return try await finish(env, artifacts)
            }
            state.begin("kubernetes")
            await progress.begin("kind_ci_kubernetes", "Waiting for Kubernetes")
            await boot.show(on: progress)
            let booted: BootedCluster
            do {
                booted = try await cluster!
            } catch {
                await progress.end(success: false, error is CancellationError ? "cancelled" : "failed")
                throw error
            }
            let transport = booted.transport
            await progress.note("wrote \(booted.kubeconfig) (context kind-ci: https://\(transport.host):\(transport.port), TLS name \(transport.tls.serverName)); the API answers")
            await progress.end(success: true, "Kubernetes \(booted.version ?? "") is ready")
            await report.add("kind-ci.kind", "kubernetes ready", duration: booted.ready - clock.start)
            await report.phase("kubernetes", from: dockerReady, to: booted.installed, after: ["kind"])
            env.set("KUBECONFIG", booted.kubeconfig)
            let client = KubernetesClient(transport: transport)
            state.client = client
            try await awaitPrePulls(&prePulls, limit: configuration.wait.timeout.duration)
            if reach != .kubernetes, !configuration.deploy.isEmpty {
                try await deploy(steps, configuration, client: client, env: env, clock: clock, report: report, state: &state)
            }
            if reach == nil, let test = configuration.test {
                state.begin("test")
                try await runTests(test, configuration, env: env, shards: shards, clock: clock, artifacts: artifacts, report: report)
            }
            return try await finish(env, artifacts)
        }
    }

    /// Waits for the pre-pulls still going, before deploying or handing the cluster over: a pod
    /// created while its image is still being pulled would pull it too, and a pull of its own that
    /// fails (no credentials in kind, say) costs it a back-off of 10 s or more. Pulls that outlast
    /// `limit` (the rollout's own, `wait.timeout`: a registry that stalls) go on beside the deploy,
    /// whose pods then wait for them within that deadline.
    private func awaitPrePulls(_ prePulls: inout ThrowingTaskGroup<Bool, any Error>, limit: Duration) async throws {
        guard !prePulls.isEmpty else { return }
        await progress.note("waiting for the pre-pulls to finish, so that pods find their images")
        prePulls.addTask {
            try? await Task.sleep(for: limit)
            return false
        }
        guard try await prePulls.next() == true else {
            await progress.note("warning: the pre-pulls are still going after \(ProgressReporter.format(limit)) (wait.timeout); deploying meanwhile")
            return
        }
        // The pre-pulls are done: the time allowed for them is of no more use.
        prePulls.cancelAll()
        while try await prePulls.next() != nil {}
    }

    /// The cluster once it is up, with the kubeconfig installed for the job.
    struct BootedCluster: Sendable {
        let kubeconfig: String
        let transport: KubernetesTransport
        let version: String?
        /// When `kubernetes-ready` was first seen, and when the kubeconfig was in place and checked.
        let ready: ContinuousClock.Instant
        let installed: ContinuousClock.Instant
    }

    /// After the phases: diagnostics when something failed past kind's start (or the run was
    /// cancelled), the report, and the closing line. A failure comes back with the closing line
    /// after its explanation.
    private func conclude(_ outcome: Result<String, any Error>, configuration: Configuration, state: State, http: HTTPFetch,
                          artifacts: URL, report: RunReport) async -> Result<String, any Error> {
        var failure: (any Error)?
        if case let .failure(error) = outcome { failure = error }
        let cancelled = failure is CancellationError
        if let failure, let stage = state.current, await !report.hasCases(in: "kind-ci.\(stage)") {
            // A phase that failed as a whole (kind never ready, no kubeconfig, ...) is one failed case.
            let text = (failure as? any UserFacingError)?.render(style: .plain) ?? "\(failure)"
            await report.add("kind-ci.\(stage)", stage, duration: .zero,
                             cancelled ? .skipped("the run was cancelled") : .failed(message: String(text.prefix { $0 != "\n" }), details: text))
        }
        for stage in state.pending {
            await report.add("kind-ci.\(stage)", stage, duration: .zero, .skipped(cancelled ? "the run was cancelled" : "an earlier phase failed"))
        }
        if let failure, state.address != nil, !(failure is KindNotReady) {
            // An API server that stopped answering would only make each read wait out its patience.
            let unreadable = (failure as? KubernetesUnreachable)?.description
            let diagnostics = Diagnostics(client: state.client, unreadable: unreadable, http: http, address: state.address, artifacts: artifacts)
            await progress.begin("kind_ci_diagnostics", "Gathering diagnostics")
            let summary = await diagnostics.gather()
            for line in summary { await progress.note(line) }
            await progress.end(success: true, "written to \(request.artifacts)/diagnostics/")
        }
        do {
            try await report.write(to: artifacts)
        } catch {
            await progress.note("\(error)")
        }
        guard let failure else {
            await progress.output(await report.closingLine(outcome: request.until.map { "stopped after \($0.rawValue) as asked (--until)" } ?? "passed"))
            return outcome
        }
        if let facing = failure as? any UserFacingError {
            return .failure(facing.problem.appending(note: await report.closingLine(outcome: "failed (exit \(facing.exitCode))")))
        }
        await progress.output(await report.closingLine(outcome: cancelled ? "cancelled" : "failed"))
        return outcome
    }

    /// `--verbose`: what the run is about to do and within which limits.
    private func explain(_ configuration: Configuration, _ steps: DeploySteps, clock: Clock) async {
        let timeouts = configuration.kind.timeouts
        await progress.note("configuration \(request.configPath) (paths relative to \(configuration.directory))")
        await progress.note("kind \(configuration.kind.image); docker within \(timeouts.docker), Kubernetes within \(timeouts.kubernetes)"
            + (clock.overall.map { ", everything within \(ProgressReporter.format($0 - clock.start))" } ?? ", no overall deadline"))
        if KindCandidates.named(option: request.host, environment: request.environment, configuration: configuration) == nil, !request.up {
            let names = KindCandidates.detected(configuration: configuration).map(\.host).joined(separator: ", ")
            await progress.note("no host named: a kind `up` started, else the first of \(names) to answer")
        }
        if !steps.pulledImages.isEmpty {
            await progress.note("the manifests run \(steps.pulledImages.map(\.description).joined(separator: ", ")): pre-pulled into kind's docker while Kubernetes boots")
        }
    }

    /// The one address kind is at when the user or `up` says so: `--up` starts it (and hands the
    /// launcher back for the tear-down), else --host, KIND_CI_HOST, kind.host, or a kind `up` started.
    /// Nil means: detect it.
    private func namedKind(_ configuration: Configuration, http: HTTPFetch,
                           launched: (KindLauncher) -> Void) async throws -> KindAddress? {
        if request.up {
            let launcher = KindLauncher(engine: try await DockerEngine.connect(environment: request.environment, http: http),
                                        progress: progress)
            await progress.begin("kind_ci_up", "Starting kind")
            launched(launcher)
            let address = try await phase {
                try await launcher.up(image: request.image ?? configuration.kind.image, name: request.name,
                                      runOptions: request.runOptions, ports: configuration.kind.ports, environment: request.environment)
            }
            await progress.end(success: true, "kind started")
            return address
        }
        if let named = KindCandidates.named(option: request.host, environment: request.environment, configuration: configuration) {
            return named
        }
        return try await labelled(http)
    }

    private func waitForDocker(_ configuration: Configuration, named: KindAddress?, http: HTTPFetch, clock: Clock) async throws -> KindAddress {
        let candidates = named.map { [$0] } ?? KindCandidates.detected(configuration: configuration)
        await progress.begin("kind_ci_docker", "Waiting for kind's docker")
        let (address, signal) = try await phase {
            try await ReadinessWaiter(http: http, progress: progress)
                .waitForDocker(candidates, named: named != nil, deadline: clock.deadline(configuration.kind.timeouts.docker), started: clock.start)
        }
        await progress.end(success: true, "ready at \(address.host) (\(address.reason); \(signal))")
        return address
    }

    /// Waits for `kubernetes-ready`, then installs kind's kubeconfig for the job's tools and checks
    /// it with `/version` through kind-ci's own client, which verifies TLS as kubectl will. Runs
    /// while the images build; its states go to `status` until the log gets to it, and a failure
    /// goes to `failing` at once, so that builds that no longer matter are stopped.
    private func bootKubernetes(_ configuration: Configuration, at address: KindAddress, http: HTTPFetch, clock: Clock,
                                artifacts: URL, status: HeldProgress, failing: AsyncStream<BootFailed>.Continuation) async throws -> BootedCluster {
        defer { failing.finish() }
        do {
            return try await installKubernetes(configuration, at: address, http: http, clock: clock, artifacts: artifacts, status: status)
        } catch where !(error is CancellationError) {
            failing.yield(BootFailed(error: error))
            throw error
        }
    }

    /// The cluster's boot failed while the images were building.
    struct BootFailed: Error {
        let error: any Error
    }

    /// `body`'s result, unless the boot fails first: then `body` is cancelled and `BootFailed` thrown.
    private static func unless<T: Sendable>(_ bootFailure: AsyncStream<BootFailed>,
                                            _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                for await failure in bootFailure { throw failure }
                return nil
            }
            defer { group.cancelAll() }
            // The boot's child ends with nil when the cluster came up: the builds' result is still to come.
            for try await result in group {
                if let result { return result }
            }
            preconditionFailure("the builds ended with neither a result nor an error")
        }
    }

    private func installKubernetes(_ configuration: Configuration, at address: KindAddress, http: HTTPFetch, clock: Clock,
                                   artifacts: URL, status: HeldProgress) async throws -> BootedCluster {
        do {
            try await ReadinessWaiter(http: http, progress: progress)
                .waitForKubernetes(address, deadline: clock.deadline(configuration.kind.timeouts.kubernetes)) { await status.update($0) }
        } catch let expired as KubernetesWaitExpired {
            throw await kubernetesNeverReady(address, http: http, observation: expired.observation,
                                             waited: ContinuousClock.now - clock.start, artifacts: artifacts)
        }
        let ready = ContinuousClock.now
        let version = await http.configFile(address, "kubernetes-version")?.trimmingCharacters(in: .whitespacesAndNewlines)
        // Fetched only now: kind serves its kubeconfig before the cluster is up.
        let text = try await KindKubeconfig.fetch(address, http: http)
        SecretMask.process.learn(kubeconfig: text)
        let path = KubeconfigInstall.path(option: request.kubeconfig, environment: request.environment)
        let kubeconfig = try KubeconfigInstall.install(kind: text, host: address.host, port: address.ports.api, at: path, artifacts: artifacts)
        let transport = try kubeconfig.transport()
        let answer = try await transport.sendRetrying(.GET, "/version", until: .now + .seconds(30))
        guard answer.status == 200 else {
            throw KubernetesUnreachable(host: transport.host, port: transport.port,
                                        reason: "/version answered \(answer.status): \(answer.text.prefix(200))", tlsRefused: false)
        }
        return BootedCluster(kubeconfig: path, transport: transport, version: version, ready: ready, installed: .now)
    }

    /// Runs the deploy steps in order, then (unless `--until deploy`) waits for everything applied.
    private func deploy(_ steps: DeploySteps, _ configuration: Configuration, client: KubernetesClient, env: EnvFile,
                        clock: Clock, report: RunReport, state: inout State) async throws {
        let deployer = Deployer(client: client, progress: progress)
        let definitions = RolloutWait(client: client, progress: progress, tolerate: configuration.wait.tolerate)
        let deadline = clock.overall ?? .now + .seconds(3600)
        let deploying = ContinuousClock.now
        state.begin("deploy")
        await progress.begin("kind_ci_deploy", "Deploying")
        var targets: [RolloutWait.Target] = []
        try await phase {
            for rewrite in steps.rewrites { await progress.note("image \(rewrite)") }
            for (index, step) in steps.steps.enumerated() {
                let started = ContinuousClock.now
                do {
                    switch step {
                    case let .manifests(manifests, namespace):
                        targets += try await deployer.apply(manifests, namespace: namespace, wait: definitions, until: deadline)
                    case let .run(command):
                        try await runStep(command, index: index, configuration: configuration, env: env)
                    }
                    await report.add("kind-ci.deploy", steps.title(index), duration: ContinuousClock.now - started)
                } catch let failed as DeployFailed {
                    await report.add("kind-ci.deploy", steps.title(index), duration: ContinuousClock.now - started,
                                     .failed(message: failed.headline, details: failed.lines.joined(separator: "\n")))
                    throw failed
                }
            }
        }
        await progress.end(success: true, "\(steps.objectCount) object\(steps.objectCount == 1 ? "" : "s") applied")
        await report.phase("deploy", from: deploying, after: ["build", "kubernetes", "pre-pull"])
        guard request.until != .deploy else { return }
        state.begin("ready")
        let wait = RolloutWait(client: client, progress: progress, tolerate: configuration.wait.tolerate)
        await progress.begin("kind_ci_ready", "Waiting for the workloads")
        let waiting = ContinuousClock.now
        do {
            try await phase {
                let waitEnds = ContinuousClock.now + configuration.wait.timeout.duration
                try await wait.wait(for: targets, limit: waitEnds <= deadline ? "wait.timeout \(configuration.wait.timeout)" : "the overall deadline",
                                    until: min(waitEnds, deadline))
            }
        } catch {
            // Stopped by a signal, what was still waiting was not judged: skipped, not failed.
            await recordReadiness(targets, wait.record, report: report, failed: !(error is CancellationError))
            throw error
        }
        await recordReadiness(targets, wait.record, report: report, failed: false)
        await progress.end(success: true, "\(targets.count) ready")
        await report.phase("ready", from: waiting, after: ["deploy"])
    }

    /// A case per object waited for: ready after how long, else why not.
    private func recordReadiness(_ targets: [RolloutWait.Target], _ record: RolloutWait.Record, report: RunReport, failed: Bool) async {
        let readyAfter = await record.readyAfter
        let last = await record.last
        let elapsed = await record.elapsed
        for target in targets {
            let name = target.namespace.map { "\(target.label) in \($0)" } ?? target.label
            if let time = readyAfter[target] {
                await report.add("kind-ci.ready", name, duration: time)
                continue
            }
            switch last[target] {
            case let .failed(why)?: await report.add("kind-ci.ready", name, duration: elapsed, .failed(message: why, details: why))
            case let .waiting(why)? where failed:
                await report.add("kind-ci.ready", name, duration: elapsed, .failed(message: "not ready: \(why)", details: why))
            default: await report.add("kind-ci.ready", name, duration: elapsed, .skipped("not judged before the run ended"))
            }
        }
    }

    /// `test:` with kind-ci's environment, stopped at `test.timeout` or the overall deadline; its
    /// reports copied into the artifacts whatever happens.
    private func runTests(_ test: TestSettings, _ configuration: Configuration, env: EnvFile, shards: Shards, clock: Clock,
                          artifacts: URL, report: RunReport) async throws {
        await progress.begin("kind_ci_test", "Running the tests")
        var environment = env.childEnvironment
        if !test.shardFiles.isEmpty {
            let all = Shards.files(matching: test.shardFiles, in: configuration.directory)
            let share = shards.share(of: all)
            environment["KIND_CI_SHARD_FILES"] = share.joined(separator: "\n")
            let list = artifacts.appendingPathComponent("shard-files")
            try? FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
            try? Data(share.map { $0 + "\n" }.joined().utf8).write(to: list, options: .atomic)
            await progress.note("shard \(shards.index) of \(shards.count): \(share.count) of \(all.count) test files "
                + "(KIND_CI_SHARD_FILES, and \(request.artifacts)/shard-files)")
        }
        let phase = TestPhase(settings: test, directory: configuration.directory, environment: environment, progress: progress)
        var deadline = clock.overall ?? .now + .seconds(24 * 3600)
        var limit = "the overall deadline"
        if let timeout = test.timeout, ContinuousClock.now + timeout.duration < deadline {
            deadline = ContinuousClock.now + timeout.duration
            limit = "test.timeout \(timeout)"
        }
        await progress.note(test.run)
        let started = ContinuousClock.now
        let result: Result<TestPhase.Outcome, any Error>
        do {
            result = .success(try await phase.run(until: deadline, limit: limit))
        } catch {
            result = .failure(error)
        }
        let (copied, unmatched, outside) = phase.copyReports(into: artifacts.appendingPathComponent("reports"), containment: configuration.containment)
        for pattern in unmatched { await progress.note("test.reports: \(pattern) matched no file") }
        for file in outside { await progress.note("test.reports: not kept, \(file) (allow_outside: true keeps it)") }
        if !copied.isEmpty { await progress.note("kept \(copied.count) report\(copied.count == 1 ? "" : "s") in \(request.artifacts)/reports/") }
        guard case let .success(outcome) = result else {
            await report.add("kind-ci.test", test.run, duration: ContinuousClock.now - started, .skipped("the run was cancelled"))
            await progress.end(success: false, "cancelled")
            _ = try result.get()
            return
        }
        let duration = ContinuousClock.now - started
        await report.phase("tests", from: started, after: ["ready", "deploy", "build", "kubernetes"])
        if outcome == .finished(.exited(0)) {
            await report.add("kind-ci.test", test.run, duration: duration)
            await progress.end(success: true, "passed")
            return
        }
        let failed = Problem.testsFailed(outcome)
        let message: String = switch outcome {
        case let .finished(result): "the test command \(result.description)"
        case let .stopped(limit): "stopped at \(limit)"
        }
        await report.add("kind-ci.test", test.run, duration: duration, .failed(message: message, details: message))
        await progress.end(success: false, message)
        throw failed
    }

    /// A `run:` deploy step, in the configuration's folder with kind-ci's environment.
    private func runStep(_ command: String, index: Int, configuration: Configuration, env: EnvFile) async throws {
        await progress.note("deploy[\(index)]: \(command)")
        let outcome = try await ShellCommand(command: command, directory: configuration.directory, environment: env.childEnvironment)
            .run { [progress] line in await progress.output(line) }
        guard outcome.succeeded else {
            throw DeployFailed(headline: "deploy[\(index)] `\(command)` \(outcome.description)",
                               fix: "its output is above; run it yourself after `kind-ci run --until kubernetes` and `set -a; . .kind-ci/env`")
        }
    }

    /// Builds the images into kind's docker while its cluster boots.
    private func buildImages(_ configuration: Configuration, engine: DockerEngine, at address: KindAddress, artifacts: URL,
                             deadline: ContinuousClock.Instant, report: RunReport) async throws -> [ImageBuilds.Built] {
        let count = configuration.build.count
        await progress.begin("kind_ci_build", "Building \(count) image\(count == 1 ? "" : "s") into kind's docker")
        return try await phase {
            let built = try await ImageBuilds(configuration: configuration, engine: engine, dockerHost: address.dockerHost,
                                              artifacts: artifacts, environment: request.environment, progress: progress, report: report)
                .run(deadline: deadline)
            await progress.end(success: true, built.map(\.entry.image.description).joined(separator: ", "))
            return built
        }
    }

    /// Runs `body`; a failure ends the phase as failed in the log before it propagates.
    private func phase<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            await progress.end(success: false, error is CancellationError ? "cancelled" : "failed")
            throw error
        }
    }

    private func finish(_ env: EnvFile, _ artifacts: URL) async throws -> String {
        let file = try env.write(to: artifacts)
        await progress.note("wrote \(file.path)")
        if request.until != nil { FileHandle.standardOutput.write(Data(SecretMask.process.mask(env.text).utf8)) }
        return env.text
    }

    /// Removes the kind `--up` started, unless `--keep` or `--until` (which leaves a cluster for the
    /// job's own steps). Runs even when the run was cancelled: an unstructured task does not
    /// inherit the cancellation. A failure to remove it is said, and does not change the outcome.
    private func tearDown(_ launcher: KindLauncher?) async {
        guard let launcher, !request.keep, request.until == nil else { return }
        do {
            if let removed = try await Task(operation: { try await launcher.down(name: request.name) }).value {
                await progress.note("removed kind \(removed)")
            }
        } catch {
            await progress.note("could not remove kind: \(error)")
        }
    }

    /// A kind that `kind-ci up` started on the daemon `DOCKER_HOST` names, when there is such a daemon.
    private func labelled(_ http: HTTPFetch) async throws -> KindAddress? {
        guard let endpoint = try? DockerEndpoint.fromEnvironment(request.environment),
              let engine = try? await DockerEngine.connect(endpoint, http: http, timeout: .seconds(2)) else { return nil }
        return try? await KindLauncher(engine: engine, progress: progress).findRunning()
    }

    private func kubernetesNeverReady(_ address: KindAddress, http: HTTPFetch, observation: Observation, waited: Duration,
                                      artifacts: URL) async -> KindNotReady {
        let folder = artifacts.appendingPathComponent("diagnostics/kind")
        var lines = ["Docker inside kind is up, so kind started; its cluster did not (last: kubernetes-ready \(observation.last?.description ?? "-"))."]
        do {
            let engine = try await DockerEngine.connect(address.dockerEndpoint, http: http)
            lines += try await KubeSystemEvidence(engine: engine, folder: folder).gather()
            lines.append("Logs of every kube-system container: \(folder.path)/")
        } catch let unreachable as DockerUnreachable {
            lines.append("kind's docker at \(address.dockerHost) did not answer either (\(unreachable.failure)): no evidence to fetch.")
        } catch {
            lines.append("reading kind's docker at \(address.dockerHost) failed (\(error)): no evidence to fetch.")
        }
        return KindNotReady(headline: "Kubernetes in kind at \(address.host) did not become ready in \(ProgressReporter.format(waited)).",
                            explanation: lines)
    }

    private func withHeartbeat<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        let heartbeat = Task { [progress] in await progress.heartbeat() }
        defer { heartbeat.cancel() }
        return try await body()
    }
}
