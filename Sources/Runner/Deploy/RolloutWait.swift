import KindCICore

/// Waits until every applied object is ready (`Readiness`), watching rather than polling: one
/// list-then-watch per kind of object (and one of pods, to see a workload's pods fail), every change
/// judged at once. Ends at the first failure unless failures are tolerated, or at the deadline.
struct RolloutWait: Sendable {
    let client: KubernetesClient
    let progress: ProgressReporter
    let tolerate: WaitSettings.Tolerance
    /// When each object became ready, and the last word on the others, for the report.
    let record = Record()

    /// One object waited for.
    struct Target: Sendable, Hashable {
        let resource: APIResource
        let namespace: String?
        let name: String

        /// `deployment/api`, as kubectl names objects.
        var label: String { "\(resource.kind.lowercased())/\(name)" }
    }

    /// Kinds whose pods are watched too, to see them fail.
    static let workloadKinds: Set<String> = ["Deployment", "StatefulSet", "DaemonSet", "Job"]

    static let pods = APIResource(groupVersion: "v1", kind: "Pod", name: "pods", namespaced: true)

    /// Returns when all `targets` are ready; throws `DeployFailed` otherwise.
    /// `limit` names the deadline for the message: `wait.timeout 5m`, or `the overall deadline`.
    func wait(for targets: [Target], limit: String, until deadline: ContinuousClock.Instant) async throws {
        guard !targets.isEmpty else { return }
        let started = ContinuousClock.now
        var collections = Set(targets.map(\.resource))
        if targets.contains(where: { Self.workloadKinds.contains($0.resource.kind) }) {
            collections.insert(Self.pods)
        }
        let cluster = ClusterView()
        let (changes, signal) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for resource in collections {
                group.addTask {
                    try await client.observe(KubernetesClient.path(resource, namespace: nil)) { change in
                        await cluster.apply(change, to: resource)
                        signal.yield()
                    }
                }
            }
            group.addTask {
                for await _ in changes {
                    if try await judge(targets, in: cluster) { return }
                }
                // The changes end only when the wait is cancelled: that is no readiness.
                throw CancellationError()
            }
            group.addTask {
                try await Task.sleep(until: deadline)
                let objects = await cluster.snapshot()
                let verdicts = targets.map { ($0, verdict($0, in: objects)) }
                await record.note(verdicts)
                throw DeployFailed(timeout: ContinuousClock.now - started, limit: limit,
                                    pending: verdicts.compactMap { target, verdict in
                                        if case let .waiting(why) = verdict { return "\(target.label): \(why)" }
                                        return nil
                                    })
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }

    /// True when everything is ready; throws at a failure that is not tolerated.
    private func judge(_ targets: [Target], in cluster: ClusterView) async throws -> Bool {
        let objects = await cluster.snapshot()
        let verdicts = targets.map { ($0, verdict($0, in: objects)) }
        await record.note(verdicts)
        let failures = verdicts.compactMap { target, verdict -> String? in
            if case let .failed(why) = verdict { return "\(target.label): \(why)" }
            return nil
        }
        if !failures.isEmpty { throw DeployFailed(failures: failures) }
        let waiting = verdicts.compactMap { target, verdict -> String? in
            if case let .waiting(why) = verdict { return "\(target.label) (\(why))" }
            return nil
        }
        if waiting.isEmpty { return true }
        let more = waiting.count > 1 ? " and \(waiting.count - 1) more" : ""
        await progress.update("\(targets.count - waiting.count)/\(targets.count) ready; waiting for \(waiting[0])\(more)")
        return false
    }

    private func verdict(_ target: Target, in objects: [APIResource: [String: JSON]]) -> Readiness.Verdict {
        guard let object = objects[target.resource]?[ClusterView.key(target.namespace, target.name)] else {
            return .waiting("not seen yet")
        }
        let verdict = Readiness.verdict(object)
        guard case .waiting = verdict else { return verdict }
        let pods: [JSON]
        switch object.kind {
        case "Pod": pods = [object]
        case _ where Self.workloadKinds.contains(object.kind):
            pods = (objects[Self.pods] ?? [:]).values.filter { Readiness.selects(object, $0) }.sorted { $0.name < $1.name }
        default: return verdict
        }
        let troubles = pods.compactMap(Readiness.trouble)
        guard let trouble = troubles.first else { return verdict }
        return tolerate == .untilDeadline ? .waiting(trouble) : .failed(trouble)
    }
}

/// The objects seen so far, per kind, kept current by the watches.
actor ClusterView {
    private var objects: [APIResource: [String: JSON]] = [:]

    static func key(_ namespace: String?, _ name: String) -> String { "\(namespace ?? "")/\(name)" }

    func apply(_ change: KubernetesClient.Change, to resource: APIResource) {
        switch change {
        case let .snapshot(items):
            objects[resource] = Dictionary(items.map { (Self.key($0.namespace, $0.name), typed($0, resource)) }) { $1 }
        case let .updated(object):
            objects[resource, default: [:]][Self.key(object.namespace, object.name)] = typed(object, resource)
        case let .deleted(object):
            objects[resource, default: [:]][Self.key(object.namespace, object.name)] = nil
        }
    }

    func snapshot() -> [APIResource: [String: JSON]] { objects }

    /// List items come without their kind; the rules need it.
    private func typed(_ object: JSON, _ resource: APIResource) -> JSON {
        var copy = object
        copy["kind"] = .string(resource.kind)
        copy["apiVersion"] = .string(resource.groupVersion)
        return copy
    }
}

extension RolloutWait {
    /// Each object's readiness over the wait: when it was first ready, else its last verdict.
    actor Record {
        private let started = ContinuousClock.now
        private(set) var readyAfter: [Target: Duration] = [:]
        private(set) var last: [Target: Readiness.Verdict] = [:]

        func note(_ verdicts: [(Target, Readiness.Verdict)]) {
            for (target, verdict) in verdicts {
                last[target] = verdict
                if verdict == .ready, readyAfter[target] == nil { readyAfter[target] = ContinuousClock.now - started }
            }
        }

        var elapsed: Duration { ContinuousClock.now - started }
    }
}
