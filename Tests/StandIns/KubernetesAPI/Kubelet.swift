import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat

/// kind's kubelet, played against a real Docker daemon (the test dockerd standing in for kind's
/// docker): a pod whose images are there runs as containers with its command, args and env; it is
/// Running and Ready while they run and Succeeded or Failed with their exit codes; an image that
/// is missing (or must be pulled: `Always`, `latest`) gives ErrImagePull, then ImagePullBackOff;
/// a container that keeps exiting under `restartPolicy: Always` gives CrashLoopBackOff. Logs come
/// from the containers.
actor Kubelet {
    let store: ObjectStore
    /// `http://127.0.0.1:23750`.
    let docker: String
    private let client = HTTPClient(eventLoopGroupProvider: .singleton)
    /// Containers by pod and container name.
    private var containers: [ObjectStore.Key: [String: String]] = [:]
    private var attempts: [ObjectStore.Key: Int] = [:]
    private var lastRestart: [ObjectStore.Key: ContinuousClock.Instant] = [:]
    private lazy var nodePorts = NodePorts(store: store, host: host)
    /// Where NodePorts listen: the stand-in's own address, as kind's node is the kind container.
    let host: String

    /// Marks the containers this stand-in started (value: its port), so tests can remove them.
    static let ownerLabel = "io.kind-ci.test-kubelet"
    let owner: String

    init(store: ObjectStore, docker: String, owner: String, host: String) {
        self.store = store
        self.docker = docker
        self.owner = owner
        self.host = host
    }

    func run() async {
        while !Task.isCancelled {
            await reconcile()
            try? await Task.sleep(for: .milliseconds(300))
        }
    }

    private func reconcile() async {
        let pods = store.list("pods", namespace: nil)
        var alive: Set<ObjectStore.Key> = []
        for pod in pods {
            let metadata = pod["metadata"] as? [String: Any] ?? [:]
            let key = ObjectStore.Key(resource: "pods", namespace: metadata["namespace"] as? String ?? "", name: metadata["name"] as? String ?? "")
            alive.insert(key)
            await reconcile(pod, key)
        }
        for service in store.list("services", namespace: nil) { await nodePorts.serve(service) }
        for (key, ids) in containers where !alive.contains(key) {
            for id in ids.values { _ = try? await call("DELETE", "/containers/\(id)?force=1") }
            containers[key] = nil
        }
    }

    private func reconcile(_ pod: [String: Any], _ key: ObjectStore.Key) async {
        let spec = pod["spec"] as? [String: Any] ?? [:]
        let restartPolicy = spec["restartPolicy"] as? String ?? "Always"
        let uid = ((pod["metadata"] as? [String: Any])?["uid"] as? String ?? "").prefix(8)
        var statuses: [[String: Any]] = []
        var logs = ""
        var podIP: String?
        for container in spec["containers"] as? [[String: Any]] ?? [] {
            let name = container["name"] as? String ?? "c"
            let image = container["image"] as? String ?? ""
            var status: [String: Any] = ["name": name, "image": image, "ready": false, "restartCount": 0]
            if let id = containers[key]?[name] {
                guard let state = try? await inspect(id) else { continue }
                status["restartCount"] = attempts[key, default: 0]
                podIP = podIP ?? state.address
                if state.running {
                    status["state"] = ["running": ["startedAt": ObjectStore.now()]]
                    status["ready"] = true
                    status["started"] = true
                } else if restartPolicy == "Always" || (restartPolicy == "OnFailure" && state.exitCode != 0) {
                    status["state"] = ["waiting": ["reason": "CrashLoopBackOff",
                                                   "message": "back-off restarting failed container \(name)"]]
                    status["lastState"] = ["terminated": ["exitCode": state.exitCode, "reason": "Error"]]
                    // Restarted after a growing back-off, as kubelet does (here 1 s, 2 s, ... up to 10 s).
                    let backoff = Duration.seconds(min(attempts[key, default: 0] + 1, 10))
                    store.recordEvent(about: pod, kind: "Pod", apiVersion: "v1", reason: "BackOff",
                                      message: "Back-off restarting failed container \(name) in pod \(key.name)", warning: true, component: "kubelet")
                    if ContinuousClock.now - (lastRestart[key] ?? .now - backoff) >= backoff {
                        attempts[key, default: 0] += 1
                        lastRestart[key] = .now
                        _ = try? await call("POST", "/containers/\(id)/start")
                    }
                    status["restartCount"] = attempts[key, default: 0]
                } else {
                    status["state"] = ["terminated": ["exitCode": state.exitCode, "reason": state.exitCode == 0 ? "Completed" : "Error"]]
                }
                logs += (try? await self.logs(id)) ?? ""
            } else {
                switch await start(container, name: name, pod: key, uid: String(uid)) {
                case let .started(id):
                    containers[key, default: [:]][name] = id
                    store.recordEvent(about: pod, kind: "Pod", apiVersion: "v1", reason: "Started", message: "Started container \(name)",
                                      component: "kubelet")
                    status["state"] = ["waiting": ["reason": "ContainerCreating"]]
                case let .pullFailed(reason):
                    let tries = attempts[key, default: 0] + 1
                    attempts[key] = tries
                    store.recordEvent(about: pod, kind: "Pod", apiVersion: "v1", reason: tries > 1 ? "BackOff" : "Failed",
                                      message: tries > 1 ? "Back-off pulling image \"\(image)\"" : "Failed to pull image \"\(image)\": \(reason)",
                                      warning: true, component: "kubelet")
                    status["state"] = ["waiting": ["reason": tries > 1 ? "ImagePullBackOff" : "ErrImagePull", "message": reason]]
                }
            }
            statuses.append(status)
        }
        store.setLog(key, logs)
        let states = statuses.map { ($0["state"] as? [String: Any])?.keys.first ?? "waiting" }
        let terminated = statuses.compactMap { (($0["state"] as? [String: Any])?["terminated"] as? [String: Any])?["exitCode"] as? Int }
        let phase: String
        if !statuses.isEmpty, terminated.count == statuses.count {
            phase = terminated.allSatisfy { $0 == 0 } ? "Succeeded" : "Failed"
        } else if !statuses.isEmpty, states.allSatisfy({ $0 == "running" }) {
            phase = "Running"
        } else {
            phase = "Pending"
        }
        let ready = phase == "Running"
        var new: [String: Any] = ["phase": phase, "hostIP": "172.30.99.1",
                                  "conditions": [["type": "Ready", "status": ready ? "True" : "False"],
                                                 ["type": "ContainersReady", "status": ready ? "True" : "False"],
                                                 ["type": "PodScheduled", "status": "True"]],
                                  "containerStatuses": statuses]
        if let podIP { new["podIP"] = podIP }
        let old = pod["status"] as? [String: Any] ?? [:]
        // Only a change of phase, readiness or container states is news (not every poll).
        guard Self.summary(old) != Self.summary(new) else { return }
        var updated = pod
        updated["status"] = new
        store.put(key, updated, specChanged: false)
        Controllers(store: store).settle()
    }

    private static func summary(_ status: [String: Any]) -> String {
        let states = (status["containerStatuses"] as? [[String: Any]] ?? []).map { container in
            let state = container["state"] as? [String: Any] ?? [:]
            let detail = (state["waiting"] as? [String: Any])?["reason"] ?? (state["terminated"] as? [String: Any])?["exitCode"] ?? ""
            return "\(state.keys.first ?? "-"):\(detail):\(container["restartCount"] ?? 0)"
        }
        return "\(status["phase"] ?? "")|\(status["podIP"] ?? "")|\(states.joined(separator: ","))"
    }

    enum Start {
        case started(String)
        case pullFailed(String)
    }

    /// Creates and starts the container, pulling first when the pull policy says so.
    private func start(_ container: [String: Any], name: String, pod: ObjectStore.Key, uid: String) async -> Start {
        let image = container["image"] as? String ?? ""
        let last = image.split(separator: "/").last ?? ""
        let tagged = last.contains(":") && !last.hasSuffix(":latest")
        let policy = container["imagePullPolicy"] as? String ?? (tagged ? "IfNotPresent" : "Always")
        let present = (try? await call("GET", "/images/\(image)/json").status) == 200
        if policy == "Always" || !present {
            if policy == "Never" { return .pullFailed("container image \"\(image)\" is not present with pull policy of Never") }
            let pulled = try? await call("POST", "/images/create?fromImage=\(image.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? image)")
            guard let pulled, pulled.status == 200, !pulled.text.contains("\"error\"") else {
                return .pullFailed("rpc error: failed to pull image \"\(image)\": "
                                   + (pulled.map { $0.text.suffix(200).trimmingCharacters(in: .whitespacesAndNewlines) } ?? "no answer"))
            }
        }
        var body: [String: Any] = ["Image": image,
                                   "Labels": ["io.kubernetes.pod.name": pod.name, "io.kubernetes.pod.namespace": pod.namespace,
                                              "io.kubernetes.container.name": name, Self.ownerLabel: owner]]
        if let command = container["command"] as? [String] { body["Entrypoint"] = command }
        if let args = container["args"] as? [String] { body["Cmd"] = args }
        if let env = container["env"] as? [[String: Any]] {
            body["Env"] = env.compactMap { entry in (entry["name"] as? String).map { "\($0)=\(entry["value"] as? String ?? "")" } }
        }
        let containerName = "k8s_\(name)_\(pod.name)_\(pod.namespace)_\(uid)"
        guard let created = try? await call("POST", "/containers/create?name=\(containerName)", json: body), created.status == 201,
              let id = (try? JSONSerialization.jsonObject(with: Data(created.text.utf8)) as? [String: Any])?["Id"] as? String else {
            return .pullFailed("could not create the container")
        }
        _ = try? await call("POST", "/containers/\(id)/start")
        return .started(id)
    }

    private func inspect(_ id: String) async throws -> (running: Bool, exitCode: Int, address: String?) {
        let response = try await call("GET", "/containers/\(id)/json")
        let object = try JSONSerialization.jsonObject(with: Data(response.text.utf8)) as? [String: Any]
        let state = object?["State"] as? [String: Any] ?? [:]
        let address = (object?["NetworkSettings"] as? [String: Any])?["IPAddress"] as? String
        return (state["Running"] as? Bool ?? false, state["ExitCode"] as? Int ?? 0, address.flatMap { $0.isEmpty ? nil : $0 })
    }

    private func logs(_ id: String) async throws -> String {
        let response = try await call("GET", "/containers/\(id)/logs?stdout=1&stderr=1&tail=1000")
        var buffer = response.body
        var text = ""
        // Docker's framed log stream: an 8-byte header, then the bytes.
        while buffer.readableBytes >= 8, let header = buffer.readBytes(length: 8) {
            let length = Int(header[4]) << 24 | Int(header[5]) << 16 | Int(header[6]) << 8 | Int(header[7])
            guard let chunk = buffer.readString(length: min(length, buffer.readableBytes)) else { break }
            text += chunk
        }
        return text
    }

    private struct Response {
        let status: Int
        let body: ByteBuffer
        var text: String { String(buffer: body) }
    }

    private func call(_ method: String, _ path: String, json: [String: Any]? = nil) async throws -> Response {
        var request = HTTPClientRequest(url: "\(docker)/v1.41\(path)")
        request.method = .init(rawValue: method)
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: try JSONSerialization.data(withJSONObject: json)))
        }
        let response = try await client.execute(request, timeout: .seconds(120))
        return Response(status: Int(response.status.code), body: try await response.body.collect(upTo: 16 << 20))
    }
}
