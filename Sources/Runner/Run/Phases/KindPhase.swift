import KindCICore

/// Finds kind (starting it first with `--up`) and waits for its docker: the address every later
/// phase works with.
struct KindPhase {
    let context: RunContext
    let scope: KindScope

    func run() async throws -> KindAddress {
        context.recorder.enter(.kind)
        let named = try await namedKind()
        let candidates = named.map { [$0] } ?? KindCandidates.detected(configuration: context.configuration)
        let deadline = context.deadline.limit("kind.timeouts.docker", context.configuration.kind.timeouts.docker, from: context.deadline.start)
        let waiter = ReadinessWaiter(http: context.http, progress: context.progress)
        let (address, _) = try await context.recorder.section(RunPhase.kind) {
            try await waiter.waitForDocker(candidates, named: named != nil, deadline: deadline.instant, started: context.deadline.start)
        } summary: { address, signal in "ready at \(address.host) (\(address.reason); \(signal))" }
        let ready = ContinuousClock.now
        await context.recorder.add(.kind, "docker ready", duration: ready - context.deadline.start)
        await context.recorder.span(.kind, from: context.deadline.start, to: ready)
        return address
    }

    /// The one address kind is at when the user or `up` says so: `--up` starts it, else --host,
    /// KIND_CI_HOST, kind.host, or a kind `up` started. Nil means: detect it.
    private func namedKind() async throws -> KindAddress? {
        let request = context.request
        if request.up {
            return try await context.recorder.section(.startingKind) {
                try await scope.start(context.configuration, http: context.http)
            } summary: { _ in "kind started" }
        }
        if let named = KindCandidates.named(option: request.host, environment: request.environment, configuration: context.configuration) {
            return named
        }
        return try await labelled()
    }

    /// A kind that `kind-ci up` started on the daemon `DOCKER_HOST` names, when there is such a daemon.
    private func labelled() async throws -> KindAddress? {
        guard let endpoint = try? DockerEndpoint.fromEnvironment(context.request.environment),
              let engine = try? await DockerEngine.connect(endpoint, http: context.http, timeout: .seconds(2)) else { return nil }
        return try? await KindLauncher(engine: engine, progress: context.progress).findRunning()
    }
}
