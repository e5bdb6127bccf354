import Foundation

/// The private dockerd `scripts/test` starts (scripts/test-dockerd), driven with Debian's docker
/// CLI (the 20.10 line, like kind's inner docker).
public enum TestDocker {
    public static let environment = ProcessInfo.processInfo.environment
    /// `unix:///…/docker.sock`.
    public static var host: String? { environment["KIND_CI_TEST_DOCKER_HOST"] }
    /// `127.0.0.1:23750`: the same daemon over plain TCP, as kind's docker is reached.
    public static var tcp: String? { environment["KIND_CI_TEST_DOCKER_TCP"] }
    /// Under scripts/test a missing daemon fails the tests instead of skipping them.
    public static var required: Bool { environment["KIND_CI_REQUIRE_DOCKER"] == "1" }
    /// Whether tests that need the daemon run at all.
    public static var enabled: Bool { host != nil || required }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Runs the docker CLI against the test daemon; throws with its output when it fails.
    @discardableResult
    public static func docker(_ arguments: [String], input directory: URL? = nil) throws -> String {
        guard let host else {
            throw Failure(description: "no test dockerd: run the tests with scripts/test (it starts one)")
        }
        let result = try Command.run("/usr/bin/docker", arguments, in: directory, environment: ["DOCKER_HOST": host])
        guard result.status == 0 else {
            throw Failure(description: "docker \(arguments.joined(separator: " ")) failed (\(result.status)): \(result.stdout)\(result.stderr)")
        }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Builds `tag` from a Dockerfile and files, with `/bin/busybox` at hand in the context as
    /// `busybox` (images start FROM scratch: no registry is reachable).
    public static func build(_ tag: String, dockerfile: String, files: [String: String] = [:]) throws {
        let context = try TemporaryFolder()
        try context.write("Dockerfile", dockerfile)
        for (name, text) in files { try context.write(name, text) }
        try FileManager.default.copyItem(atPath: "/bin/busybox", toPath: context.url.appendingPathComponent("busybox").path)
        try docker(["build", "-q", "-t", tag, context.url.path])
    }

    /// Whether a container by that name exists on the test daemon.
    public static func containerExists(_ name: String) throws -> Bool {
        try !docker(["ps", "-a", "-q", "--filter", "name=^/\(name)$"]).isEmpty
    }
}

/// A child process run to completion, output captured through files.
public enum Command {
    public static func run(_ executable: String, _ arguments: [String], in directory: URL? = nil,
                           environment: [String: String?] = [:]) throws -> KindCIBinary.Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        return try KindCIBinary.wait(for: process, in: directory, environment: environment)
    }
}
