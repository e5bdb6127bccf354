import KindCICore
import Synchronization

/// What every phase goes through instead of keeping its own books: its section in the log (begun,
/// then ended with its outcome and time), its span on the timeline, its cases in `report.xml`; and
/// how far the run got, so that a failure becomes a failed case of the phase under way and each
/// phase not reached a skipped one.
final class PhaseRecorder: Sendable {
    let progress: ProgressReporter
    let report: RunReport
    private let reached: Mutex<Reached>

    private struct Reached {
        /// The plan's phases not entered yet, in order.
        var pending: [RunPhase]
        var current: RunPhase?
        /// Kind, once its docker answered, and the cluster's client, once it was up: what the
        /// diagnostics can read after a failure.
        var address: KindAddress?
        var client: KubernetesClient?
    }

    init(plan: RunPlan, progress: ProgressReporter, report: RunReport) {
        self.progress = progress
        self.report = report
        reached = Mutex(Reached(pending: plan.phases.filter(\.reportsSkipping)))
    }

    /// The run is now in `phase`: a failure from here on is its.
    func enter(_ phase: RunPhase) {
        reached.withLock { reached in
            reached.pending.removeAll { $0 == phase }
            reached.current = phase
        }
    }

    func reached(kind address: KindAddress) {
        reached.withLock { $0.address = address }
    }

    func reached(cluster client: KubernetesClient) {
        reached.withLock { $0.client = client }
    }

    var address: KindAddress? { reached.withLock { $0.address } }
    var client: KubernetesClient? { reached.withLock { $0.client } }

    /// Runs `body` as a section of the log: begun with its title, ended with `summary` of the
    /// result, or as failed (or cancelled) when `body` throws.
    func section<T>(_ section: LogSection, _ body: () async throws -> T, summary: (T) -> String) async throws -> T {
        await progress.begin(section.id, section.title)
        let result: T
        do {
            result = try await body()
        } catch {
            await progress.end(success: false, error is CancellationError ? "cancelled" : "failed")
            throw error
        }
        await progress.end(success: true, summary(result))
        return result
    }

    /// `section` for a phase whose section is its own (`RunPhase.section`).
    func section<T>(_ phase: RunPhase, _ body: () async throws -> T, summary: (T) -> String) async throws -> T {
        try await section(Self.section(of: phase), body, summary: summary)
    }

    /// Begins the phase's section, for a phase that ends it itself (the tests, whose outcome is
    /// more than passed or failed).
    func begin(_ phase: RunPhase) async {
        let section = Self.section(of: phase)
        await progress.begin(section.id, section.title)
    }

    private static func section(of phase: RunPhase) -> LogSection {
        guard let section = phase.section else { preconditionFailure("\(phase) has no section of its own in the log") }
        return section
    }

    /// The phase's span on the timeline, after the phases it waits for.
    func span(_ phase: RunPhase, from start: ContinuousClock.Instant, to end: ContinuousClock.Instant = .now) async {
        await report.span(phase, from: start, to: end)
    }

    func add(_ phase: RunPhase, _ name: String, duration: Duration, _ outcome: RunReport.Outcome = .passed) async {
        await report.add(phase, name, duration: duration, outcome)
    }

    /// After the run: a phase that failed as a whole (kind never ready, no kubeconfig, ...) is one
    /// failed case, unless its own cases say what failed; every phase not reached is skipped.
    func conclude(failure: (any Error)?) async {
        let (current, pending) = reached.withLock { ($0.current, $0.pending) }
        let cancelled = failure is CancellationError
        if let failure, let current, await !report.hasCases(in: current.suite) {
            let text = (failure as? any UserFacingError)?.problem.render(style: .plain) ?? "\(failure)"
            await add(current, current.rawValue, duration: .zero,
                      cancelled ? .skipped("the run was cancelled") : .failed(message: String(text.prefix { $0 != "\n" }), details: text))
        }
        for phase in pending {
            await add(phase, phase.rawValue, duration: .zero, .skipped(cancelled ? "the run was cancelled" : "an earlier phase failed"))
        }
    }
}
