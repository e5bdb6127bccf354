import Foundation
import Synchronization

/// kind's two endpoints as stand-ins, consistent with each other: the config endpoint serving a
/// kubeconfig like kind's (server `https://172.30.99.1:8443`, embedded CA and admin client
/// certificate), and the API server on a loopback port with a certificate holding kind's names
/// only (`172.30.99.1`, `minikube`, `kubernetes`), so reaching it needs `tls-server-name`.
public final class FakeKindAPI: @unchecked Sendable {
    public let config: ConfigEndpointStandIn
    public let apiPort: Int
    private let api: Process

    /// kind's names for its API server.
    public static let serverNames = ["172.30.99.1", "minikube", "kubernetes", "kubernetes.default", "10.96.0.1"]

    /// Certificates for the whole test process, made once: CA, server and admin client.
    public static let certificates: URL = {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kind-ci-certs-\(ProcessInfo.processInfo.processIdentifier)")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try? Certificates.make(in: folder, serverNames: serverNames, clientSubject: "/O=system:masters/CN=kubernetes-admin")
        return folder
    }()

    /// kind's kubeconfig, as its config endpoint serves it.
    public static func kindKubeconfig(server: String = "https://172.30.99.1:8443") throws -> String {
        func data(_ name: String) throws -> String { try Data(contentsOf: certificates.appendingPathComponent(name)).base64EncodedString() }
        return """
            apiVersion: v1
            kind: Config
            clusters:
            - cluster:
                certificate-authority-data: \(try data("ca.pem"))
                server: \(server)
              name: kind
            contexts:
            - context:
                cluster: kind
                user: kind
              name: kind
            current-context: kind
            preferences: {}
            users:
            - name: kind
              user:
                client-certificate-data: \(try data("cert.pem"))
                client-key-data: \(try data("key.pem"))

            """
    }

    /// Starts both; `configOptions` script the config endpoint (`--never-kubernetes`, ...),
    /// `apiOptions` the API server (`--unavailable-first 2`, ...).
    public init(_ configOptions: [String] = ["--kubernetes-ready-after", "0s"], apiOptions: [String] = []) throws {
        let kubeconfig = Self.certificates.appendingPathComponent("kind-kubeconfig-\(UUID().uuidString.prefix(8)).yaml")
        try Data(try Self.kindKubeconfig().utf8).write(to: kubeconfig)
        config = try ConfigEndpointStandIn(configOptions + ["--kubeconfig", kubeconfig.path])
        apiPort = try FreePort.next()
        api = try Self.startAPI(port: apiPort, options: apiOptions)
    }

    public static func startAPI(port: Int, options: [String] = [], certificates folder: URL = certificates) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: KindCIBinary.path).deletingLastPathComponent().appendingPathComponent("KubernetesAPIStandIn")
        process.arguments = ["--port", String(port), "--cert", folder.appendingPathComponent("server-cert.pem").path,
                             "--key", folder.appendingPathComponent("server-key.pem").path,
                             "--client-ca", folder.appendingPathComponent("ca.pem").path] + options
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// kind dying: both endpoints stop answering (its docker, here the test daemon, stays).
    public func stop() {
        if api.isRunning {
            api.terminate()
            api.waitUntilExit()
        }
        config.stop()
    }

    deinit {
        stop()
        // Pods that ran as containers (`--docker`) outlive the stand-in: remove them.
        if let ids = try? TestDocker.docker(["ps", "-aq", "--filter", "label=io.kind-ci.test-kubelet=\(apiPort)"]), !ids.isEmpty {
            _ = try? TestDocker.docker(["rm", "-f"] + ids.split(separator: "\n").map(String.init))
        }
    }
}
