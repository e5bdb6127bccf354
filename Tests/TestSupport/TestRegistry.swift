import Foundation

/// Debian's `docker-registry` (distribution 2.8) on a loopback port with htpasswd auth: the test
/// dockerd trusts loopback registries without TLS.
public final class TestRegistry: @unchecked Sendable {
    public let address: String
    public let user = "ci"
    public let password = "pw-\(UUID().uuidString.prefix(8))"
    /// A docker config folder logged in to the registry.
    public let dockerConfig: URL
    private let folder: TemporaryFolder
    private let process = Process()

    /// `everywhere`: listen on every interface (containers reach it at their gateway), while the
    /// test dockerd still pushes to it on loopback, which it trusts without TLS.
    public init(everywhere: Bool = false) throws {
        folder = try TemporaryFolder()
        let port = try FreePort.next()
        address = "127.0.0.1:\(port)"
        let listen = everywhere ? "0.0.0.0:\(port)" : address
        let htpasswd = try Command.run("/usr/bin/htpasswd", ["-Bbn", user, password])
        try folder.write("htpasswd", htpasswd.stdout)
        try folder.write("config.yml", """
            version: 0.1
            storage:
              filesystem:
                rootdirectory: \(folder.url.path)/data
            http:
              addr: \(listen)
            auth:
              htpasswd:
                realm: kind-ci-test
                path: \(folder.url.path)/htpasswd

            """)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/docker-registry")
        process.arguments = ["serve", folder.url.appendingPathComponent("config.yml").path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        dockerConfig = folder.url.appendingPathComponent("docker-config")
        try FileManager.default.createDirectory(at: dockerConfig, withIntermediateDirectories: true)
        let auth = Data("\(user):\(password)".utf8).base64EncodedString()
        try Data(#"{"auths":{"\#(address)":{"auth":"\#(auth)"}}}"#.utf8).write(to: dockerConfig.appendingPathComponent("config.json"))
    }

    /// Pushes a local image to the registry as `name` and removes the local copy, so that a build
    /// has to pull it.
    public func push(_ image: String, as name: String) throws -> String {
        let reference = "\(address)/\(name)"
        try TestDocker.docker(["tag", image, reference])
        var pushed = false
        for _ in 0..<40 where !pushed {
            pushed = (try? TestDocker.docker(["--config", dockerConfig.path, "push", reference])) != nil
            if !pushed { Thread.sleep(forTimeInterval: 0.25) }
        }
        if !pushed { try TestDocker.docker(["--config", dockerConfig.path, "push", reference]) }
        try TestDocker.docker(["rmi", reference])
        return reference
    }

    /// The registry going away: nothing can be pulled from it any more.
    public func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    deinit {
        stop()
    }
}
