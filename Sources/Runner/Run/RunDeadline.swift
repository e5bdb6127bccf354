import KindCICore

/// The time a run has, and the one rule every phase's limit follows: a phase's own limit
/// (`kind.timeouts.*`, `wait.timeout`, `test.timeout`) counted from where it starts, cut to the
/// overall deadline; whichever comes first is named in what kind-ci says when it runs out.
struct RunDeadline: Sendable {
    let start: ContinuousClock.Instant
    /// `--timeout`, else `timeout` in kind-ci.yml, else the CI job's own timeout less a margin in
    /// which reports can still be written before the CI kills the job. Nil when none is set.
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

    /// The user's setting comes first, so that a generated pipeline's job timeout never overrides
    /// the user's `timeout:` (cli-contract.md, "Environment").
    static func overall(request: RunRequest, configuration: Configuration, start: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        if let timeout = request.timeout ?? configuration.timeout { return start + timeout.duration }
        return jobTimeout(request.environment).map { start + .seconds($0) - margin(forJobSeconds: $0) }
    }

    /// The CI job's own timeout in seconds: `KIND_CI_JOB_TIMEOUT` (a duration, which generated
    /// pipelines write for hosts that do not tell the job) or GitLab's `CI_JOB_TIMEOUT` (seconds);
    /// the shorter when both are set.
    static func jobTimeout(_ environment: [String: String]) -> Int? {
        let kindCI = environment["KIND_CI_JOB_TIMEOUT"].flatMap(ConfigDuration.init(parsing:)).map(\.seconds)
        let gitLab = environment["CI_JOB_TIMEOUT"].flatMap { Int($0) }
        return [kindCI, gitLab].compactMap { $0 }.filter { $0 > 0 }.min()
    }

    /// `KIND_CI_JOB_TIMEOUT` set to something that is not a duration: refused before kind is
    /// touched, rather than a run that the CI kills without reports.
    static func jobTimeoutProblem(_ environment: [String: String]) -> Problem? {
        guard let text = environment["KIND_CI_JOB_TIMEOUT"], !text.isEmpty, ConfigDuration(parsing: text) == nil else { return nil }
        return Problem("KIND_CI_JOB_TIMEOUT=\(text) is not a duration such as 90s, 20m or 1h30m",
                       fix: "set it to the CI job's timeout, as the host's own timeout key says (e.g. 60m), or unset it",
                       status: .badConfiguration)
    }

    /// A `--timeout` or `timeout:` the CI job would cut short: then reports are lost with the job.
    static func outlastsTheJob(request: RunRequest, configuration: Configuration) -> String? {
        guard let chosen = request.timeout ?? configuration.timeout, let job = jobTimeout(request.environment),
              chosen.seconds > job - Int(margin(forJobSeconds: job).components.seconds) else { return nil }
        let source = request.timeout != nil ? "--timeout" : "timeout: in \(configuration.fileName)"
        return "warning: \(source) \(chosen) is longer than the CI job's own timeout (\(ConfigDuration(seconds: job))) less a margin "
            + "for the reports; the CI may kill the job before kind-ci writes them"
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
