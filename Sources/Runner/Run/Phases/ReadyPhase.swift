import KindCICore

/// Waits until everything applied is ready, by kubectl's rules, within `wait.timeout`; a case per
/// object in the report: ready after how long, else why not.
struct ReadyPhase {
    let context: RunContext
    let client: KubernetesClient

    func run(_ targets: [RolloutWait.Target]) async throws {
        let wait = RolloutWait(client: client, progress: context.progress, tolerate: context.configuration.wait.tolerate)
        let waiting = ContinuousClock.now
        context.recorder.enter(.ready)
        do {
            try await context.recorder.section(RunPhase.ready) {
                let limit = context.deadline.limit("wait.timeout", context.configuration.wait.timeout)
                try await wait.wait(for: targets, limit: limit.name, until: limit.instant)
            } summary: { "\(targets.count) ready" }
        } catch {
            // Stopped by a signal, what was still waiting was not judged: skipped, not failed.
            await record(targets, wait.record, failed: !(error is CancellationError))
            throw error
        }
        await record(targets, wait.record, failed: false)
        await context.recorder.span(.ready, from: waiting)
    }

    private func record(_ targets: [RolloutWait.Target], _ record: RolloutWait.Record, failed: Bool) async {
        let readyAfter = await record.readyAfter
        let last = await record.last
        let elapsed = await record.elapsed
        for target in targets {
            let name = target.namespace.map { "\(target.label) in \($0)" } ?? target.label
            if let time = readyAfter[target] {
                await context.recorder.add(.ready, name, duration: time)
                continue
            }
            switch last[target] {
            case let .failed(why)?: await context.recorder.add(.ready, name, duration: elapsed, .failed(message: why, details: why))
            case let .waiting(why)? where failed:
                await context.recorder.add(.ready, name, duration: elapsed, .failed(message: "not ready: \(why)", details: why))
            default: await context.recorder.add(.ready, name, duration: elapsed, .skipped("not judged before the run ended"))
            }
        }
    }
}
