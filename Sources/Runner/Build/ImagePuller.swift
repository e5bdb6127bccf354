import Foundation
import KindCICore

/// Pulls images into kind's docker with the job's credentials for each image's registry (sent per
/// request, never stored in kind). Its callers go on without an image that cannot be had, so a
/// failed pull comes back as the reason to warn with; only cancellation is thrown.
struct ImagePuller: Sendable {
    let engine: DockerEngine
    let credentials: [String: RegistryCredentials.Credential]

    init(engine: DockerEngine, environment: [String: String]) {
        self.engine = engine
        credentials = RegistryCredentials.collect(environment: environment)
    }

    enum Outcome: Sendable, Equatable {
        /// kind's docker has it already (baked into the kind image, or pulled before).
        case present
        case pulled(Duration)
        case failed(String)
    }

    /// Pulls `image` unless kind's docker has it, giving up at `deadline`.
    func pull(_ image: ImageReference, until deadline: ContinuousClock.Instant) async throws -> Outcome {
        let started = ContinuousClock.now
        do {
            if try await engine.imageExists(image.description) { return .present }
            try await engine.pull(image, auth: RegistryCredentials.pullHeader(for: image, in: credentials), timeout: deadline - .now)
            return .pulled(ContinuousClock.now - started)
        } catch let error as DockerAPIError {
            try Task.checkCancellation()
            return .failed(error.message)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            try Task.checkCancellation()
            return .failed(ContinuousClock.now >= deadline ? "not pulled before the deadline" : ConnectionFailure(error).description)
        }
    }
}
