import Foundation
import KindCICore

/// Starts and removes kind on a Docker daemon (`up`, `down`, `run --up`), and finds the kind a
/// previous `up` started. The container carries labels saying what it is and how to reach it, so
/// `up` is idempotent and `down` removes exactly what `up` started.
struct KindLauncher: Sendable {
    let engine: DockerEngine
    let progress: ProgressReporter

    enum Label {
        static let role = "io.kind-ci.role"
        static let image = "io.kind-ci.image"
        static let placement = "io.kind-ci.placement"
        static let startedBy = "io.kind-ci.started-by"
        static func port(_ name: String) -> String { "io.kind-ci.port.\(name)" }
    }

    /// kind's own ports inside its container (kind-service-contract.md).
    static let containerPorts = KindPorts()

    /// Where kind goes relative to this process.
    enum Placement: Equatable {
        /// This process runs on the daemon's host: publish kind's ports on loopback only
        /// (2375 is an unauthenticated root shell for whoever reaches it).
        case host
        /// This process is a container on that daemon: join its network, publish nothing.
        case network(String, ownID: String)
        /// The daemon is another machine's (a docker-in-docker service, `tcp://docker:2375`):
        /// publish on its interfaces and reach kind by the daemon's host name. Its interfaces are
        /// that service's, on the job's own network.
        case remote(String)

        var label: String {
            switch self {
            case .host: "host"
            case let .network(name, _): "network:\(name)"
            case let .remote(host): "remote:\(host)"
            }
        }
    }

    func placement() async -> Placement {
        guard let own = await OwnContainer.find(on: engine) else {
            if case let .tcp(host, _) = engine.endpoint.address, !Self.loopback.contains(host) { return .remote(host) }
            return .host
        }
        // A user-defined network lets kind be reached by name; the default bridge only by address.
        let networks = own.networks.keys.sorted()
        let network = networks.first { !["bridge", "host", "none"].contains($0) } ?? networks.first ?? "bridge"
        return .network(network, ownID: own.Id)
    }

    static let loopback: Set<String> = ["localhost", "127.0.0.1", "::1"]

    static func defaultName(for placement: Placement) -> String {
        switch placement {
        case .host, .remote: "kind-ci"
        case let .network(_, ownID): "kind-ci-\(ownID.prefix(12))"
        }
    }

    /// Starts kind (or finds it already running under that name) and returns its address.
    /// `labelled: false` leaves kind-ci's labels off (a container to be committed into an image,
    /// which would keep them); `run` and `down` then do not know it.
    func up(image: ImageReference, name: String?, runOptions: [String], ports: KindPorts,
            environment: [String: String], labelled: Bool = true) async throws -> KindAddress {
        let placement = await placement()
        if case let .remote(host) = placement, engine.endpoint.tls != nil {
            // A daemon that asks for TLS guards more than a private network: kind's docker (an
            // unauthenticated root shell) published beside it would undo that.
            throw Problem("the Docker daemon at \(host) is reached with TLS from another machine; kind's unauthenticated docker (2375) would be published on that machine's interfaces",
                          fix: "run kind-ci on that machine or in a container on that daemon (kind then joins its network and publishes nothing); for a docker:dind service, run it without TLS (DOCKER_TLS_CERTDIR: \"\") as `kind-ci init --bake` writes",
                          status: .badConfiguration)
        }
        let ports = await clearOfDaemon(ports, placement: placement)
        let name = name ?? Self.defaultName(for: placement)
        if let existing = try await engine.container(name) {
            guard existing.labels[Label.role] == "kind" else {
                throw Problem("a container named \(name) exists that kind-ci did not start",
                              fix: "pass --name with another name, or remove that container",
                              status: .badConfiguration)
            }
            if existing.State.Running {
                await progress.note("kind is already up as \(name) (\(existing.Id.prefix(12)))")
                return try address(of: existing)
            }
            try await engine.removeContainer(existing.Id)
        }
        try await ensureImage(image, environment: environment)
        var spec = ContainerSpec(Image: image.description)
        spec.Env = ["REGISTRY", "REGISTRY_USER", "REGISTRY_PASSWORD"].compactMap { key in environment[key].map { "\(key)=\($0)" } }
        spec.Labels = !labelled ? [:] : [
            Label.role: "kind", Label.image: image.description, Label.placement: placement.label,
            Label.startedBy: "kind-ci \(KindCIVersion.current) by \(environment["CI_JOB_URL"] ?? "\(environment["USER"] ?? "someone")@\(ProcessInfo.processInfo.hostName)")",
            Label.port("docker"): String(ports.docker), Label.port("api"): String(ports.api), Label.port("config"): String(ports.config),
        ]
        if runOptions.isEmpty {
            spec.HostConfig.Privileged = true
        } else {
            try RunOptions.apply(runOptions, to: &spec.HostConfig)
        }
        switch placement {
        case .host, .remote:
            for (inside, outside) in zip(Self.ports(Self.containerPorts), Self.ports(ports)) {
                spec.ExposedPorts["\(inside)/tcp"] = [:]
                spec.HostConfig.PortBindings["\(inside)/tcp"] = [.init(HostIp: placement == .host ? "127.0.0.1" : "0.0.0.0", HostPort: String(outside))]
            }
        case let .network(network, _):
            let aliases = network == "bridge" ? [] : [name]
            spec.NetworkingConfig = .init(EndpointsConfig: [network: .init(Aliases: aliases)])
        }
        let id: String
        do {
            id = try await engine.createContainer(name: name, spec)
        } catch let error as DockerAPIError {
            throw Problem("the Docker daemon refused to create kind: \(error.message)",
                          fix: "check the --run-option values and the daemon's log",
                          status: .badConfiguration)
        }
        do {
            try await engine.startContainer(id)
        } catch let error as DockerAPIError {
            try? await engine.removeContainer(id)
            throw startProblem(error, ports: ports)
        }
        guard let started = try await engine.container(id) else {
            throw Problem("kind's container \(name) vanished right after it started",
                          fix: "look at the Docker daemon's log",
                          status: .kindNotReady)
        }
        let reached = switch placement {
        case .host: "ports on 127.0.0.1"
        case let .remote(host): "ports on \(host)"
        case let .network(network, _): "on network \(network)"
        }
        await progress.note("started kind as \(name) (\(id.prefix(12))) from \(image), \(reached)")
        return try address(of: started, placement: placement.label, ports: ports)
    }

    /// On the host of a daemon reached over TCP (Bitbucket's docker service holds localhost:2375, a
    /// docker-in-docker service docker:2375), kind cannot be published where the daemon itself
    /// listens: such a port moves up by 10000 (2375 to 12375), and kind's labels say where it went.
    private func clearOfDaemon(_ ports: KindPorts, placement: Placement) async -> KindPorts {
        guard case let .tcp(host, daemonPort) = engine.endpoint.address,
              placement == .host && Self.loopback.contains(host) || placement == .remote(host) else { return ports }
        var moved = ports
        if moved.docker == daemonPort { moved.docker += 10000 }
        if moved.api == daemonPort { moved.api += 10000 }
        if moved.config == daemonPort { moved.config += 10000 }
        if moved != ports {
            await progress.note("the Docker daemon itself listens on \(host):\(daemonPort): kind's port goes to \(daemonPort + 10000) instead")
        }
        return moved
    }

    /// Removes the kind `up` started under `name` (default: this placement's name); false when there was none.
    func down(name: String?) async throws -> String? {
        let placement = await placement()
        let name = name ?? Self.defaultName(for: placement)
        guard let existing = try await engine.container(name), existing.labels[Label.role] == "kind" else { return nil }
        try await engine.removeContainer(existing.Id)
        return "\(name) (\(existing.Id.prefix(12)))"
    }

    /// The running kind a previous `up` started for this placement, if any.
    func findRunning() async throws -> KindAddress? {
        let running = try await engine.containers(labels: ["\(Label.role)=kind"]).filter { $0.State == "running" }
        guard !running.isEmpty else { return nil }
        let preferred = Self.defaultName(for: await placement())
        let container = running.first { $0.name == preferred } ?? running[0]
        guard let details = try await engine.container(container.Id) else { return nil }
        return try address(of: details)
    }

    /// How this process reaches a kind container, from its labels.
    func address(of container: ContainerDetails) throws -> KindAddress {
        let labels = container.labels
        var ports = KindPorts()
        ports.docker = labels[Label.port("docker")].flatMap(Int.init) ?? ports.docker
        ports.api = labels[Label.port("api")].flatMap(Int.init) ?? ports.api
        ports.config = labels[Label.port("config")].flatMap(Int.init) ?? ports.config
        return try address(of: container, placement: labels[Label.placement] ?? "host", ports: ports)
    }

    /// How this process reaches `container`, placed as `placement` (a label's value) with its ports published at `ports`.
    private func address(of container: ContainerDetails, placement: String, ports: KindPorts) throws -> KindAddress {
        let reason = "started by `kind-ci up` as \(container.name)"
        if placement.hasPrefix("remote:") { return KindAddress(host: String(placement.dropFirst("remote:".count)), ports: ports, reason: reason) }
        guard placement.hasPrefix("network:") else { return KindAddress(host: "127.0.0.1", ports: ports, reason: reason) }
        // Inside the network kind listens on its own ports.
        let network = String(placement.dropFirst("network:".count))
        if network != "bridge" { return KindAddress(host: container.name, ports: Self.containerPorts, reason: reason) }
        guard let ip = container.networks[network]?.IPAddress, !ip.isEmpty else {
            throw Problem("kind's container \(container.name) has no address on \(network)",
                          fix: "run `kind-ci down` and `kind-ci up` again",
                          status: .kindNotReady)
        }
        return KindAddress(host: ip, ports: Self.containerPorts, reason: reason)
    }

    /// Pulls kind's image when the daemon lacks it, with the job's credentials for its registry (a
    /// baked kind image usually sits in a private one).
    func ensureImage(_ image: ImageReference, environment: [String: String], timeout: Duration = .seconds(900)) async throws {
        guard try await !engine.imageExists(image.description) else { return }
        await progress.note("pulling \(image)")
        do {
            let auth = RegistryCredentials.pullHeader(for: image, in: RegistryCredentials.collect(environment: environment))
            try await engine.pull(image, auth: auth, timeout: timeout)
        } catch let error as DockerAPIError {
            let missing = ["not found", "manifest unknown", "does not exist", "repository does not exist"]
                .contains { error.message.lowercased().contains($0) }
            throw Problem("cannot pull \(image): \(error.message)", fix: missing ? "check the image name and tag (kind.image, --image)"
                                    : "check the daemon's access to the registry, or load the image beforehand", status: missing ? .badConfiguration : .kindNotReady)
        } catch {
            throw Problem("cannot pull \(image): \(ConnectionFailure(error))",
                          fix: "check the daemon's access to the registry, or load the image beforehand",
                          status: .kindNotReady)
        }
    }

    private func startProblem(_ error: DockerAPIError, ports: KindPorts) -> Problem {
        let message = error.message.lowercased()
        if message.contains("port is already allocated") || message.contains("address already in use") {
            let port = Self.ports(ports).first { message.contains(":\($0)") }.map(String.init) ?? "one of \(Self.ports(ports).map(String.init).joined(separator: ", "))"
            return Problem("port \(port) on 127.0.0.1 is taken, so kind cannot publish it (\(error.message))",
                           fix: "stop what holds it, or choose other ports under kind.ports in kind-ci.yml",
                           status: .badConfiguration)
        }
        if message.contains("privileged") || message.contains("caps") || message.contains("operation not permitted") {
            return Problem("the Docker daemon would not start kind privileged: \(error.message)",
                           fix: "kind needs a daemon that allows --privileged (not rootless Docker or a locked-down runner)",
                           status: .badConfiguration)
        }
        return Problem("the Docker daemon could not start kind: \(error.message)",
                       fix: "look at the Docker daemon's log",
                       status: .kindNotReady)
    }

    private static func ports(_ ports: KindPorts) -> [Int] { [ports.docker, ports.api, ports.config] }
}
