import Foundation
import KindCICore

/// Everything `kind-ci bake` was asked to do.
public struct BakeRequest: Sendable {
    public var configPath: String
    /// `registry.example.com/team/kind:{hash}`: `{hash}` stands for the inputs (`BakeHash`).
    public var tag: String
    /// Another tag to give the result, and to point at an existing one when there is no work: a
    /// name that stays the same across changes (a branch's), for pipelines to write in `services:`.
    public var alsoTag: String?
    public var push = false
    /// The kind image to bake from (default `kind.image`).
    public var image: ImageReference?
    public var runOptions: [String] = []
    public var timeout: ConfigDuration?
    public var environment: [String: String]

    public init(configPath: String, tag: String, environment: [String: String]) {
        self.configPath = configPath
        self.tag = tag
        self.environment = environment
    }
}

/// `kind-ci bake` (experimental): a kind image whose inner docker already holds every image the
/// manifests run (and `bake.images`), so that pods start without pulling. Like kind's own build:
/// start the base image, wait for Kubernetes, pull the images into its docker, rebuild the docker
/// cache kind restores at start (`/docker-cache.tar.lz4`: /var/lib/docker is a volume, which a
/// commit leaves out), commit with the base image's configuration, then start the result and check
/// that every image is there before saying so. Credentials go with each pull, never into kind's
/// environment, so neither the image nor its history holds them.
public struct KindBake: Sendable {
    let request: BakeRequest
    let progress: ProgressReporter

    public init(request: BakeRequest, progress: ProgressReporter) {
        self.request = request
        self.progress = progress
    }

    /// How long each kind (the bake's, then the check's) may take to be ready.
    static let readiness = Duration.seconds(600)

    /// Bakes (unless the tag names the inputs' hash and exists already) and returns the tag.
    public func execute() async throws -> String {
        let configuration = try ConfigLoader.load(path: request.configPath)
        // What the pods run after the image rewrite: a build's published release is not baked in.
        let steps = try DeploySteps(configuration)
        await progress.warn(steps.wiring.warnings)
        let images = Self.unique(steps.pulledImages + configuration.bake.images)
        let base = request.image ?? configuration.kind.image
        let deadline = ContinuousClock.now + (request.timeout?.duration ?? .seconds(3600))
        do {
            return try await bake(base, images: images, configuration: configuration, deadline: deadline)
        } catch let error as DockerAPIError {
            throw Problem("a Docker daemon refused: \(error.message) (HTTP \(error.status))",
                          details: ["nothing was pushed; the daemon's log says more"],
                          status: .imageBuildFailed)
        } catch where ConnectionFailure.isTransport(error) && !Task.isCancelled {
            guard ContinuousClock.now < deadline else {
                throw Problem("the bake did not finish within \(request.timeout.map { "--timeout \($0)" } ?? "an hour")",
                              details: ["nothing was pushed; give it longer with --timeout"],
                              status: .kindNotReady)
            }
            throw Problem("the connection to a Docker daemon failed: \(ConnectionFailure(error))",
                          details: ["nothing was pushed; retry the job"],
                          status: .kindNotReady)
        }
    }

    private func bake(_ base: ImageReference, images: [ImageReference], configuration: Configuration,
                      deadline: ContinuousClock.Instant) async throws -> String {
        try await HTTPFetch.withClient { http in
            let outer = try await DockerEngine.connect(environment: request.environment, http: http)
            let launcher = KindLauncher(engine: outer, progress: progress)
            let credentials = RegistryCredentials.collect(environment: request.environment)
            try await launcher.ensureImage(base, environment: request.environment, timeout: min(.seconds(900), deadline - .now))
            guard let baseImage = try await outer.inspectImage(base.description), let baseID = baseImage["Id"]?.string else {
                throw Problem("the daemon does not have \(base) after pulling it", details: [], status: .imageBuildFailed)
            }
            let hash = BakeHash.of(baseImageID: baseID, images: images, settings: configuration.bake)
            let tag = try Self.reference(request.tag.replacing("{hash}", with: hash), option: "--tag")
            let alsoTag = try request.alsoTag.map { try Self.reference($0, option: "--also-tag") }
            await progress.note("baking \(images.count) image\(images.count == 1 ? "" : "s") into \(base) as \(tag): "
                + images.map(\.description).joined(separator: ", "))
            let hashed = request.tag.contains("{hash}")
            if !hashed {
                await progress.note("--tag has no {hash}: baking, since an existing \(tag) says nothing of what it was baked from")
            } else if try await exists(tag, on: outer, credentials: credentials) {
                await progress.note("\(tag) exists already\(request.push ? " in its registry" : ""): the same inputs, no work")
                if let alsoTag { try await retag(tag, as: alsoTag, on: outer, credentials: credentials, deadline: deadline) }
                return tag.description
            }
            let bake = Bake(engine: outer, launcher: launcher, progress: progress, runOptions: request.runOptions,
                            ports: configuration.kind.ports, environment: request.environment, deadline: deadline)
            try await bake.bake(base, images: images, settings: configuration.bake, into: tag, config: baseImage["Config"] ?? .object([:]),
                                name: "kind-ci-bake-\(hash)")
            try await bake.verify(tag, holds: images, name: "kind-ci-bake-check-\(hash)")
            for target in [tag] + (alsoTag.map { [$0] } ?? []) {
                if target != tag { try await outer.tag(tag.description, as: target) }
                if request.push { try await push(target, on: outer, credentials: credentials, deadline: deadline) }
            }
            return tag.description
        }
    }

    /// Each image once, sorted (the order of the manifests does not matter).
    static func unique(_ images: [ImageReference]) -> [ImageReference] {
        Array(Set(images)).sorted { $0.description < $1.description }
    }

    static func reference(_ text: String, option: String) throws -> ImageReference {
        switch ImageReference.parse(text) {
        case let .success(reference) where reference.tag != nil && reference.digest == nil: return reference
        case .success: throw Problem("\(option) \(text) has no tag", fix: "give it one, e.g. \(text):{hash}", status: .badConfiguration)
        case let .failure(problem): throw Problem("\(option) \(text) is not an image name: \(problem.reason)",
                                                  fix: "write e.g. registry.example.com/team/kind:{hash}",
                                                  status: .badConfiguration)
        }
    }

    /// With `--push` the registry says; without, the daemon's own images.
    private func exists(_ tag: ImageReference, on engine: DockerEngine, credentials: [String: RegistryCredentials.Credential]) async throws -> Bool {
        guard request.push else { return try await engine.imageExists(tag.description) }
        do {
            return try await engine.registryHas(tag, auth: RegistryCredentials.pullHeader(for: tag, in: credentials))
        } catch let error as DockerAPIError {
            throw Problem("cannot ask \(tag.registry ?? "Docker Hub") whether it has \(tag): \(error.message)",
                          fix: "check the registry's address and the job's credentials for it (REGISTRY_*, or the docker config file)",
                          status: .imageBuildFailed)
        }
    }

    private func push(_ tag: ImageReference, on engine: DockerEngine, credentials: [String: RegistryCredentials.Credential],
                      deadline: ContinuousClock.Instant) async throws {
        await progress.note("pushing \(tag)")
        do {
            try await engine.push(tag, auth: RegistryCredentials.pullHeader(for: tag, in: credentials), timeout: deadline - .now)
        } catch let error as DockerAPIError {
            throw Problem("pushing \(tag) failed: \(error.message)",
                          fix: "check the job's credentials for \(tag.registry ?? "Docker Hub") (REGISTRY_*, or the docker config file)",
                          status: .imageBuildFailed)
        }
    }

    /// No bake needed, but `alsoTag` must name the existing result: fetched when the daemon lacks it.
    private func retag(_ tag: ImageReference, as alsoTag: ImageReference, on engine: DockerEngine,
                       credentials: [String: RegistryCredentials.Credential], deadline: ContinuousClock.Instant) async throws {
        if try await !engine.imageExists(tag.description) {
            try await engine.pull(tag, auth: RegistryCredentials.pullHeader(for: tag, in: credentials), timeout: deadline - .now)
        }
        try await engine.tag(tag.description, as: alsoTag)
        if request.push { try await push(alsoTag, on: engine, credentials: credentials, deadline: deadline) }
        await progress.note("\(alsoTag) names it too")
    }
}
