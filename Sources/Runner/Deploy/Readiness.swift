/// Whether an applied object is ready, by the rules `kubectl rollout status` and `kubectl wait`
/// apply, read from the object's own status.
enum Readiness {
    enum Verdict: Equatable, Sendable {
        case ready
        /// Not yet, and why (`1/2 available`).
        case waiting(String)
        /// Never will be, and why.
        case failed(String)
    }

    /// The kinds kind-ci waits for; everything else is ready once applied.
    static let waitedKinds: Set<String> = ["Deployment", "StatefulSet", "DaemonSet", "Job", "Pod", "PersistentVolumeClaim", "CustomResourceDefinition"]

    static func verdict(_ object: JSON) -> Verdict {
        switch object.kind {
        case "Deployment": deployment(object)
        case "StatefulSet": statefulSet(object)
        case "DaemonSet": daemonSet(object)
        case "Job": job(object)
        case "Pod": pod(object)
        case "PersistentVolumeClaim":
            object[path: "status", "phase"]?.string == "Bound" ? .ready : .waiting("\(object[path: "status", "phase"]?.string ?? "Pending"), not bound")
        case "CustomResourceDefinition": definition(object)
        default: .ready
        }
    }

    /// The controller has seen the latest spec (`generation`); until then its status is old news.
    private static func observed(_ object: JSON) -> Bool {
        let observed = object[path: "status", "observedGeneration"]?.int ?? 0
        return observed > 0 && observed >= (object[path: "metadata", "generation"]?.int ?? 0)
    }

    private static func status(_ object: JSON, _ field: String) -> Int {
        object[path: "status", field]?.int ?? 0
    }

    private static func deployment(_ object: JSON) -> Verdict {
        guard observed(object) else { return .waiting("waiting for the deployment controller") }
        if let progressing = object.condition("Progressing"), progressing["reason"]?.string == "ProgressDeadlineExceeded" {
            return .failed("exceeded its progress deadline: \(progressing["message"]?.string ?? "no progress")")
        }
        let wanted = object[path: "spec", "replicas"]?.int ?? 1
        let updated = status(object, "updatedReplicas")
        let total = status(object, "replicas")
        let available = status(object, "availableReplicas")
        if updated < wanted { return .waiting("\(updated)/\(wanted) updated") }
        if total > updated { return .waiting("\(total - updated) old replica\(total - updated == 1 ? "" : "s") terminating") }
        if available < updated { return .waiting("\(available)/\(updated) available") }
        return .ready
    }

    private static func statefulSet(_ object: JSON) -> Verdict {
        guard observed(object) else { return .waiting("waiting for the statefulset controller") }
        let wanted = object[path: "spec", "replicas"]?.int ?? 1
        let ready = status(object, "readyReplicas")
        if ready < wanted { return .waiting("\(ready)/\(wanted) ready") }
        // Only a rolling update has a rollout to follow; OnDelete updates wait for the user.
        let strategy = object[path: "spec", "updateStrategy"]
        guard (strategy?["type"]?.string ?? "RollingUpdate") == "RollingUpdate" else { return .ready }
        if let partition = strategy?[path: "rollingUpdate", "partition"]?.int, partition > 0 {
            let updated = status(object, "updatedReplicas")
            return updated < wanted - partition ? .waiting("\(updated)/\(wanted - partition) updated") : .ready
        }
        let current = object[path: "status", "currentRevision"]?.string
        let update = object[path: "status", "updateRevision"]?.string
        return current == update ? .ready : .waiting("rolling update to revision \(update ?? "?")")
    }

    private static func daemonSet(_ object: JSON) -> Verdict {
        guard observed(object) else { return .waiting("waiting for the daemonset controller") }
        let desired = status(object, "desiredNumberScheduled")
        let updated = status(object, "updatedNumberScheduled")
        let available = status(object, "numberAvailable")
        if updated < desired { return .waiting("\(updated)/\(desired) updated") }
        if available < desired { return .waiting("\(available)/\(desired) available") }
        return .ready
    }

    private static func job(_ object: JSON) -> Verdict {
        if object.conditionHolds("Complete") { return .ready }
        if object.conditionHolds("Failed") {
            let condition = object.condition("Failed")
            return .failed("failed (\(condition?["reason"]?.string ?? "Failed")): \(condition?["message"]?.string ?? "its pods failed")")
        }
        let completions = object[path: "spec", "completions"]?.int ?? 1
        return .waiting("\(status(object, "succeeded"))/\(completions) succeeded")
    }

    private static func pod(_ object: JSON) -> Verdict {
        switch object[path: "status", "phase"]?.string {
        case "Succeeded": return .ready
        case "Failed":
            let code = containerStatuses(object).compactMap { $0[path: "state", "terminated", "exitCode"]?.int }.first { $0 != 0 }
            return .failed("failed" + (code.map { " (a container exited with \($0))" } ?? ""))
        default:
            return object.conditionHolds("Ready") ? .ready : .waiting(object[path: "status", "phase"]?.string ?? "Pending")
        }
    }

    private static func definition(_ object: JSON) -> Verdict {
        if object.conditionHolds("Established") { return .ready }
        if let names = object.condition("NamesAccepted"), names["status"]?.string == "False" {
            return .failed("names not accepted: \(names["message"]?.string ?? "")")
        }
        return .waiting("not established")
    }

    /// Waiting reasons that do not cure themselves: a workload with such a pod is failed at once
    /// (unless `wait.tolerate: until-deadline`).
    static let fatalReasons: Set<String> = ["ErrImagePull", "ImagePullBackOff", "CrashLoopBackOff", "CreateContainerConfigError",
                                            "InvalidImageName", "CreateContainerError", "ErrImageNeverPull"]

    /// What is wrong with a pod that will not come up by itself: `pod api-7d9 ImagePullBackOff: ...`.
    static func trouble(_ pod: JSON) -> String? {
        for container in containerStatuses(pod) {
            guard let waiting = container[path: "state", "waiting"], let reason = waiting["reason"]?.string,
                  fatalReasons.contains(reason) else { continue }
            let name = container["name"]?.string ?? "?"
            var text = "pod \(pod.name) container \(name) \(reason)"
            if reason == "ErrImagePull" || reason == "ImagePullBackOff" {
                let image = container["image"]?.string ?? "its image"
                text += ": \(image) is not in kind's docker and cannot be pulled"
            } else if reason == "CrashLoopBackOff" {
                let code = container[path: "lastState", "terminated", "exitCode"]?.int
                text += code.map { ": it keeps exiting (last exit code \($0))" } ?? ": it keeps exiting"
            } else if let message = waiting["message"]?.string {
                text += ": \(message)"
            }
            return text
        }
        return nil
    }

    private static func containerStatuses(_ pod: JSON) -> [JSON] {
        (pod[path: "status", "initContainerStatuses"]?.array ?? []) + (pod[path: "status", "containerStatuses"]?.array ?? [])
    }

    /// The pods of a workload: its namespace's pods whose labels its selector matches
    /// (`matchLabels`, and the `matchExpressions` operators In, NotIn, Exists, DoesNotExist).
    static func selects(_ workload: JSON, _ pod: JSON) -> Bool {
        guard pod.namespace == workload.namespace, let selector = workload[path: "spec", "selector"] else { return false }
        let labels = pod[path: "metadata", "labels"]?.object ?? [:]
        for (key, value) in selector["matchLabels"]?.object ?? [:] where labels[key] != value {
            return false
        }
        for expression in selector["matchExpressions"]?.array ?? [] {
            let key = expression["key"]?.string ?? ""
            let values = Set((expression["values"]?.array ?? []).compactMap(\.string))
            let value = labels[key]?.string
            switch expression["operator"]?.string {
            case "In": if !(value.map(values.contains) ?? false) { return false }
            case "NotIn": if value.map(values.contains) ?? false { return false }
            case "Exists": if value == nil { return false }
            case "DoesNotExist": if value != nil { return false }
            default: return false
            }
        }
        return true
    }
}
