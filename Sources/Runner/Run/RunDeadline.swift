import KindCICore

/// The time a run has, and the one rule every phase's limit follows: a phase's own limit
/// (`kind.timeouts.*`, `wait.timeout`, `test.timeout`) counted from where it starts, cut to the
/// overall deadline; whichever comes first is named in what kind-ci says when it runs out.
struct RunDeadline: Sendable {
    let start: ContinuousClock.Instant
    /// `--timeout`, else `timeout` in kind-ci.yml, else the CI job's own timeout (`CI_JOB_TIMEOUT`)
    /// less a margin in which reports can still be written before the CI kills the job: the
    /// earliest of those that are set. Nil when none is.
    let overall: ContinuousClock.Instant?

    /// A limit and what it is called: `wait.timeout 5m`, `the overall deadline`.
    struct Limit: Sendable {
        let instant: ContinuousClock.Instant
        let name: String
    }

    /// With no deadline set anywhere, a day: every CI host ends its jobs long before.
    static let unbounded = Duration.seconds(24 * 3600)

    init(start: ContinuousClock.Instant, overall: ContinuousClock.Instant?) {
        self.start = start
        self.overall = overall
    }

    init(request: RunRequest, configuration: Configuration, start: ContinuousClock.Instant) {
        self.init(start: start, overall: Self.overall(request: request, configuration: configuration, start: start))
    }

    static func overall(request: RunRequest, configuration: Configuration, start: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        var limits: [Duration] = []
        if let timeout = request.timeout ?? configuration.timeout { limits.append(timeout.duration) }
        if let text = request.environment["CI_JOB_TIMEOUT"], let seconds = Int(text), seconds > 0 {
            limits.append(.seconds(seconds) - margin(forJobSeconds: seconds))
        }
        return limits.min().map { start + $0 }
    }

    /// The overall deadline, or a day from the start when there is none.
    var end: ContinuousClock.Instant { overall ?? start + Self.unbounded }

    /// `key`'s limit (`wait.timeout`) of `duration` from `origin`, unless the overall deadline
    /// comes first.
    func limit(_ key: String, _ duration: ConfigDuration?, from origin: ContinuousClock.Instant = .now) -> Limit {
        guard let duration, origin + duration.duration <= end else { return Limit(instant: end, name: "the overall deadline") }
        return Limit(instant: origin + duration.duration, name: "\(key) \(duration)")
    }

    /// A tenth of the job's time, at least 30 seconds and at most 5 minutes.
    static func margin(forJobSeconds seconds: Int) -> Duration {
        .seconds(min(max(seconds / 10, 30), 300))
    }
}
