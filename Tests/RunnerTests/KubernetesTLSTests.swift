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
            // Generous: in-process TLS verification waits for the cooperative pool, which busy tests may hold.
            let response = try await transport.send(.GET, "/version", timeout: .seconds(180))
            #expect(Self.passes(variant), "kind-ci's client accepted what kubectl refused: \(kubectl.stderr)")
            #expect(response.status == 200 && response.text.contains("v1.23.10"))
        } catch let error as KubernetesUnreachable {
            #expect(!Self.passes(variant), "kind-ci's client refused what kubectl accepted: \(error)")
            if variant == .dialledNameOnly { #expect(error.reason.contains("refused for 127.0.0.1"), "\(error)") }
        }
    }
}

/// The client waits out what passes (no listener yet, 503, 429 with Retry-After) and gives up at
/// once on what does not (a refused certificate).
@Suite struct KubernetesRetryTests {
    static func transport(port: Int, _ variant: KubernetesTLSTests.Variant = .tlsServerNameIP) throws -> KubernetesTransport {
        try Kubeconfig(yaml: try KubernetesTLSTests.kubeconfig(variant, port: port), source: "test").transport()
    }

    @Test func waitsForAServerThatIsNotListeningYet() async throws {
        let port = try FreePort.next()
        let late = Task {
            try await Task.sleep(for: .milliseconds(700))
            return try FakeKindAPI.startAPI(port: port)
        }
        let response = try await Self.transport(port: port).sendRetrying(.GET, "/version", until: .now + .seconds(180))
        #expect(response.status == 200)
        let process = try await late.value
        process.terminate()
        process.waitUntilExit()
    }

    @Test func waitsOutUnavailableAndThrottledAnswers() async throws {
        let api = try FakeKindAPI(apiOptions: ["--unavailable-first", "2", "--throttled-first", "1"])
        let response = try await Self.transport(port: api.apiPort).sendRetrying(.GET, "/version", until: .now + .seconds(180))
        #expect(response.status == 200, "\(response.text)")
        #expect(response.text.contains("v1.23.10"))
    }

    @Test func aRefusedCertificateIsFinal() async throws {
        let api = try FakeKindAPI()
        let transport = try Self.transport(port: api.apiPort, .foreignAuthority)
        // Listening first, so that the refusal is the certificate's and not the connection's.
        _ = try? await Self.transport(port: api.apiPort).sendRetrying(.GET, "/version", until: .now + .seconds(180))
        let error = await #expect(throws: KubernetesUnreachable.self) {
            try await transport.sendRetrying(.GET, "/version", until: .now + .seconds(600))
        }
        #expect(error?.tlsRefused == true)
    }
}
