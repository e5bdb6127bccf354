import Foundation
import KindCICore
import NIOSSL
import Yams

/// A kubeconfig as YAML nodes, so that entries kind-ci does not own survive a merge untouched.
/// kind serves one (`/config`) whose server, `https://172.30.99.1:8443`, only works inside kind.
struct Kubeconfig {
    /// The name of the cluster, user and context kind-ci adds (as kind and minikube do with theirs).
    static let entryName = "kind-ci"

    private(set) var root: Node.Mapping

    init(yaml text: String, source: String) throws {
        guard let mapping = try Yams.compose(yaml: text)?.mapping else {
            throw Problem.kubeconfig("\(source) is not a kubeconfig (no mapping at its top)")
        }
        root = mapping
    }

    private init(root: Node.Mapping) {
        self.root = root
    }

    static var empty: Kubeconfig {
        Kubeconfig(root: Node.Mapping([(Node("apiVersion"), Node("v1")), (Node("kind"), Node("Config"))]))
    }

    /// The entry of `list` named `name`.
    private func entry(_ list: String, _ name: String?) -> Node.Mapping? {
        root[list]?.sequence?.compactMap(\.mapping).first { name == nil || $0["name"]?.string == name }
    }

    /// kind's cluster and user, rewritten so that the job reaches the API at `host:port`, keeping
    /// TLS verification: `tls-server-name` becomes the original server's host, a name kind's
    /// certificate is sure to hold (kind-service-contract.md).
    func rewrittenForJob(host: String, port: Int) throws -> (cluster: Node.Mapping, user: Node.Mapping, serverName: String) {
        let context = entry("contexts", root["current-context"]?.string)?["context"]?.mapping
        guard var cluster = entry("clusters", context?["cluster"]?.string)?["cluster"]?.mapping,
              let user = entry("users", context?["user"]?.string)?["user"]?.mapping,
              let server = cluster["server"]?.string, let original = URLComponents(string: server)?.host else {
            throw Problem.kubeconfig("kind's kubeconfig has no cluster with a server, or no user")
        }
        let serverName = cluster["tls-server-name"]?.string ?? original
        let bracketed = host.contains(":") ? "[\(host)]" : host
        cluster["server"] = Node("https://\(bracketed):\(port)")
        cluster["tls-server-name"] = Node(serverName)
        return (cluster, user, serverName)
    }

    /// This kubeconfig with kind-ci's cluster, user and context added or replaced and made
    /// current; every other entry kept.
    func merging(cluster: Node.Mapping, user: Node.Mapping) -> Kubeconfig {
        var copy = root
        func replace(_ list: String, _ key: String, _ value: Node.Mapping) {
            var items = copy[list]?.sequence.map(Array.init) ?? []
            items.removeAll { $0.mapping?["name"]?.string == Self.entryName }
            items.append(Node([(Node("name"), Node(Self.entryName)), (Node(key), .mapping(value))]))
            copy[list] = Node(items)
        }
        replace("clusters", "cluster", cluster)
        replace("users", "user", user)
        replace("contexts", "context", Node.Mapping([(Node("cluster"), Node(Self.entryName)), (Node("user"), Node(Self.entryName))]))
        copy["current-context"] = Node(Self.entryName)
        return Kubeconfig(root: copy)
    }

    var yaml: String {
        get throws { try Yams.serialize(node: .mapping(root), sortKeys: false) }
    }

    /// TLS and credentials for the current context, as kubectl would use them.
    func transport() throws -> KubernetesTransport {
        let context = entry("contexts", root["current-context"]?.string)?["context"]?.mapping
        guard let cluster = entry("clusters", context?["cluster"]?.string)?["cluster"]?.mapping,
              let user = entry("users", context?["user"]?.string)?["user"]?.mapping,
              let server = cluster["server"]?.string, let url = URLComponents(string: server), let host = url.host else {
            throw Problem.kubeconfig("the kubeconfig's current context has no cluster with a server, or no user")
        }
        func pem(_ data: String, _ file: String, in mapping: Node.Mapping) throws -> [UInt8]? {
            if let encoded = mapping[data]?.string {
                guard let bytes = Data(base64Encoded: encoded) else { throw Problem.kubeconfig("\(data) is not base64") }
                return Array(bytes)
            }
            return try mapping[file]?.string.map { Array(try Data(contentsOf: URL(fileURLWithPath: $0))) }
        }
        guard let authority = try pem("certificate-authority-data", "certificate-authority", in: cluster) else {
            throw Problem.kubeconfig("the cluster has no certificate authority, so its server cannot be verified")
        }
        let clientChain = try pem("client-certificate-data", "client-certificate", in: user).map { try NIOSSLCertificate.fromPEMBytes($0) } ?? []
        let clientKey = try pem("client-key-data", "client-key", in: user).map { try NIOSSLPrivateKey(bytes: $0, format: .pem) }
        let tls = try KubernetesTLS(authorities: try NIOSSLCertificate.fromPEMBytes(authority), clientChain: clientChain, clientKey: clientKey,
                                serverName: cluster["tls-server-name"]?.string ?? host)
        return KubernetesTransport(host: host, port: url.port ?? 443, tls: tls, token: user["token"]?.string)
    }
}

extension Problem {
    /// kind's kubeconfig is not usable: kind is not ready for the job (exit 75).
    static func kubeconfig(_ message: String) -> Problem {
        Problem(message, fix: "is the kind image's /config intact? Retry, or report it with the image's name", status: .kindNotReady)
    }
}
