import KindCICore

/// Applies a `manifests:` step by server-side apply in the order the API needs (`ApplyOrder`):
/// Namespaces and CustomResourceDefinitions first (the definitions waited for until Established,
/// so their kinds exist), then, once each namespace has its `default` ServiceAccount (pods cannot
/// be created before it), everything else at once.
struct Deployer: Sendable {
    let client: KubernetesClient
    let progress: ProgressReporter
    /// How many applies run at once.
    static let parallelApplies = 8

    /// Applies `manifests` (objects already carry their namespace); returns the objects to wait for.
    func apply(_ manifests: [Manifest], namespace: String?, wait: RolloutWait,
               until deadline: ContinuousClock.Instant) async throws -> [RolloutWait.Target] {
        let order = ApplyOrder(manifests, namespace: namespace)
        // Namespaces and definitions need nothing of each other: they go at once.
        let foundations = order.namespaces + order.definitions
        var targets = try await applyAll(foundations, until: deadline)
        let definitions = targets.filter { $0.resource.kind == "CustomResourceDefinition" }
        if !definitions.isEmpty {
            await progress.update("waiting for \(definitions.count) CustomResourceDefinition\(definitions.count == 1 ? "" : "s") to be established")
            try await wait.wait(for: definitions, limit: "the overall deadline", until: deadline)
        }
        let rest = order.rest
        for namespace in Set(rest.compactMap(\.object.namespace)).sorted() {
            try await waitForDefaultServiceAccount(namespace, until: deadline)
        }
        targets += try await applyAll(rest, until: deadline)
        return targets.filter { Readiness.waitedKinds.contains($0.resource.kind) }
    }

    /// Applies `manifests` concurrently, a few at a time; each object is logged as applied. The
    /// targets are in the order of `manifests`.
    private func applyAll(_ manifests: [Manifest], until deadline: ContinuousClock.Instant) async throws -> [RolloutWait.Target] {
        try await BoundedConcurrency.map(manifests, atMost: Self.parallelApplies) { manifest in
            try await applyOne(manifest, until: deadline)
        }
    }

    private func applyOne(_ manifest: Manifest, until deadline: ContinuousClock.Instant) async throws -> RolloutWait.Target {
        var object = manifest.object
        let label = "\(object.kind.lowercased())/\(object.name)"
        guard let resource = try await client.discovery.resource(apiVersion: object.apiVersion, kind: object.kind, until: deadline) else {
            throw DeployFailed(headline: "\(manifest.source): \(label): the API has no kind \(object.kind) in \(object.apiVersion)",
                               fix: object.apiVersion.contains(".") ? "apply its CustomResourceDefinition in this step or an earlier one"
                                   : "check apiVersion and kind against `kubectl api-resources` for this Kubernetes version")
        }
        if !resource.namespaced, object.namespace != nil {
            // Added by the reader to an object it took as namespaced; the API says otherwise.
            var metadata = object["metadata"] ?? .object([:])
            metadata["namespace"] = nil
            object["metadata"] = metadata
        }
        do {
            _ = try await client.apply(object, as: resource, until: deadline)
        } catch let refused as KubernetesRequestFailed where [502, 503, 504].contains(refused.status) {
            // Not the manifest's fault: kind's API server kept saying it cannot serve (retried
            // within patience or until the deadline, whichever came first).
            throw KubernetesUnreachable(host: client.transport.host, port: client.transport.port,
                                        reason: "kept answering \(refused) to the apply of \(label)", tlsRefused: false,
                                        fix: KubernetesUnreachable.kindGoneFix)
        } catch let refused as KubernetesRequestFailed {
            // 500 included: an admission webhook that fails, or an object the server chokes on,
            // is the workload's to fix; the API's message says which.
            throw DeployFailed(headline: "\(manifest.source): \(label): the API refused it (\(refused.status) \(refused.reason)): \(refused.message)",
                               fix: "correct the manifest; `kubectl apply --server-side --dry-run=server -f FILE` shows the same answer")
        }
        await progress.note("applied \(label)\(object.namespace.map { " in \($0)" } ?? "") (\(manifest.source))")
        return RolloutWait.Target(resource: resource, namespace: resource.namespaced ? object.namespace : nil, name: object.name)
    }

    /// The ServiceAccount controller gives a new namespace its `default` account a moment after it
    /// is created; a pod created before that is refused.
    private func waitForDefaultServiceAccount(_ namespace: String, until deadline: ContinuousClock.Instant) async throws {
        let path = "/api/v1/namespaces/\(KubernetesClient.escape(namespace))/serviceaccounts?fieldSelector=metadata.name%3Ddefault"
        await progress.update("waiting for namespace \(namespace)'s default ServiceAccount")
        guard try await client.observe(path, until: deadline, satisfied: { !$0.isEmpty }) else {
            throw DeployFailed(headline: "namespace \(namespace) got no default ServiceAccount in time",
                               fix: "check that the namespace exists (a manifest or the step's `namespace:` creates it)")
        }
    }
}
