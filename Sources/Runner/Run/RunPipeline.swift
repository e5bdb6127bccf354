import KindCICore

/// Every phase of a run in order, up to `--until`. Once kind's docker answers, three things go on
/// at once, children of one task group: the builds, the pre-pulls and the cluster's boot (with the
/// kubeconfig installed as soon as it is up). A boot that fails cancels the builds; deploying waits
/// for all three. Returns the environment for the job.
struct RunPipeline {
    let context: RunContext
    let scope: KindScope

    /// What the children of the group hand back.
    private enum Arrival: Sendable {
        case built([ImageBuilds.Built])
        case booted(Result<KubernetesPhase.Booted, any Error>)
        case prePulled
        /// The time the deploy waits for the pre-pulls ran out.
        case patienceOver
    }

    private struct Arrivals {
        var built: [ImageBuilds.Built]?
        var booted: Result<KubernetesPhase.Booted, any Error>?
        var prePulled = false
        var patienceOver = false

        mutating func record(_ arrival: Arrival) {
            switch arrival {
            case let .built(images): built = images
            case let .booted(result): booted = result
            case .prePulled: prePulled = true
            case .patienceOver: patienceOver = true
            }
        }

        /// The boot's failure, unless the run was cancelled: a cancellation stops the builds too, and
        /// is theirs to report.
        var bootFailure: (any Error)? {
            if case let .failure(error)? = booted, !(error is CancellationError) { error } else { nil }
        }
    }

    func run() async throws -> EnvFile {
        let plan = context.plan
        let address = try await KindPhase(context: context, scope: scope).run()
        context.recorder.reached(kind: address)
        let dockerReady = ContinuousClock.now
        var env = EnvFile.forKind(at: address, environment: context.request.environment)
        env.set("KIND_CI_SHARD", String(context.shards.index))
        env.set("KIND_CI_SHARDS", String(context.shards.count))
        let engine = plan.contains(.build) || plan.contains(.prePull)
            ? try await DockerEngine.connect(address.dockerEndpoint, http: context.http, fix: DockerUnreachable.kindFix) : nil
        let cluster = KubernetesPhase(context: context, address: address, dockerReady: dockerReady)
        return try await withThrowingTaskGroup(of: Arrival.self) { group in
            // Pre-pulls still going when the run ends, fails or is stopped are of no more use.
            defer { group.cancelAll() }
            var arrivals = Arrivals()
            func wait(until done: (Arrivals) -> Bool) async throws {
                while !done(arrivals), let next = try await group.next() { arrivals.record(next) }
            }
            let prePull = engine.map { PrePullPhase(context: context, engine: $0) }
            if let prePull, plan.contains(.prePull) {
                group.addTask {
                    await prePull.run(started: dockerReady)
                    return .prePulled
                }
            }
            /// Before deploying or handing the cluster over, with every other child done.
            func awaitPrePulls() async throws {
                guard let prePull, plan.contains(.prePull) else { return }
                await prePull.announceWait()
                guard !arrivals.prePulled else { return }
                group.addTask {
                    try? await Task.sleep(for: prePull.patience)
                    return .patienceOver
                }
                try await wait { $0.prePulled || $0.patienceOver }
                if !arrivals.prePulled { await prePull.announceOutlasted() }
            }
            if plan.contains(.kubernetes) { group.addTask { .booted(await cluster.boot()) } }
            if let engine, plan.contains(.build) {
                context.recorder.enter(.build)
                group.addTask { .built(try await BuildPhase(context: context, engine: engine, address: address).run()) }
                try await wait { $0.built != nil || $0.bootFailure != nil }
                if let failure = arrivals.bootFailure, arrivals.built == nil {
                    // The cluster will not come: the builds are stopped for it, and its reason is the run's.
                    group.cancelAll()
                    while true {
                        do { guard try await group.next() != nil else { break } } catch {}
                    }
                    context.recorder.enter(.kubernetes)
                    throw failure
                }
                for image in arrivals.built ?? [] { env.set(image.entry.environmentVariable, image.entry.image.description) }
                await context.recorder.span(.build, from: dockerReady)
            }
            guard plan.contains(.kubernetes) else {
                try await awaitPrePulls()
                return env
            }
            let booted = try await cluster.run {
                try await wait { $0.booted != nil }
                guard let booted = arrivals.booted else { throw CancellationError() }
                return try booted.get()
            }
            env.set("KUBECONFIG", booted.kubeconfig)
            let client = KubernetesClient(transport: booted.transport)
            context.recorder.reached(cluster: client)
            try await awaitPrePulls()
            if plan.contains(.deploy) {
                let targets = try await DeployPhase(context: context, client: client, env: env).run()
                if plan.contains(.ready) { try await ReadyPhase(context: context, client: client).run(targets) }
            }
            if plan.contains(.test), let test = context.configuration.test {
                try await TestsPhase(context: context, test: test, env: env).run()
            }
            return env
        }
    }
}
