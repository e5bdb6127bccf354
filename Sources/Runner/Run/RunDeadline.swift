import KindCICore

/// The overall deadline of a run: `--timeout`, else `timeout` in kind-ci.yml, else the CI job's
/// own timeout (`CI_JOB_TIMEOUT`) less a margin in which reports can still be written before the
/// CI kills the job. The earliest of those that are set.
enum RunDeadline {
    static func overall(request: RunRequest, configuration: Configuration, start: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        var limits: [Duration] = []
        if let timeout = request.timeout ?? configuration.timeout { limits.append(timeout.duration) }
        if let text = request.environment["CI_JOB_TIMEOUT"], let seconds = Int(text), seconds > 0 {
            limits.append(.seconds(seconds) - margin(forJobSeconds: seconds))
        }
        return limits.min().map { start + $0 }
    }

    /// A tenth of the job's time, at least 30 seconds and at most 5 minutes.
    static func margin(forJobSeconds seconds: Int) -> Duration {
        .seconds(min(max(seconds / 10, 30), 300))
    }
}
