import KindCICore

/// Pulls into kind's docker, while its cluster boots, every image the manifests run that kind-ci
/// does not build, so that their pods start without pulling (deploying waits for it). A few at a
/// time; an image kind's docker has already is left alone. A failure is only a warning: the pod
/// then pulls the image itself, and the rollout gives the real error if that fails too.
struct PrePull: Sendable {
    let puller: ImagePuller
    let progress: ProgressReporter
    let report: RunReport
    /// Pulls at once; dockerd itself downloads three layers at a time.
    static let parallel = 3

    /// Pulls `images`; `started` is when kind's docker came up, where the pre-pulls begin on the
    /// run's timeline.
    func run(_ images: [ImageReference], started: ContinuousClock.Instant, until deadline: ContinuousClock.Instant) async {
        await progress.note("pre-pulling \(images.count) image\(images.count == 1 ? "" : "s") the manifests run into kind's docker while Kubernetes boots")
        do {
            try await BoundedConcurrency.forEach(images, atMost: Self.parallel) { image in try await pull(image, until: deadline) }
        } catch {
            // A run that failed or was stopped first cut the pulls short: no span to show.
            return
        }
        await report.span(.prePull, from: started)
    }

    /// One image, logged and recorded; throws only when the run was cancelled meanwhile.
    private func pull(_ image: ImageReference, until deadline: ContinuousClock.Instant) async throws {
        let outcome = try await puller.pull(image, until: deadline)
        switch outcome {
        case .present:
            await progress.output("[\(image)] already in kind's docker")
            await report.add(RunPhase.prePull, "pre-pull \(image)", duration: .zero)
        case let .pulled(duration):
            await progress.output("[\(image)] pre-pulled in \(ProgressReporter.format(duration))")
            await report.add(RunPhase.prePull, "pre-pull \(image)", duration: duration)
        case let .failed(reason):
            await progress.note("warning: could not pre-pull \(image): \(reason); its pods will pull it themselves")
            await report.add(RunPhase.prePull, "pre-pull \(image)", duration: .zero, .skipped("not pre-pulled: \(reason)"))
        }
    }
}
