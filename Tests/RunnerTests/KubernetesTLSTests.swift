import Foundation
import NIOCore
import Testing
import TestSupport
@testable import Runner

/// kind-ci's own client and the real kubectl accept and refuse the same API servers with the same
/// kubeconfig: a certificate lacking the dialled name passes through `tls-server-name`, one from
/// another CA fails, and so does a client without a certificate.
@Suite struct KubernetesTLSTests {
    enum Variant: String, CaseIterable, Sendable {
        case tlsServerNameIP, tlsServerNameDNS, dialledNameOnly, foreignAuthority, noClientCertificate
    }

    static func kubeconfig(_ variant: Variant, port: Int) throws -> String {
        var text = try FakeKindAPI.kindKubeconfig(server: "https://127.0.0.1:\(port)")
        switch variant {
        case .tlsServerNameIP:
            text = text.replacing("    server: https://127.0.0.1", with: "    tls-server-name: 172.30.99.1\n    server: https://127.0.0.1")
        case .tlsServerNameDNS:
            text = text.replacing("    server: https://127.0.0.1", with: "    tls-server-name: minikube\n    server: https://127.0.0.1")
        case .dialledNameOnly:
            break
        case .foreignAuthority:
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kind-ci-foreign-\(UUID())")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Certificates.make(in: folder, serverNames: FakeKindAPI.serverNames, caName: "someone-else")
            let foreign = try Data(contentsOf: folder.appendingPathComponent("ca.pem")).base64EncodedString()
            let own = try Data(contentsOf: FakeKindAPI.certificates.appendingPathComponent("ca.pem")).base64EncodedString()
            text = text.replacing(own, with: foreign)
                .replacing("    server: https://127.0.0.1", with: "    tls-server-name: 172.30.99.1\n    server: https://127.0.0.1")
        case .noClientCertificate:
            text = String(text[..<text.range(of: "    client-certificate-data")!.lowerBound]) + "    token: not-a-certificate\n"
            text = text.replacing("    server: https://127.0.0.1", with: "    tls-server-name: 172.30.99.1\n    server: https://127.0.0.1")
        }
        return text
    }

    static func passes(_ variant: Variant) -> Bool {
        variant == .tlsServerNameIP || variant == .tlsServerNameDNS
    }

    @Test(arguments: Variant.allCases)
    func kubectlAndKindCIAgree(variant: Variant) async throws {
        let api = try FakeKindAPI()
        let folder = try TemporaryFolder()
        let text = try Self.kubeconfig(variant, port: api.apiPort)
        let file = try folder.write("kubeconfig", text)
        // The stand-in may still be starting.
        var kubectl = try Command.run("/usr/bin/env", ["kubectl", "--kubeconfig", file.path, "get", "--raw", "/version"])
        for _ in 0..<40 where kubectl.stderr.contains("connection refused") {
            try await Task.sleep(for: .milliseconds(100))
            kubectl = try Command.run("/usr/bin/env", ["kubectl", "--kubeconfig", file.path, "get", "--raw", "/version"])
        }
        #expect((kubectl.status == 0) == Self.passes(variant), "kubectl: \(kubectl.stdout)\(kubectl.stderr)")

        let transport = try Kubeconfig(yaml: text, source: "test").transport()
        do {
            let response = try await transport.send(.GET, "/version")
            #expect(Self.passes(variant), "kind-ci's client accepted what kubectl refused: \(kubectl.stderr)")
            #expect(response.status == 200 && response.text.contains("v1.23.10"))
        } catch let error as KubernetesUnreachable {
            #expect(!Self.passes(variant), "kind-ci's client refused what kubectl accepted: \(error)")
            if variant == .dialledNameOnly { #expect(error.reason.contains("refused for 127.0.0.1"), "\(error)") }
        }
    }
}
