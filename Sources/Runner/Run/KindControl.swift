import KindCICore

/// `kind-ci up` and `kind-ci down` on the daemon the environment names.
public struct KindControl: Sendable {
    let request: RunRequest
    let progress: ProgressReporter

    public init(request: RunRequest, progress: ProgressReporter) {
        self.request = request
        self.progress = progress
    }

    public func up() async throws -> KindAddress {
        let configuration = try request.configuration(required: false)
        return try await withLauncher { launcher in
            try await launcher.up(image: request.image ?? configuration.kind.image, name: request.name,
                                  runOptions: request.runOptions, ports: configuration.kind.ports, environment: request.environment)
        }
    }

    /// The removed container's name, or nil when there was none.
    public func down() async throws -> String? {
        try await withLauncher { try await $0.down(name: request.name) }
    }

    private func withLauncher<T: Sendable>(_ body: @escaping @Sendable (KindLauncher) async throws -> T) async throws -> T {
        try await HTTPFetch.withClient { http in
            try await body(KindLauncher(engine: try await DockerEngine.connect(environment: request.environment, http: http, progress: progress),
                                            progress: progress))
        }
    }
}
