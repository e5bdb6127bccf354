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

        var label: String {
            switch self {
            case .host: "host"
            case let .network(name, _): "network:\(name)"
            }
        }
    }

    func placement() async -> Placement {
        guard let own = await OwnContainer.find(on: engine) else { return .host }
        // A user-defined network lets kind be reached by name; the default bridge only by address.
        let networks = own.networks.keys.sorted()
        let network = networks.first { !["bridge", "host", "none"].contains($0) } ?? networks.first ?? "bridge"
        return .network(network, ownID: own.Id)
    }

    static func defaultName(for placement: Placement) -> String {
        switch placement {
        case .host: "kind-ci"
        case let .network(_, ownID): "kind-ci-\(ownID.prefix(12))"
        }
    }

    /// Starts kind (or finds it already running under that name) and returns its address.
    func up(image: ImageReference, name: String?, runOptions: [String], ports: KindPorts,
            environment: [String: String]) async throws -> KindAddress {
        let placement = await placement()
        let ports = await clearOfDaemon(ports, placement: placement)
        let name = name ?? Self.defaultName(for: placement)
        if let existing = try await engine.container(name) {
            guard existing.labels[Label.role] == "kind" else {
                throw KindUpProblem(message: "a container named \(name) exists that kind-ci did not start",
                                    fix: "pass --name with another name, or remove that container", exitStatus: .badConfiguration)
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
        spec.Labels = [
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
        case .host:
            for (inside, outside) in zip(Self.ports(Self.containerPorts), Self.ports(ports)) {
                spec.ExposedPorts["\(inside)/tcp"] = [:]
                spec.HostConfig.PortBindings["\(inside)/tcp"] = [.init(HostIp: "127.0.0.1", HostPort: String(outside))]
            }
        case let .network(network, _):
            let aliases = network == "bridge" ? [] : [name]
            spec.NetworkingConfig = .init(EndpointsConfig: [network: .init(Aliases: aliases)])
        }
        let id: String
        do {
            id = try await engine.createContainer(name: name, spec)
        } catch let error as DockerAPIError {
            throw KindUpProblem(message: "the Docker daemon refused to create kind: \(error.message)",
                                fix: "check the --run-option values and the daemon's log", exitStatus: .badConfiguration)
        }
        do {
            try await engine.startContainer(id)
        } catch let error as DockerAPIError {
            try? await engine.removeContainer(id)
            throw startProblem(error, ports: ports)
        }
        guard let started = try await engine.container(id) else {
            throw KindUpProblem(message: "kind's container \(name) vanished right after it started",
                                fix: "look at the Docker daemon's log", exitStatus: .kindNotReady)
        }
        await progress.note("started kind as \(name) (\(id.prefix(12))) from \(image), \(placement == .host ? "ports on 127.0.0.1" : "on network \(placement.label.dropFirst("network:".count))")")
        return try address(of: started)
    }

    /// On the host of a daemon reached over loopback TCP (Bitbucket's docker service holds
    /// localhost:2375), kind cannot be published where the daemon itself listens: such a port moves
    /// up by 10000 (2375 to 12375), and kind's labels say where it went.
    private func clearOfDaemon(_ ports: KindPorts, placement: Placement) async -> KindPorts {
        guard placement == .host, case let .tcp(host, daemonPort) = engine.endpoint.address,
              ["localhost", "127.0.0.1", "::1"].contains(host) else { return ports }
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
        let reason = "started by `kind-ci up` as \(container.name)"
        let placement = labels[Label.placement] ?? "host"
        guard placement.hasPrefix("network:") else { return KindAddress(host: "127.0.0.1", ports: ports, reason: reason) }
        // Inside the network kind listens on its own ports.
        let network = String(placement.dropFirst("network:".count))
        if network != "bridge" { return KindAddress(host: container.name, ports: Self.containerPorts, reason: reason) }
        guard let ip = container.networks[network]?.IPAddress, !ip.isEmpty else {
            throw KindUpProblem(message: "kind's container \(container.name) has no address on \(network)",
                                fix: "run `kind-ci down` and `kind-ci up` again", exitStatus: .kindNotReady)
        }
        return KindAddress(host: ip, ports: Self.containerPorts, reason: reason)
    }

    /// Pulls kind's image when the daemon lacks it, with the job's credentials for its registry (a
    /// baked kind image usually sits in a private one).
    private func ensureImage(_ image: ImageReference, environment: [String: String]) async throws {
        guard try await !engine.imageExists(image.description) else { return }
        await progress.note("pulling \(image)")
        do {
            let auth = RegistryCredentials.pullHeader(for: image, in: RegistryCredentials.collect(environment: environment))
            try await engine.pull(image, auth: auth, timeout: .seconds(900))
        } catch let error as DockerAPIError {
            let missing = ["not found", "manifest unknown", "does not exist", "repository does not exist"]
                .contains { error.message.lowercased().contains($0) }
            throw KindUpProblem(message: "cannot pull \(image): \(error.message)",
                                fix: missing ? "check the image name and tag (kind.image, --image)"
                                    : "check the daemon's access to the registry, or load the image beforehand",
                                exitStatus: missing ? .badConfiguration : .kindNotReady)
        } catch {
            throw KindUpProblem(message: "cannot pull \(image): \(ConnectionFailure(error))",
                                fix: "check the daemon's access to the registry, or load the image beforehand", exitStatus: .kindNotReady)
        }
    }

    private func startProblem(_ error: DockerAPIError, ports: KindPorts) -> KindUpProblem {
        let message = error.message.lowercased()
        if message.contains("port is already allocated") || message.contains("address already in use") {
            let port = Self.ports(ports).first { message.contains(":\($0)") }.map(String.init) ?? "one of \(Self.ports(ports).map(String.init).joined(separator: ", "))"
            return KindUpProblem(message: "port \(port) on 127.0.0.1 is taken, so kind cannot publish it (\(error.message))",
                                 fix: "stop what holds it, or choose other ports under kind.ports in kind-ci.yml", exitStatus: .badConfiguration)
        }
        if message.contains("privileged") || message.contains("caps") || message.contains("operation not permitted") {
            return KindUpProblem(message: "the Docker daemon would not start kind privileged: \(error.message)",
                                 fix: "kind needs a daemon that allows --privileged (not rootless Docker or a locked-down runner)",
                                 exitStatus: .badConfiguration)
        }
        return KindUpProblem(message: "the Docker daemon could not start kind: \(error.message)",
                             fix: "look at the Docker daemon's log", exitStatus: .kindNotReady)
    }

    private static func ports(_ ports: KindPorts) -> [Int] { [ports.docker, ports.api, ports.config] }
}
