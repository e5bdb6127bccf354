import Foundation
import KindCICore

/// Builds every image of `build:` into kind's docker, a few at a time (`build_jobs`), within one
/// deadline. Every build runs to its end, so one failure does not hide another; all are reported.
struct ImageBuilds: Sendable {
    let configuration: Configuration
    let engine: DockerEngine
    /// `tcp://<kind>:2375`, for `builder: cli`.
    let dockerHost: String
    let artifacts: URL
    let environment: [String: String]
    let progress: ProgressReporter
    /// Where each image's outcome is recorded as a case, when there is a report.
    var report: RunReport?

    struct Built: Sendable {
        let entry: BuildEntry
        let duration: Duration
        let sent: Int?
    }

    func run(deadline: ContinuousClock.Instant) async throws -> [Built] {
        let results = try await BoundedConcurrency.map(configuration.build, atMost: configuration.buildJobs) { entry in
            try await build(entry, deadline: deadline)
        }
        let failures = results.compactMap { result -> ImageBuildFailed.Failure? in
            if case let .failure(failure) = result { return failure }
            return nil
        }
        guard failures.isEmpty else { throw ImageBuildFailed(failures: failures) }
        return results.compactMap { try? $0.get() }
    }

    /// How often a build whose connection to kind's docker dropped is started again.
    static let attempts = 3

    /// One image; a build that fails becomes a `Failure` value. A build whose connection to kind's
    /// docker drops is started again (the daemon throws away what it had), and after the last
    /// attempt that is `KindDockerLost`; cancellation propagates.
    private func build(_ entry: BuildEntry, deadline: ContinuousClock.Instant) async throws -> Result<Built, ImageBuildFailed.Failure> {
        let started = ContinuousClock.now
        var attempt = 1
        let result: Result<Built, ImageBuildFailed.Failure>
        while true {
            do {
                result = try await self.attempt(entry, deadline: deadline)
                break
            } catch let dropped as ConnectionDropped {
                guard attempt < Self.attempts, ContinuousClock.now < deadline else {
                    throw Problem.kindDockerLost(image: entry.image.description, endpoint: engine.endpoint, failure: dropped.failure, attempts: attempt)
                }
                await progress.output("[\(entry.image)] kind's docker dropped the build (\(dropped.failure)); building again (attempt \(attempt + 1) of \(Self.attempts))")
                try await Task.sleep(for: .milliseconds(500 * attempt))
                attempt += 1
            }
        }
        switch result {
        case .success:
            await report?.add(RunPhase.build, entry.image.description, duration: ContinuousClock.now - started)
        case let .failure(failure):
            let details = ((failure.step.map { ["at \($0)"] } ?? []) + failure.tail).joined(separator: "\n")
            await report?.add(RunPhase.build, entry.image.description, duration: ContinuousClock.now - started,
                              .failed(message: failure.reason, details: details))
        }
        return result
    }

    private func attempt(_ entry: BuildEntry, deadline: ContinuousClock.Instant) async throws -> Result<Built, ImageBuildFailed.Failure> {
        let started = ContinuousClock.now
        let name = entry.image.description
        let log = try BuildLog(image: name, folder: artifacts.appendingPathComponent("build"), progress: progress)
        let directory = URL(fileURLWithPath: configuration.directory)
        do {
            var sent: Int?
            switch entry.builder ?? configuration.builder {
            case .native:
                let cache = try await pullCache(entry, log: log, until: deadline)
                sent = try await NativeBuilder(engine: engine, environment: environment)
                    .build(entry, cache: cache, directory: directory, log: log, timeout: deadline - .now).sent
            case .cli:
                try await CLIBuilder(dockerHost: dockerHost, environment: environment).build(entry, directory: directory, log: log)
            }
            await log.finish()
            let duration = ContinuousClock.now - started
            await progress.output("[\(name)] built in \(ProgressReporter.format(duration))\(sent.map { ", \(Self.bytes($0)) of context sent" } ?? "")")
            return .success(Built(entry: entry, duration: duration, sent: sent))
        } catch let failed as BuildStepFailed {
            await log.finish()
            return .failure(.init(image: name, reason: failed.reason, step: await log.lastStep, tail: await log.tail, log: log.file.path))
        } catch let error as DockerAPIError {
            await log.finish()
            return .failure(.init(image: name, reason: error.message, step: await log.lastStep, tail: await log.tail, log: log.file.path))
        } catch let error as ContextReadError {
            await log.finish()
            return .failure(.init(image: name, reason: error.description, step: nil, tail: [], log: log.file.path))
        } catch where ConnectionFailure.isTransport(error) && !Task.isCancelled {
            if ContinuousClock.now >= deadline {
                await log.finish()
                return .failure(.init(image: name, reason: "it did not finish within the overall deadline", step: await log.lastStep,
                                      tail: await log.tail, log: log.file.path))
            }
            // Neither the daemon's answer nor ours: the connection to kind's docker went.
            await log.append("kind-ci: the connection to kind's docker dropped: \(ConnectionFailure(error))\n")
            await log.finish()
            throw ConnectionDropped(failure: ConnectionFailure(error))
        } catch where !(error is CancellationError) && !Task.isCancelled && !(error is Problem) {
            // The repository's side (a folder the context cannot list, a .dockerignore that is not
            // text): this image's failure, not kind's; building again would not help.
            await log.finish()
            return .failure(.init(image: name, reason: String(describing: error), step: nil, tail: [], log: log.file.path))
        }
    }

    private struct ConnectionDropped: Error {
        let failure: ConnectionFailure
    }

    /// The classic builder reuses layers only from images its daemon has: pulls the entry's
    /// `cache_from` images into kind's docker first; returns those it has. One that cannot be had
    /// (the first pipeline has pushed none yet) is a warning: the build just starts cold.
    private func pullCache(_ entry: BuildEntry, log: BuildLog, until deadline: ContinuousClock.Instant) async throws -> [ImageReference] {
        let puller = ImagePuller(engine: engine, environment: environment)
        var available: [ImageReference] = []
        for image in entry.cacheFrom {
            switch try await puller.pull(image, until: deadline) {
            case .present:
                available.append(image)
            case let .pulled(duration):
                await log.append("cache_from: pulled \(image) in \(ProgressReporter.format(duration))\n")
                available.append(image)
            case let .failed(reason):
                await log.append("cache_from: warning: \(image) cannot be pulled (\(reason)); building without it\n")
            }
        }
        return available
    }

    static func bytes(_ count: Int) -> String {
        count < 1 << 20 ? "\(count / 1024 + (count % 1024 > 0 ? 1 : 0)) KiB" : String(format: "%.1f MiB", Double(count) / Double(1 << 20))
    }
}
