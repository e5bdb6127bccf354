import Foundation

/// `.kind-ci/env`: one `NAME=value` a line, no quotes, no multi-line values (GitLab's dotenv format,
/// and `set -a; . ./.kind-ci/env; set +a` in a shell).
struct EnvFile {
    private(set) var entries: [(name: String, value: String)] = []

    /// Line breaks cannot be written in this format; none of kind-ci's values has one, and one
    /// coming from the environment (NO_PROXY) is dropped rather than let it add a variable.
    mutating func set(_ name: String, _ value: String) {
        entries.removeAll { $0.name == name }
        entries.append((name, value.filter { !$0.isNewline }))
    }

    var text: String { entries.map { "\($0.name)=\($0.value)\n" }.joined() }

    /// The variables every child of kind-ci gets, for kind at `address` (cli-contract.md).
    static func forKind(at address: KindAddress, environment: [String: String]) -> EnvFile {
        var file = EnvFile()
        file.set("DOCKER_HOST", address.dockerHost)
        file.set("KIND_CI_HOST", address.host)
        let noProxy = (environment["NO_PROXY"] ?? "").split(separator: ",").map(String.init)
        file.set("NO_PROXY", (noProxy.contains(address.host) ? noProxy : noProxy + [address.host]).joined(separator: ","))
        return file
    }

    /// The variables as children get them: kind's docker is plain TCP, so TLS settings meant for
    /// another daemon are removed.
    var childEnvironment: [String: String?] {
        var variables: [String: String?] = ["DOCKER_TLS_VERIFY": nil, "DOCKER_CERT_PATH": nil, "DOCKER_CONTEXT": nil]
        for entry in entries { variables[entry.name] = entry.value }
        return variables
    }

    func write(to folder: URL) throws -> URL {
        let url = folder.appendingPathComponent("env")
        try OutputPath.writing(url.path) {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url, options: .atomic)
        }
        return url
    }
}
