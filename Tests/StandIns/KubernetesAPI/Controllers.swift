import Foundation

/// What kind's controllers would do, done at once after every change until nothing moves:
/// namespaces get their `default` ServiceAccount, Deployments get a ReplicaSet, ReplicaSets,
/// StatefulSets and DaemonSets get pods, pods run and are Ready, a Job's pod completes, PVCs bind,
/// CRDs become Established; statuses follow as the real controllers report them.
struct Controllers {
    let store: ObjectStore

    /// The cluster as kind starts it.
    func bootstrap() {
        for name in ["default", "kube-system", "kube-public", "kube-node-lease"] {
            store.put(key("namespaces", "", name), ["metadata": ["name": name]])
        }
        store.put(key("nodes", "", "minikube"), ["metadata": ["name": "minikube", "labels": ["kubernetes.io/hostname": "minikube"]],
                                                 "status": ["conditions": [["type": "Ready", "status": "True"]]]])
        settle()
    }

    func settle() {
        for _ in 0..<20 {
            var changed = false
            for (name, reconcile) in [("namespaces", namespace), ("deployments", deployment), ("replicasets", replicaSet),
                                      ("statefulsets", statefulSet), ("daemonsets", daemonSet), ("jobs", job), ("pods", pod),
                                      ("persistentvolumeclaims", claim), ("customresourcedefinitions", definition),
                                      ("services", service)] as [(String, ([String: Any]) -> Bool)] {
                for object in store.list(name, namespace: nil) where reconcile(object) { changed = true }
            }
            if !changed { return }
        }
    }

    private func key(_ resource: String, _ namespace: String, _ name: String) -> ObjectStore.Key {
        .init(resource: resource, namespace: namespace, name: name)
    }

    private func meta(_ object: [String: Any]) -> (name: String, namespace: String, generation: Int, uid: String) {
        let metadata = object["metadata"] as? [String: Any] ?? [:]
        return (metadata["name"] as? String ?? "", metadata["namespace"] as? String ?? "", metadata["generation"] as? Int ?? 1,
                metadata["uid"] as? String ?? "")
    }

    /// Stores a new status when it differs; true when it did.
    private func setStatus(_ resource: String, _ object: [String: Any], _ status: [String: Any]) -> Bool {
        guard !NSDictionary(dictionary: object["status"] as? [String: Any] ?? [:]).isEqual(to: status) else { return false }
        var updated = object
        updated["status"] = status
        let (name, namespace, _, _) = meta(object)
        store.put(key(resource, namespace, name), updated, specChanged: false)
        return true
    }

    private func condition(_ type: String, _ reason: String) -> [String: Any] {
        ["type": type, "status": "True", "reason": reason, "lastTransitionTime": ObjectStore.now(), "lastUpdateTime": ObjectStore.now()]
    }

    /// Pods owned by `uid`, made up to `count` from `template` with `name(index)`.
    private func ensurePods(owner kind: String, _ ownerName: String, uid: String, namespace: String, template: [String: Any],
                            count: Int, name: (Int) -> String) -> (pods: [[String: Any]], changed: Bool) {
        let apiVersion = kind == "Job" ? "batch/v1" : "apps/v1"
        let owner: [String: Any] = ["metadata": ["name": ownerName, "namespace": namespace, "uid": uid]]
        var pods = store.list("pods", namespace: namespace).filter { pod in
            ((pod["metadata"] as? [String: Any])?["ownerReferences"] as? [[String: Any]])?.contains { $0["uid"] as? String == uid } ?? false
        }
        var changed = false
        var index = 0
        while pods.count < count {
            var metadata = template["metadata"] as? [String: Any] ?? [:]
            metadata["name"] = name(index)
            metadata["ownerReferences"] = [["apiVersion": apiVersion, "kind": kind, "name": ownerName,
                                            "uid": uid, "controller": true]]
            let podName = name(index)
            index += 1
            guard store.get(key("pods", namespace, podName)) == nil else { continue }
            pods.append(store.put(key("pods", namespace, podName), ["metadata": metadata, "spec": template["spec"] ?? [:]]))
            store.recordEvent(about: owner, kind: kind, apiVersion: apiVersion, reason: "SuccessfulCreate", message: "Created pod: \(podName)",
                              component: "\(kind.lowercased())-controller")
            changed = true
        }
        while pods.count > count, let last = pods.popLast() {
            _ = store.delete(key("pods", namespace, meta(last).name))
            changed = true
        }
        return (pods, changed)
    }

    private func ready(_ pods: [[String: Any]]) -> Int {
        pods.filter { (($0["status"] as? [String: Any])?["conditions"] as? [[String: Any]])?
            .contains { $0["type"] as? String == "Ready" && $0["status"] as? String == "True" } ?? false }.count
    }

    private func namespace(_ object: [String: Any]) -> Bool {
        let (name, _, _, _) = meta(object)
        var changed = setStatus("namespaces", object, ["phase": "Active"])
        if store.get(key("serviceaccounts", name, "default")) == nil {
            store.put(key("serviceaccounts", name, "default"), ["metadata": ["name": "default", "namespace": name]])
            changed = true
        }
        return changed
    }

    private func deployment(_ object: [String: Any]) -> Bool {
        let (name, namespace, generation, uid) = meta(object)
        let spec = object["spec"] as? [String: Any] ?? [:]
        let replicas = spec["replicas"] as? Int ?? 1
        let template = spec["template"] as? [String: Any] ?? [:]
        let hash = Self.templateHash(template)
        let setName = "\(name)-\(hash.prefix(8))"
        var changed = false
        // One ReplicaSet per template: a new template replaces the old set.
        for old in store.list("replicasets", namespace: namespace) where meta(old).name.hasPrefix("\(name)-") && meta(old).name != setName {
            _ = store.delete(key("replicasets", namespace, meta(old).name))
            for pod in store.list("pods", namespace: namespace) where meta(pod).name.hasPrefix(meta(old).name + "-") {
                _ = store.delete(key("pods", namespace, meta(pod).name))
            }
            changed = true
        }
        let setKey = key("replicasets", namespace, setName)
        var set = store.get(setKey)
        if set == nil || (set?["spec"] as? [String: Any])?["replicas"] as? Int != replicas {
            set = store.put(setKey, ["metadata": ["name": setName, "namespace": namespace, "labels": (template["metadata"] as? [String: Any])?["labels"] ?? [:],
                                                  "ownerReferences": [["apiVersion": "apps/v1", "kind": "Deployment", "name": name, "uid": uid, "controller": true]]],
                                     "spec": ["replicas": replicas, "selector": spec["selector"] ?? [:], "template": template]])
            store.recordEvent(about: object, kind: "Deployment", apiVersion: "apps/v1", reason: "ScalingReplicaSet",
                              message: "Scaled up replica set \(setName) to \(replicas)", component: "deployment-controller")
            changed = true
        }
        let readyCount = (set?["status"] as? [String: Any])?["readyReplicas"] as? Int ?? 0
        var conditions = [condition("Progressing", "NewReplicaSetAvailable")]
        if readyCount >= replicas { conditions.insert(condition("Available", "MinimumReplicasAvailable"), at: 0) }
        let previous = object["status"] as? [String: Any] ?? [:]
        if previous["readyReplicas"] as? Int == readyCount, previous["observedGeneration"] as? Int == generation,
           previous["replicas"] as? Int == replicas { return changed }
        return setStatus("deployments", object, ["observedGeneration": generation, "replicas": replicas, "updatedReplicas": replicas,
                                                 "readyReplicas": readyCount, "availableReplicas": readyCount,
                                                 "conditions": conditions]) || changed
    }

    /// A stable name suffix for a pod template: FNV-1a over its canonical JSON.
    static func templateHash(_ template: [String: Any]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: template, options: [.sortedKeys])) ?? Data()
        let hash = data.reduce(UInt32(2_166_136_261)) { ($0 ^ UInt32($1)) &* 16_777_619 }
        return String(format: "%08x", hash)
    }

    private func replicaSet(_ object: [String: Any]) -> Bool {
        let (name, namespace, generation, uid) = meta(object)
        let spec = object["spec"] as? [String: Any] ?? [:]
        let replicas = spec["replicas"] as? Int ?? 1
        let (pods, changed) = ensurePods(owner: "ReplicaSet", name, uid: uid, namespace: namespace,
                                         template: spec["template"] as? [String: Any] ?? [:], count: replicas) { _ in
            "\(name)-\(UUID().uuidString.prefix(5).lowercased())"
        }
        let count = ready(pods)
        return setStatus("replicasets", object, ["observedGeneration": generation, "replicas": pods.count, "readyReplicas": count,
                                                 "availableReplicas": count, "fullyLabeledReplicas": pods.count]) || changed
    }

    private func statefulSet(_ object: [String: Any]) -> Bool {
        let (name, namespace, generation, uid) = meta(object)
        let spec = object["spec"] as? [String: Any] ?? [:]
        let replicas = spec["replicas"] as? Int ?? 1
        let (pods, changed) = ensurePods(owner: "StatefulSet", name, uid: uid, namespace: namespace,
                                         template: spec["template"] as? [String: Any] ?? [:], count: replicas) { "\(name)-\($0)" }
        let count = ready(pods)
        let revision = "\(name)-\(generation)"
        return setStatus("statefulsets", object, ["observedGeneration": generation, "replicas": pods.count, "readyReplicas": count,
                                                  "currentReplicas": pods.count, "updatedReplicas": pods.count, "availableReplicas": count,
                                                  "currentRevision": revision, "updateRevision": revision]) || changed
    }

    private func daemonSet(_ object: [String: Any]) -> Bool {
        let (name, namespace, generation, uid) = meta(object)
        let spec = object["spec"] as? [String: Any] ?? [:]
        let (pods, changed) = ensurePods(owner: "DaemonSet", name, uid: uid, namespace: namespace,
                                         template: spec["template"] as? [String: Any] ?? [:], count: 1) { _ in "\(name)-minikube" }
        let count = ready(pods)
        return setStatus("daemonsets", object, ["observedGeneration": generation, "desiredNumberScheduled": 1, "currentNumberScheduled": 1,
                                                "numberReady": count, "updatedNumberScheduled": 1, "numberAvailable": count,
                                                "numberMisscheduled": 0]) || changed
    }

    private func job(_ object: [String: Any]) -> Bool {
        let (name, namespace, _, uid) = meta(object)
        var spec = object["spec"] as? [String: Any] ?? [:]
        var template = spec["template"] as? [String: Any] ?? [:]
        var metadata = template["metadata"] as? [String: Any] ?? [:]
        var labels = metadata["labels"] as? [String: Any] ?? [:]
        // As the Job controller does: its pods carry the job's uid, and its selector names it.
        if labels["controller-uid"] == nil {
            labels["job-name"] = name
            labels["controller-uid"] = uid
            metadata["labels"] = labels
            template["metadata"] = metadata
            spec["template"] = template
            spec["selector"] = ["matchLabels": ["controller-uid": uid]]
            var updated = object
            updated["spec"] = spec
            store.put(key("jobs", namespace, name), updated, specChanged: false)
            return true
        }
        let (pods, changed) = ensurePods(owner: "Job", name, uid: uid, namespace: namespace, template: template, count: 1) { _ in
            "\(name)-\(UUID().uuidString.prefix(5).lowercased())"
        }
        let succeeded = pods.filter { ($0["status"] as? [String: Any])?["phase"] as? String == "Succeeded" }.count
        let failed = pods.filter { ($0["status"] as? [String: Any])?["phase"] as? String == "Failed" }.count
        if failed > 0, (object["status"] as? [String: Any])?["failed"] as? Int != failed {
            var failure = condition("Failed", "BackoffLimitExceeded")
            failure["message"] = "Job has reached the specified backoff limit"
            store.recordEvent(about: object, kind: "Job", apiVersion: "batch/v1", reason: "BackoffLimitExceeded",
                              message: "Job has reached the specified backoff limit", warning: true, component: "job-controller")
            return setStatus("jobs", object, ["failed": failed, "startTime": ObjectStore.now(), "conditions": [failure]]) || changed
        }
        guard succeeded > 0 else {
            if failed > 0 { return changed }
            return setStatus("jobs", object, ["active": pods.count, "startTime": ObjectStore.now()]) || changed
        }
        if (object["status"] as? [String: Any])?["succeeded"] as? Int == succeeded { return changed }
        store.recordEvent(about: object, kind: "Job", apiVersion: "batch/v1", reason: "Completed", message: "Job completed", component: "job-controller")
        return setStatus("jobs", object, ["succeeded": succeeded, "startTime": ObjectStore.now(), "completionTime": ObjectStore.now(),
                                          "conditions": [condition("Complete", "")]]) || changed
    }

    private func pod(_ object: [String: Any]) -> Bool {
        guard (object["status"] as? [String: Any])?["phase"] == nil else { return false }
        if store.podsRunForReal { return setStatus("pods", object, ["phase": "Pending"]) }
        let owner = ((object["metadata"] as? [String: Any])?["ownerReferences"] as? [[String: Any]])?.first?["kind"] as? String
        let containers = ((object["spec"] as? [String: Any])?["containers"] as? [[String: Any]]) ?? []
        if owner == "Job" {
            return setStatus("pods", object, ["phase": "Succeeded", "conditions": [["type": "Ready", "status": "False", "reason": "PodCompleted"]],
                                              "containerStatuses": containers.map { ["name": $0["name"] ?? "", "ready": false, "restartCount": 0,
                                                                                     "image": $0["image"] ?? "",
                                                                                     "state": ["terminated": ["exitCode": 0, "reason": "Completed"]]] }])
        }
        return setStatus("pods", object, ["phase": "Running", "podIP": "172.17.0.10", "hostIP": "172.30.99.1", "startTime": ObjectStore.now(),
                                          "conditions": [condition("Initialized", ""), condition("Ready", ""), condition("ContainersReady", ""),
                                                         condition("PodScheduled", "")],
                                          "containerStatuses": containers.map { ["name": $0["name"] ?? "", "ready": true, "restartCount": 0,
                                                                                 "image": $0["image"] ?? "", "started": true,
                                                                                 "state": ["running": ["startedAt": ObjectStore.now()]]] }])
    }

    /// A NodePort Service without a nodePort gets one from 30000-32767, as the API server allocates
    /// it; skipping ports this machine has in use, as every stand-in here shares its addresses.
    private func service(_ object: [String: Any]) -> Bool {
        guard var spec = object["spec"] as? [String: Any], spec["type"] as? String == "NodePort",
              var ports = spec["ports"] as? [[String: Any]], ports.contains(where: { $0["nodePort"] == nil }) else { return false }
        let taken = Set(store.list("services", namespace: nil).flatMap { (($0["spec"] as? [String: Any])?["ports"] as? [[String: Any]] ?? []).compactMap { $0["nodePort"] as? Int } })
        var next = 30000
        for index in ports.indices where ports[index]["nodePort"] == nil {
            while taken.contains(next) || !NodePorts.isFree(next) { next += 1 }
            ports[index]["nodePort"] = next
            next += 1
        }
        spec["ports"] = ports
        var updated = object
        updated["spec"] = spec
        let (name, namespace, _, _) = meta(object)
        store.put(key("services", namespace, name), updated, specChanged: false)
        return true
    }

    private func claim(_ object: [String: Any]) -> Bool {
        setStatus("persistentvolumeclaims", object, ["phase": "Bound", "accessModes": (object["spec"] as? [String: Any])?["accessModes"] ?? []])
    }

    private func definition(_ object: [String: Any]) -> Bool {
        setStatus("customresourcedefinitions", object, ["conditions": [condition("NamesAccepted", "NoConflicts"),
                                                                       condition("Established", "InitialNamesAccepted")]])
    }
}
