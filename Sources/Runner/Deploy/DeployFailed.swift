import KindCICore

/// Deploying failed: an apply refused, a `run:` step failed, a workload failed or was not ready in
/// time (exit 66). Says what, for each object, in at most about 20 lines.
struct DeployFailed: UserFacingError {
    let headline: String
    let lines: [String]
    let fix: String

    init(headline: String, lines: [String] = [], fix: String) {
        self.headline = headline
        self.lines = lines
        self.fix = fix
    }

    init(failures: [String]) {
        self.init(headline: "the deployment failed:", lines: failures,
                  fix: "see the pods' events and logs (kubectl describe / logs); `wait: {tolerate: until-deadline}` waits out pods that recover")
    }

    /// `limit` names what ran out: `wait.timeout 5m`, or `the overall deadline`.
    init(timeout: Duration, limit: String, pending: [String]) {
        self.init(headline: "not ready after \(ProgressReporter.format(timeout)) (\(limit)):", lines: pending,
                  fix: "raise \(limit.hasPrefix("wait.timeout") ? "wait.timeout in kind-ci.yml" : "the deadline (--timeout, timeout in kind-ci.yml, or the job's)") "
                      + "if the workloads are only slow; else see their events and logs")
    }

    var problem: Problem {
        let shown = lines.prefix(20).map { "- \($0)" } + (lines.count > 20 ? ["- and \(lines.count - 20) more"] : [])
        return Problem(headline, details: shown, fix: fix, status: .deployFailed)
    }
}
