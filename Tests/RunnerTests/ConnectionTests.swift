import Foundation
import KindCICore
import Testing
import TestSupport
@testable import Runner

/// Probes against real sockets: each connection failure is told apart the way the diagnoses need.
@Suite struct ConnectionTests {
    static func address(_ host: String, config port: Int) -> KindAddress {
        var ports = KindPorts()
        ports.config = port
        return KindAddress(host: host, ports: ports, reason: "test")
    }

    @Test func tellsRefusedUnresolvedAbsentAndPresentApart() async throws {
        let standIn = try ConfigEndpointStandIn(["--docker-ready-after", "0s", "--never-kubernetes"])
        let closed = try FreePort.next()
        try await HTTPFetch.withClient { http in
            #expect(await http.probe(Self.address("127.0.0.1", config: closed), "docker-ready") == .failed(.refused))
            #expect(await http.probe(Self.address("kind.invalid", config: closed), "docker-ready") == .failed(.unresolved))
            // The stand-in may still be starting: wait for it to listen.
            let address = Self.address("127.0.0.1", config: standIn.port)
            var outcome = await http.probe(address, "docker-ready")
            for _ in 0..<100 where outcome == .failed(.refused) {
                try await Task.sleep(for: .milliseconds(50))
                outcome = await http.probe(address, "docker-ready")
            }
            #expect(outcome == .present)
            #expect(await http.probe(address, "kubernetes-ready") == .absent)
            #expect(await http.configFile(address, "kubernetes-version") == "v1.23.10")
            #expect(await http.probe(address, "ca.crt") == .absent)
        }
    }
}

@Suite struct DockerEndpointTests {
    @Test func readsDockerHostLikeTheDockerCLI() throws {
        #expect(try DockerEndpoint.fromEnvironment(["DOCKER_HOST": "unix:///run/d.sock"])?.description == "unix:///run/d.sock")
        #expect(try DockerEndpoint.fromEnvironment(["DOCKER_HOST": "tcp://10.1.2.3"])?.description == "tcp://10.1.2.3:2375")
        #expect(try DockerEndpoint.fromEnvironment(["DOCKER_HOST": "tcp://kind:2375"])?.url("/_ping") == "http://kind:2375/_ping")
        #expect(throws: Problem.self) { try DockerEndpoint.fromEnvironment(["DOCKER_HOST": "ssh://me@host"]) }
    }

    @Test func namesTheCertificateFileItCannotLoad() throws {
        let folder = try TemporaryFolder()
        let problem = try #require(throws: Problem.self) {
            try DockerEndpoint.fromEnvironment(["DOCKER_HOST": "tcp://docker:2376", "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": folder.url.path])
        }
        #expect(problem.render(style: .plain).contains("cannot load \(folder.url.path)/ca.pem"))
        #expect(problem.exitStatus == .badConfiguration)
    }
}
