import KindCICore
import Synchronization

/// The kind that `--up` starts, for the length of one run: started when the kind phase asks for
/// it, removed when the run is over, whatever its outcome and also after a cancellation, unless
/// `--keep` or `--until` (which leaves the cluster for the job's own steps) keeps it.
final class KindScope: Sendable {
    private let request: RunRequest
    private let progress: ProgressReporter
    private let launched = Mutex<KindLauncher?>(nil)

    private init(request: RunRequest, progress: ProgressReporter) {
        self.request = request
        self.progress = progress
    }

    static func run<T: Sendable>(_ request: RunRequest, progress: ProgressReporter,
                                 _ body: (KindScope) async throws -> T) async throws -> T {
        let scope = KindScope(request: request, progress: progress)
        let result: Result<T, any Error>
        do {
            result = .success(try await body(scope))
        } catch {
            result = .failure(error)
        }
        await scope.tearDown()
        return try result.get()
    }

    /// Starts kind as `kind-ci up` does; the scope removes it at the end.
    func start(_ configuration: Configuration, http: HTTPFetch) async throws -> KindAddress {
        let launcher = KindLauncher(engine: try await DockerEngine.connect(environment: request.environment, http: http, progress: progress),
                                    progress: progress)
        launched.withLock { $0 = launcher }
        return try await launcher.up(image: request.image ?? configuration.kind.image, name: request.name,
                                     runOptions: request.runOptions, ports: configuration.kind.ports, environment: request.environment)
    }

    /// Runs even when the run was cancelled (an unstructured task does not inherit the
    /// cancellation). A failure to remove kind is said, and does not change the outcome.
    private func tearDown() async {
        guard let launcher = launched.withLock({ $0 }), !request.keep, request.until == nil else { return }
        do {
            if let removed = try await Task(operation: { [request] in try await launcher.down(name: request.name) }).value {
                await progress.note("removed kind \(removed)")
            }
        } catch {
            await progress.note("could not remove kind: \(error)")
        }
    }
}
