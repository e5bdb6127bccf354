import Foundation

/// A test-support executable run inside a container on the test dockerd (from the local
/// `debian:12-slim`), as in the kind stand-in image: the executable and the Swift runtime it links
/// are mounted at the paths they have here (the image copies them there), so the build needs no
/// static linking.
public final class StandInContainer: @unchecked Sendable {
    public let id: String

    /// Starts `executable` (a name beside kind-ci in the build folder) with `arguments`,
    /// publishing `port` on a loopback port of this host; `mounts` are extra read-only folders.
    public init(_ executable: String, _ arguments: [String], publishing port: Int, mounts: [URL] = []) throws {
        guard (try? TestDocker.docker(["image", "inspect", "debian:12-slim"])) != nil else {
            throw TestDocker.Failure(description: "no debian:12-slim on the test dockerd: run scripts/test (it runs scripts/test-base-images)")
        }
        let path = URL(fileURLWithPath: KindCIBinary.path).deletingLastPathComponent().appendingPathComponent(executable).path
        var folders = Set(mounts.map(\.path) + [URL(fileURLWithPath: path).deletingLastPathComponent().path])
        // The Swift runtime's folders (glibc comes from Debian 12 in the image).
        let linked = try Command.run("/usr/bin/ldd", [path]).stdout
        for line in linked.split(separator: "\n") {
            guard let target = line.split(separator: " ").first(where: { $0.hasPrefix("/") }), !target.hasPrefix("/lib") else { continue }
            folders.insert(URL(fileURLWithPath: String(target)).deletingLastPathComponent().path)
        }
        let volumes = folders.sorted().flatMap { ["-v", "\($0):\($0):ro"] }
        id = try TestDocker.docker(["run", "-d", "--rm", "-p", "127.0.0.1::\(port)"] + volumes + ["debian:12-slim", path] + arguments)
    }

    /// The host port the container's `port` is published on.
    public func hostPort(_ port: Int) throws -> Int {
        let mapping = try TestDocker.docker(["port", id, "\(port)/tcp"])
        guard let value = mapping.split(separator: "\n").first?.split(separator: ":").last, let number = Int(value) else {
            throw TestDocker.Failure(description: "container \(id) publishes no port \(port): \(mapping)")
        }
        return number
    }

    public var logs: String { (try? TestDocker.docker(["logs", id])) ?? "" }

    deinit {
        _ = try? TestDocker.docker(["rm", "-f", id])
    }
}
