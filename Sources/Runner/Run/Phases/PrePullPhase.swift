import KindCICore

/// Pulls the images the manifests run into kind's docker while the cluster boots (`PrePull`), and
/// later holds the deploy until they are there: a pod created while its image is still being
/// pulled would pull it too, and a pull of its own that fails (no credentials in kind, say) costs
/// it a back-off of 10 s or more.
struct PrePullPhase {
    let context: RunContext
    let engine: DockerEngine

    /// Runs the pre-pulls; `started` is when kind's docker came up.
    func run(started: ContinuousClock.Instant) async {
        let prePull = PrePull(puller: ImagePuller(engine: engine, environment: context.request.environment),
                              progress: context.progress, report: context.report)
        await prePull.run(context.steps.pulledImages, started: started, until: context.deadline.end)
    }

    /// How long the deploy waits for pre-pulls still going: the rollout's own limit
    /// (`wait.timeout`). Pulls that outlast it (a registry that stalls) go on beside the deploy,
    /// whose pods then wait for them within that limit.
    var patience: Duration { context.configuration.wait.timeout.duration }

    func announceWait() async {
        await context.progress.note("waiting for the pre-pulls to finish, so that pods find their images")
    }

    func announceOutlasted() async {
        await context.progress.note("warning: the pre-pulls are still going after \(ProgressReporter.format(patience)) (wait.timeout); deploying meanwhile")
    }
}
