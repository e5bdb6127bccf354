import Foundation
import KindCICore

/// Waits for `kubernetes-ready`, then installs kind's kubeconfig for the job's tools and checks it
/// with `/version` through kind-ci's own client, which verifies TLS as kubectl will. The boot runs
/// while the images build, its states held back until the log gets to this phase.
struct KubernetesPhase: Sendable {
    let context: RunContext
    let address: KindAddress
    /// When kind's docker answered: where the boot begins on the timeline.
    let dockerReady: ContinuousClock.Instant
    private let status = HeldProgress()

    init(context: RunContext, address: KindAddress, dockerReady: ContinuousClock.Instant) {
        self.context = context
        self.address = address
        self.dockerReady = dockerReady
    }

    /// The cluster once it is up, with the kubeconfig installed for the job.
    struct Booted: Sendable {
        let kubeconfig: String
        let transport: KubernetesTransport
        let version: String?
        /// When `kubernetes-ready` was first seen, and when the kubeconfig was in place and checked.
        let ready: ContinuousClock.Instant
        let installed: ContinuousClock.Instant
    }

    /// The boot, in the background: its failure is a value, so that the pipeline can stop the
    /// builds that no longer matter and make it the run's reason.
    func boot() async -> Result<Booted, any Error> {
        do {
            return .success(try await install())
        } catch {
            return .failure(error)
        }
    }

    /// The phase in the log, once the builds are done: the boot's states so far and from now on,
    /// until `booted` (the boot's result) arrives.
    func run(_ booted: () async throws -> Booted) async throws -> Booted {
        context.recorder.enter(.kubernetes)
        let cluster = try await context.recorder.section(RunPhase.kubernetes) {
            await status.show(on: context.progress)
            let cluster = try await booted()
            let transport = cluster.transport
            await context.progress.note("wrote \(cluster.kubeconfig) (context kind-ci: https://\(transport.host):\(transport.port), "
                + "TLS name \(transport.tls.serverName)); the API answers")
            return cluster
        } summary: { "Kubernetes \($0.version ?? "") is ready" }
        // Beside "docker ready": both are kind's readiness, timed from the start.
        await context.recorder.add(.kind, "kubernetes ready", duration: cluster.ready - context.deadline.start)
        await context.recorder.span(.kubernetes, from: dockerReady, to: cluster.installed)
        return cluster
    }

    private func install() async throws -> Booted {
        let http = context.http
        let limit = context.deadline.limit("kind.timeouts.kubernetes", context.configuration.kind.timeouts.kubernetes, from: context.deadline.start)
        do {
            try await ReadinessWaiter(http: http, progress: context.progress)
                .waitForKubernetes(address, deadline: limit.instant) { await status.update($0) }
        } catch let expired as KubernetesWaitExpired {
            throw await neverReady(observation: expired.observation, waited: ContinuousClock.now - context.deadline.start)
        }
        let ready = ContinuousClock.now
        let version = await http.configFile(address, "kubernetes-version")?.trimmingCharacters(in: .whitespacesAndNewlines)
        if let version, let stale = staleImage(serving: version) { await context.progress.note(stale) }
        // Fetched only now: kind serves its kubeconfig before the cluster is up.
        let text = try await KindKubeconfig.fetch(address, http: http)
        SecretMask.process.learn(kubeconfig: text)
        let path = KubeconfigInstall.path(option: context.request.kubeconfig, environment: context.request.environment)
        let kubeconfig = try KubeconfigInstall.install(kind: text, host: address.host, port: address.ports.api, at: path, artifacts: context.artifacts)
        let transport = try kubeconfig.transport()
        let answer = try await transport.sendRetrying(.GET, "/version", until: .now + .seconds(30))
        guard answer.status == 200 else {
            throw KubernetesUnreachable(host: transport.host, port: transport.port,
                                        reason: "/version answered \(answer.status): \(answer.text.prefix(200))", tlsRefused: false)
        }
        return Booted(kubeconfig: path, transport: transport, version: version, ready: ready, installed: .now)
    }

    /// A kind serving another Kubernetes line than the image kind-ci.yml names: the pipeline starts
    /// an image of its own (a service image left behind when `kind.image` changed).
    private func staleImage(serving version: String) -> String? {
        let image = context.request.image ?? context.configuration.kind.image
        guard let named = KindImagePolicy.kubernetesLine(of: image), let served = KindImagePolicy.kubernetesLine(ofVersion: version),
              named != served else { return nil }
        return "warning: kind serves Kubernetes \(version), but \(context.request.image == nil ? "kind.image" : "--image") is \(image) (1.\(named)): "
            + "the pipeline starts another image; make its kind service (or `kind-ci init` again) use the image kind-ci.yml names"
    }

    /// Kind's docker is up but its cluster never was: what kube-system's containers say.
    private func neverReady(observation: Observation, waited: Duration) async -> KindNotReady {
        let folder = context.artifacts.appendingPathComponent("diagnostics/kind")
        var lines = ["Docker inside kind is up, so kind started; its cluster did not (last: kubernetes-ready \(observation.last?.description ?? "-"))."]
        do {
            let engine = try await DockerEngine.connect(address.dockerEndpoint, http: context.http)
            lines += try await KubeSystemEvidence(engine: engine, folder: folder).gather()
            lines.append("Logs of every kube-system container: \(folder.path)/")
        } catch let unreachable as DockerUnreachable {
            lines.append("kind's docker at \(address.dockerHost) did not answer either (\(unreachable.failure)): no evidence to fetch.")
        } catch {
            lines.append("reading kind's docker at \(address.dockerHost) failed (\(error)): no evidence to fetch.")
        }
        return KindNotReady(headline: "Kubernetes in kind at \(address.host) did not become ready in \(ProgressReporter.format(waited)).",
                            explanation: lines)
    }
}
