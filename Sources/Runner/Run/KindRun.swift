import Foundation
import KindCICore

/// `kind-ci run`: find kind (starting it first with `--up`), wait for its docker, build the images
/// into it while its cluster boots, wait for Kubernetes, deploy, wait until the workloads are
/// ready, run the tests (`RunPipeline`); then, whatever happened, diagnostics after a failure,
/// `report.xml`, and the outcome for the command to print.
public struct KindRun: Sendable {
    let request: RunRequest
    let progress: ProgressReporter

    public init(request: RunRequest, progress: ProgressReporter) {
        self.request = request
        self.progress = progress
    }

    /// Throws only for a bug found before kind is touched; everything else is the outcome's.
    public func execute() async throws -> RunOutcome {
        let start = ContinuousClock.now
        let configuration: Configuration, steps: DeploySteps, shards: Shards
        do {
            configuration = try request.configuration(required: true)
            // Manifests are read (and checked) before kind is touched: a broken one fails at once.
            steps = try DeploySteps(configuration)
            shards = try Shards.from(environment: request.environment)
            if let problem = RunDeadline.jobTimeoutProblem(request.environment) { throw problem }
        } catch let refused as any UserFacingError {
            return await refuse(refused.problem, start: start)
        }
        let plan = RunPlan(configuration: configuration, pulledImages: !steps.pulledImages.isEmpty, until: request.until)
        let deadline = RunDeadline(request: request, configuration: configuration, start: start)
        let recorder = PhaseRecorder(plan: plan, progress: progress, report: RunReport(started: start))
        if let warning = RunDeadline.outlastsTheJob(request: request, configuration: configuration) { await progress.note(warning) }
        if request.verbose { await explain(configuration, steps, deadline: deadline) }
        await progress.warn(steps.wiring.warnings)
        for note in steps.wiring.notes { await progress.note(note) }
        return try await HTTPFetch.withClient { http in
            let context = RunContext(request: request, configuration: configuration, steps: steps, shards: shards, plan: plan,
                                     deadline: deadline, http: http, recorder: recorder, artifacts: URL(fileURLWithPath: request.artifacts))
            return try await withHeartbeat {
                try await KindScope.run(request, progress: progress) { scope in
                    let result: Result<EnvFile, any Error>
                    do {
                        let env = try await RunPipeline(context: context, scope: scope).run()
                        let file = try env.write(to: context.artifacts)
                        await progress.note("wrote \(file.path)")
                        result = .success(env)
                    } catch {
                        result = .failure(error)
                    }
                    // Reports and diagnostics are written even when the run was cancelled: an
                    // unstructured task does not inherit the cancellation.
                    return await Task { await conclude(result, context) }.value
                }
            }
        }
    }

    /// Diagnostics when something failed past kind's start (or the run was cancelled), the
    /// report, and the closing line.
    private func conclude(_ result: Result<EnvFile, any Error>, _ context: RunContext) async -> RunOutcome {
        let recorder = context.recorder
        var failure: (any Error)?
        if case let .failure(error) = result { failure = error }
        await recorder.conclude(failure: failure)
        // Kind that never became ready has gathered its own evidence.
        if let failure, let address = recorder.address, !(failure is KindNotReady) {
            // An API server that stopped answering would only make each read wait out its patience.
            let unreadable = (failure as? KubernetesUnreachable)?.description
            let diagnostics = Diagnostics(client: recorder.client, unreadable: unreadable, http: context.http, address: address,
                                          artifacts: context.artifacts)
            _ = try? await recorder.section(.diagnostics) {
                for line in await diagnostics.gather() { await progress.note(line) }
            } summary: { "written to \(request.artifacts)/diagnostics/" }
        }
        await keep(recorder.report, in: context.artifacts)
        let ending = switch failure {
        case nil: context.plan.successOutcome
        case let failure as any UserFacingError: "failed (exit \(failure.exitCode))"
        case is CancellationError: "cancelled"
        default: "failed"
        }
        return RunOutcome(env: try? result.get().text, closingLine: await recorder.report.closingLine(outcome: ending), failure: failure)
    }

    /// The configuration (or the manifests, or the job's variables) refused before kind was
    /// touched: a failed case per problem in `report.xml`, so that the CI's test view says why.
    private func refuse(_ problem: Problem, start: ContinuousClock.Instant) async -> RunOutcome {
        let report = RunReport(started: start)
        for finding in problem.findings {
            let origin = switch finding.origin {
            case let .command(name): name
            case let .location(place): place
            }
            let text = Problem(findings: [finding], status: problem.exitStatus).render(style: .plain)
            await report.add(.configuration, "\(origin): \(finding.headline)", duration: .zero,
                             .failed(message: finding.headline, details: text))
        }
        await keep(report, in: URL(fileURLWithPath: request.artifacts))
        return RunOutcome(env: nil, closingLine: await report.closingLine(outcome: "failed (exit \(problem.exitCode))"), failure: problem)
    }

    /// Writes `report.xml`; a folder that cannot take it is said, and does not change the outcome.
    private func keep(_ report: RunReport, in artifacts: URL) async {
        do {
            try await report.write(to: artifacts)
        } catch {
            await progress.note("\(error)")
        }
    }

    /// `--verbose`: what the run is about to do and within which limits.
    private func explain(_ configuration: Configuration, _ steps: DeploySteps, deadline: RunDeadline) async {
        let timeouts = configuration.kind.timeouts
        await progress.note("configuration \(request.configPath) (paths relative to \(configuration.directory))")
        await progress.note("kind \(configuration.kind.image); docker within \(timeouts.docker), Kubernetes within \(timeouts.kubernetes)"
            + (deadline.overall.map { ", everything within \(ProgressReporter.format($0 - deadline.start))" } ?? ", no overall deadline"))
        if KindCandidates.named(option: request.host, environment: request.environment, configuration: configuration) == nil, !request.up {
            let names = KindCandidates.detected(configuration: configuration).map(\.host).joined(separator: ", ")
            await progress.note("no host named: a kind `up` started, else the first of \(names) to answer")
        }
        if !steps.pulledImages.isEmpty {
            await progress.note("the manifests run \(steps.pulledImages.map(\.description).joined(separator: ", ")): pre-pulled into kind's docker while Kubernetes boots")
        }
    }

    private func withHeartbeat<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        let heartbeat = Task { [progress] in await progress.heartbeat() }
        defer { heartbeat.cancel() }
        return try await body()
    }
}
