import Foundation
import KindCICore
import Testing
import TestSupport

/// Codeship's `add_docker` hands the job a daemon behind TLS with client certificates
/// (`DOCKER_HOST`, `DOCKER_TLS_VERIFY`, `DOCKER_CERT_PATH`): a second, TLS-only dockerd plays it,
/// reached on loopback and, as another machine's daemon would be, on an address of its bridge.
@Suite(.enabled(if: TestDocker.enabled))
struct DockerTLSTests {
    @Test func talksToADaemonBehindTLSAndRefusesAForeignCA() async throws {
        let folder = try TemporaryFolder()
        let certificates = folder.url.appendingPathComponent("certs")
        try FileManager.default.createDirectory(at: certificates, withIntermediateDirectories: true)
        let port = try FreePort.next()
        let away = "10.213.\(port % 250).1"
        try Certificates.make(in: certificates, serverNames: ["127.0.0.1", "localhost", away])
        // A bridge of its own: `--bridge=none` would delete docker0, which the main test daemon uses.
        let bridge = "kcitls\(port % 10000)"
        let subnet = "\(away)/24"
        for arguments in [["link", "add", "name", bridge, "type", "bridge"], ["addr", "add", subnet, "dev", bridge], ["link", "set", bridge, "up"]] {
            let result = try Command.run("/usr/sbin/ip", arguments)
            #expect(result.status == 0, "ip \(arguments.joined(separator: " ")): \(result.stderr)")
        }
        defer { _ = try? Command.run("/usr/sbin/ip", ["link", "del", bridge]) }
        let daemon = Process()
        daemon.executableURL = URL(fileURLWithPath: "/usr/sbin/dockerd")
        daemon.arguments = ["--host", "tcp://127.0.0.1:\(port)", "--host", "tcp://\(away):\(port)", "--tlsverify",
                            "--tlscacert", certificates.appendingPathComponent("ca.pem").path,
                            "--tlscert", certificates.appendingPathComponent("server-cert.pem").path,
                            "--tlskey", certificates.appendingPathComponent("server-key.pem").path,
                            "--data-root", folder.url.appendingPathComponent("data").path,
                            "--exec-root", folder.url.appendingPathComponent("exec").path,
                            "--pidfile", folder.url.appendingPathComponent("pid").path, "--bridge=\(bridge)", "--iptables=false"]
        daemon.standardOutput = FileHandle.nullDevice
        daemon.standardError = FileHandle.nullDevice
        try daemon.run()
        defer {
            daemon.terminate()
            daemon.waitUntilExit()
        }
        let environment: [String: String?] = ["DOCKER_HOST": "tcp://127.0.0.1:\(port)", "DOCKER_TLS_VERIFY": "1",
                                              "DOCKER_CERT_PATH": certificates.path]
        var result = try KindCIBinary.run(["down"], environment: environment)
        for _ in 0..<60 where result.status != 0 {
            try await Task.sleep(for: .milliseconds(500))
            result = try KindCIBinary.run(["down"], environment: environment)
        }
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "no kind to remove\n")

        let foreign = folder.url.appendingPathComponent("foreign")
        try FileManager.default.createDirectory(at: foreign, withIntermediateDirectories: true)
        try Certificates.make(in: foreign, serverNames: ["127.0.0.1"], caName: "another-ca")
        let refused = try KindCIBinary.run(["down"], environment: environment.merging(["DOCKER_CERT_PATH": foreign.path]) { $1 })
        #expect(refused.status == ExitStatus.kindNotReady.rawValue)
        #expect(refused.stderr.contains("the Docker daemon at tcp://127.0.0.1:\(port) (TLS) cannot be reached: TLS failed"), "\(refused.stderr)")

        // Guarded by TLS, yet kind's unauthenticated docker would be published on its interfaces.
        let remote = try KindCIBinary.run(["up"], environment: environment.merging(["DOCKER_HOST": "tcp://\(away):\(port)"]) { $1 })
        #expect(remote.status == ExitStatus.badConfiguration.rawValue, "\(remote.stderr)")
        #expect(remote.stderr.contains("the Docker daemon at \(away) is reached with TLS from another machine"), "\(remote.stderr)")
        #expect(try KindCIBinary.run(["down"], environment: environment).stdout == "no kind to remove\n")
    }
}
