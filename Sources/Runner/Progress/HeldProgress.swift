/// The state of work that runs ahead of its place in the log (the cluster's boot, while the images
/// build): kept back until the log gets to that phase, then shown, and every change after it.
actor HeldProgress {
    private var latest: String?
    private var shown: ProgressReporter?

    func update(_ text: String) async {
        latest = text
        await shown?.update(text)
    }

    /// From now on, states go to `progress`, starting with the latest one.
    func show(on progress: ProgressReporter) async {
        shown = progress
        if let latest { await progress.update(latest) }
    }
}
