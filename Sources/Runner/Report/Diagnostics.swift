import Foundation

/// What a failed run leaves behind in `.kind-ci/diagnostics/`, read from the cluster while it is
/// still there: events per namespace, every pod's status with its containers' states, their
/// current and previous logs (bounded), kind's version files, and the build logs. Also a summary of
/// the pods that are not well, for the log. Bounded in time: a cluster that no longer answers
/// leaves what could be read.
struct Diagnostics: Sendable {
    let client: KubernetesClient?
    /// Why the cluster is not to be read (its API server stopped answering), when it is not.
    var unreadable: String?
    let http: HTTPFetch
    let address: KindAddress?
    let artifacts: URL
    /// Logs are cut to their last lines and bytes: enough to see why, not a whole history.
    static let logLines = 500
    static let logBytes = 256 << 10
    /// kube-system's pods are summarised only when unwell; their logs are kind's business.
    static let systemNamespaces: Set<String> = ["kube-system", "kube-public", "kube-node-lease"]

    var folder: URL { artifacts.appendingPathComponent("diagnostics") }

    /// Writes everything it can within `limit`; returns at most about 20 lines naming each unwell
    /// pod and why.
    func gather(within limit: Duration = .seconds(30)) async -> [String] {
        let deadline = ContinuousClock.now + limit
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        copyBuildLogs()
        await writeKindVersions()
        if let unreadable {
            write("unavailable.txt", "the cluster was not read: \(unreadable)\n")
            return ["the cluster was not read for diagnostics: \(unreadable)"]
        }
        guard let client else { return [] }
        do {
            let events = try await client.get("/api/v1/events", until: deadline)?["items"]?.array ?? []
            writeEvents(events)
            let pods = try await client.get("/api/v1/pods", until: deadline)?["items"]?.array ?? []
            write("pods.txt", pods.map(Self.describe).joined(separator: "\n"))
            await writeLogs(pods.filter { !Self.systemNamespaces.contains($0.namespace ?? "") }, client: client, deadline: deadline)
            return Self.summary(pods: pods, events: events)
        } catch {
            write("unavailable.txt", "the cluster could not be read: \(error)\n")
            return ["the cluster could not be read for diagnostics: \(error)"]
        }
    }

    /// A line per pod that is neither ready nor done, with the reason its containers give and the
    /// latest warning about it.
    static func summary(pods: [JSON], events: [JSON]) -> [String] {
        var lines: [String] = []
        for pod in pods {
            let phase = pod[path: "status", "phase"]?.string ?? "Pending"
            guard phase != "Succeeded", !pod.conditionHolds("Ready") else { continue }
            let system = systemNamespaces.contains(pod.namespace ?? "")
            let containers = (pod[path: "status", "initContainerStatuses"]?.array ?? []) + (pod[path: "status", "containerStatuses"]?.array ?? [])
            var why = containers.compactMap { container -> String? in
                if let waiting = container[path: "state", "waiting"], let reason = waiting["reason"]?.string {
                    return "\(container["name"]?.string ?? "?") \(reason)" + (waiting["message"]?.string.map { ": \($0)" } ?? "")
                }
                if let terminated = container[path: "state", "terminated"], let code = terminated["exitCode"]?.int, code != 0 {
                    return "\(container["name"]?.string ?? "?") exited with \(code)"
                }
                return nil
            }.first ?? phase
            let warning = events.filter { $0[path: "involvedObject", "uid"] == pod[path: "metadata", "uid"] && $0["type"]?.string == "Warning" }
                .max { ($0["lastTimestamp"]?.string ?? "") < ($1["lastTimestamp"]?.string ?? "") }
            if let warning, let message = warning["message"]?.string { why += " (\(warning["reason"]?.string ?? "event"): \(message))" }
            if system, why == phase { continue }
            let oneLine = why.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
            lines.append("pod \(pod.namespace ?? "")/\(pod.name): \(String(oneLine.prefix(300)))")
        }
        return lines.count > 20 ? Array(lines.prefix(19)) + ["and \(lines.count - 19) more pods: see pods.txt"] : lines
    }

    /// A pod as `kubectl describe` would put its essentials.
    static func describe(_ pod: JSON) -> String {
        var lines = ["\(pod.namespace ?? "")/\(pod.name): \(pod[path: "status", "phase"]?.string ?? "Pending")"]
        for condition in pod[path: "status", "conditions"]?.array ?? [] {
            lines.append("  condition \(condition["type"]?.string ?? "?")=\(condition["status"]?.string ?? "?")"
                + (condition["reason"]?.string.map { " (\($0))" } ?? ""))
        }
        let containers = (pod[path: "status", "initContainerStatuses"]?.array ?? []) + (pod[path: "status", "containerStatuses"]?.array ?? [])
        for container in containers {
            var line = "  container \(container["name"]?.string ?? "?") image \(container["image"]?.string ?? "?")"
                + " restarts \(container["restartCount"]?.int ?? 0): "
            if let state = container["state"]?.object, let (name, detail) = state.first {
                line += name + [detail["reason"]?.string, detail["exitCode"]?.int.map { "exit code \($0)" }, detail["message"]?.string]
                    .compactMap { $0 }.map { " \($0)" }.joined()
            }
            if let last = container[path: "lastState", "terminated"] {
                line += "; last terminated: exit code \(last["exitCode"]?.int ?? 0) \(last["reason"]?.string ?? "")"
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func writeEvents(_ events: [JSON]) {
        let byNamespace = Dictionary(grouping: events) { $0.namespace ?? "default" }
        for (namespace, items) in byNamespace {
            let sorted = items.sorted { ($0["lastTimestamp"]?.string ?? "") < ($1["lastTimestamp"]?.string ?? "") }
            let text = sorted.map { event in
                let object = "\(event[path: "involvedObject", "kind"]?.string?.lowercased() ?? "?")/\(event[path: "involvedObject", "name"]?.string ?? "?")"
                let count = event["count"]?.int.map { $0 > 1 ? " (x\($0))" : "" } ?? ""
                return "\(event["lastTimestamp"]?.string ?? "-") \(event["type"]?.string ?? "-") \(event["reason"]?.string ?? "-") \(object): "
                    + "\(event["message"]?.string ?? "")\(count)"
            }.joined(separator: "\n")
            write("events/\(namespace).txt", text + "\n")
        }
    }

    private func writeLogs(_ pods: [JSON], client: KubernetesClient, deadline: ContinuousClock.Instant) async {
        var requests: [(path: String, file: String)] = []
        for pod in pods {
            let namespace = pod.namespace ?? "default"
            let base = "/api/v1/namespaces/\(KubernetesClient.escape(namespace))/pods/\(KubernetesClient.escape(pod.name))/log"
                + "?tailLines=\(Self.logLines)&limitBytes=\(Self.logBytes)"
            let statuses = (pod[path: "status", "initContainerStatuses"]?.array ?? []) + (pod[path: "status", "containerStatuses"]?.array ?? [])
            for container in statuses {
                guard let name = container["name"]?.string else { continue }
                let file = "logs/\(namespace)/\(pod.name)/\(name)"
                requests.append((base + "&container=\(KubernetesClient.escape(name))", file + ".log"))
                if (container["restartCount"]?.int ?? 0) > 0 {
                    requests.append((base + "&container=\(KubernetesClient.escape(name))&previous=true", file + ".previous.log"))
                }
            }
        }
        // Written here as each comes, not by the reads themselves: a pod's logs share folders.
        await BoundedConcurrency.forEach(requests, atMost: 4) { request in
            let response = try? await client.transport.sendRetrying(.GET, request.path, until: min(deadline, .now + .seconds(10)))
            return (request.file, response.flatMap { $0.status == 200 ? $0.text : nil })
        } receive: { _, log in
            if let text = log.1 { write(log.0, text) }
        }
    }

    private func copyBuildLogs() {
        let source = artifacts.appendingPathComponent("build")
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: source.path), !names.isEmpty else { return }
        let target = folder.appendingPathComponent("build")
        try? FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        for name in names {
            guard let data = FileManager.default.contents(atPath: source.appendingPathComponent(name).path) else { continue }
            try? ArtifactFile.write(data, to: target.appendingPathComponent(name), privately: true)
        }
    }

    private func writeKindVersions() async {
        guard let address else { return }
        var lines: [String] = []
        for name in ["kubernetes-version", "minikube-version"] {
            let value = await http.configFile(address, name)?.trimmingCharacters(in: .whitespacesAndNewlines)
            lines.append("\(name): \(value ?? "(not served)")")
        }
        write("kind/versions.txt", lines.joined(separator: "\n") + "\n")
    }

    private func write(_ relative: String, _ text: String) {
        try? ArtifactFile.write(text, to: folder.appendingPathComponent(relative))
    }
}
