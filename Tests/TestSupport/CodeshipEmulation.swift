import Foundation
import Yams

/// A Codeship Pro build, emulated on the test dockerd from `codeship-services.yml` and
/// `codeship-steps.yml`: each step's service started with its image, environment and volumes
/// (relative paths from the project), `add_docker: true` giving it the build machine's Docker (a
/// socket and `DOCKER_HOST`); the step's command run as Codeship runs it, split into words with no
/// shell. The build machine's Docker grants `--privileged` as Codeship's does, through
/// DockerPrivilegeProxy.
public struct CodeshipEmulation {
    public struct Outcome: Sendable {
        public let status: Int32
        public let output: String
    }

    let project: URL
    let services: Node.Mapping
    let steps: [Node.Mapping]

    public init(project: URL) throws {
        func load(_ name: String) throws -> Node {
            let text = try String(contentsOf: project.appendingPathComponent(name), encoding: .utf8)
            guard let node = try Yams.compose(yaml: text) else { throw GitLabJobEmulation.Problem(description: "\(name) is empty") }
            return node
        }
        self.project = project
        services = try load("codeship-services.yml").mapping ?? [:]
        steps = (try load("codeship-steps.yml").sequence ?? []).compactMap(\.mapping)
    }

    /// The services' images, as the file names them.
    public var serviceImages: [String] {
        services.compactMap { $0.value.mapping?["image"]?.string }
    }

    /// Runs the steps in order until one fails; returns the last step's outcome.
    public func run() throws -> Outcome {
        let id = UUID().uuidString.prefix(8).lowercased()
        let network = "codeship-\(id)"
        let sockets = try TemporaryFolder()
        let proxySocket = sockets.url.appendingPathComponent("docker.sock").path
        let proxy = Process()
        proxy.executableURL = URL(fileURLWithPath: KindCIBinary.path).deletingLastPathComponent().appendingPathComponent("DockerPrivilegeProxy")
        let daemon = String((TestDocker.host ?? "").dropFirst("unix://".count))
        proxy.arguments = ["--listen", proxySocket, "--daemon", daemon]
        proxy.standardOutput = FileHandle.nullDevice
        proxy.standardError = FileHandle.nullDevice
        try proxy.run()
        var containers: [String] = []
        try TestDocker.docker(["network", "create", network])
        defer {
            if !containers.isEmpty { _ = try? TestDocker.docker(["rm", "-f"] + containers) }
            // kind-ci's own `down` removes kind; what a failed step left is removed here.
            if let left = try? TestDocker.docker(["ps", "-aq", "--filter", "network=\(network)"]), !left.isEmpty {
                _ = try? TestDocker.docker(["rm", "-f"] + left.split(separator: "\n").map(String.init))
            }
            _ = try? TestDocker.docker(["network", "rm", network])
            proxy.terminate()
        }
        for _ in 0..<100 where !FileManager.default.fileExists(atPath: proxySocket) { Thread.sleep(forTimeInterval: 0.05) }
        var outcome = Outcome(status: 0, output: "")
        for step in steps {
            guard let serviceName = step["service"]?.string, let service = services[serviceName]?.mapping,
                  let image = service["image"]?.string, let command = step["command"]?.string else {
                throw GitLabJobEmulation.Problem(description: "step \(step["name"]?.string ?? "?") names no service with an image, or no command")
            }
            var arguments = ["run", "-d", "--network", network, "--network-alias", serviceName]
            for volume in (service["volumes"]?.sequence ?? []).compactMap(\.string) {
                let parts = volume.split(separator: ":", maxSplits: 1).map(String.init)
                let source = parts[0].hasPrefix("/") ? parts[0] : project.appendingPathComponent(parts[0]).standardized.path
                arguments += ["-v", "\(source):\(parts[1])"]
            }
            for (key, value) in service["environment"]?.mapping ?? [:] {
                arguments += ["-e", "\(key.string ?? "")=\(value.string ?? "")"]
            }
            if service["add_docker"]?.bool == true {
                arguments += ["-v", "\(sockets.url.path):/var/run/codeship", "-e", "DOCKER_HOST=unix:///var/run/codeship/docker.sock"]
            }
            arguments += ["-e", "CI=true", "-e", "CI_NAME=codeship", "--entrypoint", "sleep", image, "86400"]
            let container = try TestDocker.docker(arguments)
            containers.append(container)
            // Codeship splits the command into words and runs it without a shell.
            let words = command.split(separator: " ").map(String.init)
            let result = try Command.run("/usr/bin/docker", ["exec", container] + words, environment: ["DOCKER_HOST": TestDocker.host])
            outcome = Outcome(status: result.status, output: result.stdout + result.stderr)
            if result.status != 0 { break }
        }
        return outcome
    }
}
