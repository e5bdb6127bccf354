import KindCICore

/// Waits for kind's `docker-ready` and `kubernetes-ready` by polling the config endpoint about every
/// 100 ms (each second a user waits counts), backing off only while names do not resolve or the
/// server errs, until a deadline. Cancellation stops it at once.
struct ReadinessWaiter: Sendable {
    let http: HTTPFetch
    let progress: ProgressReporter
    static let interval = Duration.milliseconds(100)
    static let longestBackoff = Duration.seconds(2)

    /// How kind's docker was seen to be ready.
    enum DockerSignal: Sendable, CustomStringConvertible {
        /// Its Engine API answered `/_ping`: a second or more before the config endpoint, itself a
        /// container on that docker, serves docker-ready.
        case ping
        case dockerReady

        var description: String {
            switch self {
            case .ping: "its docker answers"
            case .dockerReady: "docker-ready is served"
            }
        }
    }

    /// Polls `candidates` until one is ready: its docker answers `/_ping` (where whatever answers
    /// on that port can only be kind's, see `KindAddress.dockerPortIsKinds`) or its config endpoint
    /// serves docker-ready. An address whose endpoint answers at all becomes the only one polled.
    func waitForDocker(_ candidates: [KindAddress], named: Bool, deadline: ContinuousClock.Instant,
                       started: ContinuousClock.Instant) async throws -> (address: KindAddress, signal: DockerSignal) {
        var observations = candidates.map { ($0, Observation()) }
        var chosen: Int?
        var backoff = Self.interval
        while true {
            let targets = chosen.map { [$0] } ?? Array(candidates.indices)
            let outcomes = await withTaskGroup(of: (Int, ProbeOutcome, Bool).self) { group in
                for index in targets {
                    group.addTask {
                        let candidate = candidates[index]
                        async let pinged = candidate.dockerPortIsKinds ? http.ping(candidate) : false
                        let outcome = await http.probe(candidate, "docker-ready")
                        return (index, outcome, await pinged)
                    }
                }
                return await group.reduce(into: [Int: (config: ProbeOutcome, pinged: Bool)]()) { $0[$1.0] = ($1.1, $1.2) }
            }
            try Task.checkCancellation()
            for index in targets.sorted() {
                guard let outcome = outcomes[index] else { continue }
                observations[index].1.record(outcome.config)
            }
            await progress.update(describe(targets.compactMap { index in outcomes[index].map { (candidates[index], $0.config) } }))
            if let ready = targets.sorted().first(where: { outcomes[$0]?.pinged == true || outcomes[$0]?.config == .present }) {
                await announce(candidates[ready], chosen: chosen == nil && candidates.count > 1)
                return (candidates[ready], outcomes[ready]?.pinged == true ? .ping : .dockerReady)
            }
            if chosen == nil, candidates.count > 1, let answering = targets.sorted().first(where: { outcomes[$0]?.config.answered == true }) {
                chosen = answering
                await announce(candidates[answering], chosen: true)
            }
            let now = ContinuousClock.now
            guard now < deadline else {
                throw KindDiagnosis.dockerNeverReady(observations, waited: now - started, named: named)
            }
            backoff = targets.allSatisfy({ outcomes[$0]?.config.backsOff == true }) ? min(backoff * 2, Self.longestBackoff) : Self.interval
            try await Task.sleep(until: min(now + backoff, deadline), clock: .continuous)
        }
    }

    /// Polls `kubernetes-ready` until it is served. Refused and 404 are normal meanwhile (the config
    /// server starts just after docker, the file appears when the cluster is up). Each new state
    /// goes to `status`: the wait runs while the images build, before the log gets to it.
    func waitForKubernetes(_ address: KindAddress, deadline: ContinuousClock.Instant,
                           status: @Sendable (String) async -> Void) async throws {
        var observation = Observation()
        var backoff = Self.interval
        while true {
            let outcome = await http.probe(address, "kubernetes-ready")
            try Task.checkCancellation()
            observation.record(outcome)
            if outcome == .present { return }
            await status("kubernetes-ready at \(address.configEndpoint): \(outcome)")
            let now = ContinuousClock.now
            guard now < deadline else { throw KubernetesWaitExpired(observation: observation) }
            backoff = outcome.backsOff ? min(backoff * 2, Self.longestBackoff) : Self.interval
            try await Task.sleep(until: min(now + backoff, deadline), clock: .continuous)
        }
    }

    private func describe(_ outcomes: [(KindAddress, ProbeOutcome)]) -> String {
        "docker-ready at " + outcomes.map { "\($0.0.configEndpoint): \($0.1)" }.joined(separator: "; ")
    }

    private func announce(_ address: KindAddress, chosen: Bool) async {
        guard chosen else { return }
        await progress.note("found kind at \(address.host) (\(address.reason))")
    }
}

/// The kubernetes-ready deadline passed; the caller gathers the evidence for the diagnosis.
struct KubernetesWaitExpired: Error {
    let observation: Observation
}
