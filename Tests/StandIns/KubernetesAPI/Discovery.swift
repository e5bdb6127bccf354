/// The API groups and resources the stand-in serves, in the shapes of kube-apiserver 1.23's
/// discovery documents (`/api`, `/apis`, `/api/v1`, `/apis/<group>/<version>`).
struct Resource: Sendable {
    let group: String
    let version: String
    let name: String
    let kind: String
    let namespaced: Bool
    let shortNames: [String]

    var groupVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    var singular: String { kind.lowercased() }
}

enum Discovery {
    static let verbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]

    static let resources: [Resource] = [
        Resource(group: "", version: "v1", name: "namespaces", kind: "Namespace", namespaced: false, shortNames: ["ns"]),
        Resource(group: "", version: "v1", name: "nodes", kind: "Node", namespaced: false, shortNames: ["no"]),
        Resource(group: "", version: "v1", name: "pods", kind: "Pod", namespaced: true, shortNames: ["po"]),
        Resource(group: "", version: "v1", name: "services", kind: "Service", namespaced: true, shortNames: ["svc"]),
        Resource(group: "", version: "v1", name: "endpoints", kind: "Endpoints", namespaced: true, shortNames: ["ep"]),
        Resource(group: "", version: "v1", name: "configmaps", kind: "ConfigMap", namespaced: true, shortNames: ["cm"]),
        Resource(group: "", version: "v1", name: "secrets", kind: "Secret", namespaced: true, shortNames: []),
        Resource(group: "", version: "v1", name: "serviceaccounts", kind: "ServiceAccount", namespaced: true, shortNames: ["sa"]),
        Resource(group: "", version: "v1", name: "persistentvolumeclaims", kind: "PersistentVolumeClaim", namespaced: true, shortNames: ["pvc"]),
        Resource(group: "", version: "v1", name: "persistentvolumes", kind: "PersistentVolume", namespaced: false, shortNames: ["pv"]),
        Resource(group: "", version: "v1", name: "events", kind: "Event", namespaced: true, shortNames: ["ev"]),
        Resource(group: "apps", version: "v1", name: "deployments", kind: "Deployment", namespaced: true, shortNames: ["deploy"]),
        Resource(group: "apps", version: "v1", name: "replicasets", kind: "ReplicaSet", namespaced: true, shortNames: ["rs"]),
        Resource(group: "apps", version: "v1", name: "statefulsets", kind: "StatefulSet", namespaced: true, shortNames: ["sts"]),
        Resource(group: "apps", version: "v1", name: "daemonsets", kind: "DaemonSet", namespaced: true, shortNames: ["ds"]),
        Resource(group: "batch", version: "v1", name: "jobs", kind: "Job", namespaced: true, shortNames: []),
        Resource(group: "batch", version: "v1", name: "cronjobs", kind: "CronJob", namespaced: true, shortNames: ["cj"]),
        Resource(group: "networking.k8s.io", version: "v1", name: "ingresses", kind: "Ingress", namespaced: true, shortNames: ["ing"]),
        Resource(group: "networking.k8s.io", version: "v1", name: "networkpolicies", kind: "NetworkPolicy", namespaced: true, shortNames: ["netpol"]),
        Resource(group: "rbac.authorization.k8s.io", version: "v1", name: "roles", kind: "Role", namespaced: true, shortNames: []),
        Resource(group: "rbac.authorization.k8s.io", version: "v1", name: "rolebindings", kind: "RoleBinding", namespaced: true, shortNames: []),
        Resource(group: "rbac.authorization.k8s.io", version: "v1", name: "clusterroles", kind: "ClusterRole", namespaced: false, shortNames: []),
        Resource(group: "rbac.authorization.k8s.io", version: "v1", name: "clusterrolebindings", kind: "ClusterRoleBinding", namespaced: false, shortNames: []),
        Resource(group: "storage.k8s.io", version: "v1", name: "storageclasses", kind: "StorageClass", namespaced: false, shortNames: ["sc"]),
        Resource(group: "apiextensions.k8s.io", version: "v1", name: "customresourcedefinitions", kind: "CustomResourceDefinition",
                 namespaced: false, shortNames: ["crd", "crds"]),
    ]

    /// Resources with a `status` subresource.
    static let withStatus: Set<String> = ["pods", "services", "namespaces", "nodes", "persistentvolumeclaims", "persistentvolumes",
                                          "deployments", "replicasets", "statefulsets", "daemonsets", "jobs", "cronjobs",
                                          "customresourcedefinitions", "ingresses"]

    /// The built-in resources and those of every Established CustomResourceDefinition, as the
    /// real server adds a CRD's kinds once it is established.
    static func served(by store: ObjectStore) -> [Resource] {
        let custom = store.list("customresourcedefinitions", namespace: nil).flatMap { definition -> [Resource] in
            let established = ((definition["status"] as? [String: Any])?["conditions"] as? [[String: Any]])?
                .contains { $0["type"] as? String == "Established" && $0["status"] as? String == "True" } ?? false
            let spec = definition["spec"] as? [String: Any] ?? [:]
            let names = spec["names"] as? [String: Any] ?? [:]
            guard established, let group = spec["group"] as? String, let plural = names["plural"] as? String,
                  let kind = names["kind"] as? String else { return [] }
            return (spec["versions"] as? [[String: Any]] ?? []).filter { $0["served"] as? Bool ?? true }.compactMap { version in
                (version["name"] as? String).map {
                    Resource(group: group, version: $0, name: plural, kind: kind, namespaced: spec["scope"] as? String != "Cluster",
                             shortNames: names["shortNames"] as? [String] ?? [])
                }
            }
        }
        return resources + custom
    }

    static func resource(_ served: [Resource], group: String, version: String, name: String) -> Resource? {
        served.first { $0.group == group && $0.version == version && $0.name == name }
    }

    static var coreVersions: [String: Any] {
        ["kind": "APIVersions", "versions": ["v1"],
         "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": "172.30.99.1:8443"]]]
    }

    static func groups(_ served: [Resource]) -> [String: Any] {
        let names = Array(Set(served.map(\.group).filter { !$0.isEmpty })).sorted()
        return ["kind": "APIGroupList", "apiVersion": "v1", "groups": names.map { name -> [String: Any] in
            var seen: Set<String> = []
            let versions = served.filter { $0.group == name && seen.insert($0.version).inserted }
                .map { ["groupVersion": "\(name)/\($0.version)", "version": $0.version] as [String: Any] }
            return ["name": name, "versions": versions, "preferredVersion": versions[0]]
        }]
    }

    static func resourceList(_ all: [Resource], group: String, version: String) -> [String: Any]? {
        let served = all.filter { $0.group == group && $0.version == version }
        guard !served.isEmpty else { return nil }
        var entries: [[String: Any]] = []
        for resource in served {
            entries.append(["name": resource.name, "singularName": resource.singular, "namespaced": resource.namespaced,
                            "kind": resource.kind, "verbs": verbs, "shortNames": resource.shortNames])
            if withStatus.contains(resource.name) {
                entries.append(["name": "\(resource.name)/status", "singularName": "", "namespaced": resource.namespaced,
                                "kind": resource.kind, "verbs": ["get", "patch", "update"]])
            }
            if resource.name == "pods" {
                entries.append(["name": "pods/log", "singularName": "", "namespaced": true, "kind": "Pod", "verbs": ["get"]])
            }
        }
        return ["kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group.isEmpty ? version : "\(group)/\(version)",
                "resources": entries]
    }
}
