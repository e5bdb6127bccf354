import Foundation

/// When docker came up but Kubernetes never did, the reason is in kind's own docker: it still
/// answers, and holds the kube-system containers (etcd, apiserver, ...) with their states and logs.
/// GitLab hides service logs, so kind-ci fetches them itself.
struct KubeSystemEvidence {
    let engine: DockerEngine
    /// `.kind-ci/diagnostics/kind`.
    let folder: URL
    static let logLines = 200

    /// Writes each kube-system container's log and a table of them into `folder`, and returns a
    /// few summary lines for the log.
    func gather() async throws -> [String] {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let containers = try await engine.containers(labels: ["io.kubernetes.pod.namespace=kube-system"])
            .filter { $0.labels["io.kubernetes.container.name"] != "POD" }
            .sorted { ($0.labels["io.kubernetes.container.name"] ?? $0.name) < ($1.labels["io.kubernetes.container.name"] ?? $1.name) }
        guard !containers.isEmpty else {
            try ArtifactFile.write("no kube-system containers on kind's docker\n", to: folder.appendingPathComponent("containers.txt"))
            return ["kind's docker (\(engine.endpoint)) has no kube-system containers: kubelet never started the control plane."]
        }
        var table = ""
        var summary: [String] = []
        for container in containers {
            let name = container.labels["io.kubernetes.container.name"] ?? container.name
            let pod = container.labels["io.kubernetes.pod.name"] ?? "-"
            table += "\(name)\t\(pod)\t\(container.Status)\t\(container.Id.prefix(12))\n"
            let log = (try? await engine.logs(container.Id, tail: Self.logLines)) ?? ""
            let file = "\(Self.fileName(pod))_\(Self.fileName(name))_\(container.Id.prefix(12)).log"
            try ArtifactFile.write(log, to: folder.appendingPathComponent(file))
            if container.State != "running" || summary.count < 3 {
                let lastLine = log.split(separator: "\n").last.map { String($0.prefix(140)) } ?? "(no output)"
                summary.append("\(name): \(container.Status.lowercased()); last: \(lastLine)")
            }
        }
        try ArtifactFile.write(table, to: folder.appendingPathComponent("containers.txt"))
        let notRunning = containers.filter { $0.State != "running" }.count
        return ["kube-system on kind's docker: \(containers.count) containers, \(notRunning) not running:"]
            + summary.prefix(8).map { "  \($0)" }
    }

    private static func fileName(_ text: String) -> String {
        String(text.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." ? $0 : "_" })
    }
}
