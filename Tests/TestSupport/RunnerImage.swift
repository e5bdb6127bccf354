import Foundation

/// The runner image (the repository's `Dockerfile`: `debian:12-slim` with kind-ci, kubectl and
/// curl) around a release binary, stripped as scripts/build-runner-image does.
public enum RunnerImage {
    public static func build(tag: String, binary: String) throws {
        let context = try TemporaryFolder()
        try FileManager.default.copyItem(at: Repository.root.appendingPathComponent("Dockerfile"), to: context.url.appendingPathComponent("Dockerfile"))
        let strip = try Command.run("/usr/bin/strip", ["-o", context.url.appendingPathComponent("kind-ci").path, binary])
        guard strip.status == 0 else { throw TestDocker.Failure(description: "strip \(binary): \(strip.stderr)") }
        try TestDocker.docker(["build", "-q", "-t", tag, context.url.path])
    }
}
