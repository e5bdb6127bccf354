import Foundation
import KindCICore

/// Puts kind's kubeconfig where the job's tools look (cli-contract.md): `--kubeconfig`, else the
/// first entry of `$KUBECONFIG`, else `~/.kube/config`; merged as kind and minikube do it; mode
/// 0600 (it holds kind's admin key); never inside the artifacts, which CI hosts publish.
enum KubeconfigInstall {
    static func path(option: String?, environment: [String: String]) -> String {
        if let option, !option.isEmpty { return option }
        if let first = environment["KUBECONFIG"]?.split(separator: ":").first, !first.isEmpty { return String(first) }
        return (environment["HOME"] ?? NSHomeDirectory()) + "/.kube/config"
    }

    /// Writes kind's kubeconfig, rewritten for `host:port`, merged into the file at `path`;
    /// returns what was written.
    static func install(kind text: String, host: String, port: Int, at path: String, artifacts: URL) throws -> Kubeconfig {
        let target = URL(fileURLWithPath: path).standardizedFileURL
        let artifactsFolder = artifacts.standardizedFileURL.path + "/"
        guard !target.path.hasPrefix(artifactsFolder) else {
            throw Problem("the kubeconfig would go into the artifacts (\(path)), which CI hosts publish; it holds kind's admin key",
                          fix: "choose a --kubeconfig outside \(artifacts.path)",
                          status: .badConfiguration)
        }
        let (cluster, user, _) = try Kubeconfig(yaml: text, source: "kind's /config").rewrittenForJob(host: host, port: port)
        let existing: Kubeconfig
        if let data = FileManager.default.contents(atPath: target.path), !data.isEmpty {
            do {
                existing = try Kubeconfig(yaml: String(decoding: data, as: UTF8.self), source: path)
            } catch {
                throw Problem("\(path) exists but is not a kubeconfig kind-ci can merge into (\(error))",
                              fix: "pass --kubeconfig with another file, or fix that one",
                              status: .badConfiguration)
            }
        } else {
            existing = .empty
        }
        let merged = existing.merging(cluster: cluster, user: user)
        try write(merged.yaml, to: target)
        return merged
    }

    /// Written beside the target and renamed over it, readable by its owner only from the start.
    private static func write(_ text: String, to target: URL) throws {
        let folder = target.deletingLastPathComponent()
        try OutputPath.writing(folder.path) { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        let temporary = folder.appendingPathComponent(".\(target.lastPathComponent).kind-ci-\(UUID().uuidString.prefix(8))")
        guard FileManager.default.createFile(atPath: temporary.path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw Problem("cannot write \(temporary.path)", fix: "check that \(folder.path) is writable", status: .cannotCreate)
        }
        guard rename(temporary.path, target.path) == 0 else {
            try? FileManager.default.removeItem(at: temporary)
            throw Problem("cannot replace \(target.path): \(String(cString: strerror(errno)))",
                          fix: "check that \(folder.path) is writable",
                          status: .cannotCreate)
        }
    }
}
