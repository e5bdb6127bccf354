import Foundation
import KindCICore
import Yams

/// Builds a repository already declares for its own tools, which say which folder builds which
/// image better than any guess: `skaffold.yaml`'s artifacts, Compose services with a `build`, and
/// a `Tiltfile`'s plainly written `docker_build('image', 'context', dockerfile='...')`.
struct DeclaredBuild: Equatable {
    /// The image the tool builds, as declared; nil for a Compose service without `image:`.
    let image: String?
    /// The Compose service, else the image's last path segment.
    let service: String
    /// Relative to the repository's root.
    let context: String
    /// Relative to the context, as in all three tools; nil for `Dockerfile`.
    let dockerfile: String?
    var target: String?
    var args: [BuildArgument] = []

    /// Every declared build at `root`, Skaffold's first (from its already read `skaffold`
    /// documents), then Compose's, then Tilt's; a context and Dockerfile declared twice counts once.
    static func find(in root: URL, skaffold: [[String: Any]]) -> [DeclaredBuild] {
        var found: [DeclaredBuild] = []
        for build in Self.skaffold(skaffold) + compose(root) + tilt(root)
        where !found.contains(where: { $0.context == build.context && $0.dockerfile == build.dockerfile }) {
            found.append(build)
        }
        return found
    }

    static let skaffoldFiles = ["skaffold.yaml", "skaffold.yml"]
    static let composeFiles = ["compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"]

    /// The documents of `skaffold.yaml` (or `.yml`), read once for the builds and the deployment source.
    static func skaffoldDocuments(_ root: URL) -> [[String: Any]] {
        skaffoldFiles.flatMap { documents(root, $0) }
    }

    private static func documents(_ root: URL, _ name: String) -> [[String: Any]] {
        guard let data = try? Data(contentsOf: root.appendingPathComponent(name)), data.count <= 1 << 20,
              let text = String(data: data, encoding: .utf8).map(ConfigLoader.withoutByteOrderMark) else { return [] }
        guard let documents = try? Yams.load_all(yaml: text) else { return [] }
        return documents.compactMap { $0 as? [String: Any] }
    }

    /// `build.artifacts[]`: `image`, `context`, `docker.dockerfile`, `docker.target`, `docker.buildArgs`.
    private static func skaffold(_ documents: [[String: Any]]) -> [DeclaredBuild] {
        documents.flatMap { document -> [DeclaredBuild] in
            let artifacts = (document["build"] as? [String: Any])?["artifacts"] as? [[String: Any]] ?? []
            return artifacts.compactMap { artifact in
                guard let image = artifact["image"] as? String else { return nil }
                let docker = artifact["docker"] as? [String: Any] ?? [:]
                var build = DeclaredBuild(image: image, service: lastSegment(image), context: folder(artifact["context"]),
                                          dockerfile: docker["dockerfile"] as? String)
                build.target = docker["target"] as? String
                build.args = pairs(docker["buildArgs"])
                return build
            }
        }
    }

    /// `services.<name>.build`: a context, or `context`, `dockerfile`, `target`, `args`; with `image`.
    private static func compose(_ root: URL) -> [DeclaredBuild] {
        guard let file = composeFiles.first(where: { FileManager.default.fileExists(atPath: root.appendingPathComponent($0).path) }),
              let services = documents(root, file).first?["services"] as? [String: Any] else { return [] }
        return services.sorted { $0.key < $1.key }.compactMap { name, value in
            guard let service = value as? [String: Any], let build = service["build"] else { return nil }
            let settings = build as? [String: Any] ?? ["context": build]
            var declared = DeclaredBuild(image: service["image"] as? String, service: name, context: folder(settings["context"]),
                                         dockerfile: settings["dockerfile"] as? String)
            declared.target = settings["target"] as? String
            declared.args = pairs(settings["args"])
            return declared
        }
    }

    /// `docker_build('image', 'context', ... dockerfile='...')`, with literal strings only: a
    /// Tiltfile is Starlark, and anything computed is left to the Dockerfiles found.
    private static func tilt(_ root: URL) -> [DeclaredBuild] {
        guard let text = try? String(contentsOf: root.appendingPathComponent("Tiltfile"), encoding: .utf8) else { return [] }
        let call = /docker_build\(\s*['"]([^'"]+)['"]\s*,\s*['"]([^'"]+)['"]([^)]*)\)/
        let dockerfile = /dockerfile\s*=\s*['"]([^'"]+)['"]/
        return text.matches(of: call).map { match in
            let image = String(match.1)
            let context = folder(String(match.2))
            // Tilt's dockerfile is relative to the Tiltfile; kind-ci.yml's to the context.
            let file = match.3.firstMatch(of: dockerfile).map { String($0.1) }
            return DeclaredBuild(image: image, service: lastSegment(image), context: context,
                                 dockerfile: file.map { relative($0, toContext: context) })
        }
    }

    private static func lastSegment(_ image: String) -> String {
        let withoutTag = image.split(separator: "@").first.map(String.init) ?? image
        let path = withoutTag.split(separator: "/").last.map(String.init) ?? withoutTag
        return path.split(separator: ":").first.map(String.init) ?? path
    }

    /// A context as kind-ci.yml writes it: `.` for the root, no `./` or trailing `/`.
    static func folder(_ value: Any?) -> String {
        var text = (value as? String) ?? "."
        while text.hasPrefix("./") { text.removeFirst(2) }
        while text.count > 1, text.hasSuffix("/") { text.removeLast() }
        return text.isEmpty ? "." : text
    }

    private static func relative(_ path: String, toContext context: String) -> String {
        BuildEntry.path(folder(path), relativeToContext: context)
    }

    /// A mapping or a `NAME=value` list (Compose allows both), in order.
    private static func pairs(_ value: Any?) -> [BuildArgument] {
        if let map = value as? [String: Any] {
            return map.sorted { $0.key < $1.key }.map { BuildArgument(name: $0.key, value: "\($0.value)") }
        }
        return (value as? [String] ?? []).map { item in
            let parts = item.split(separator: "=", maxSplits: 1)
            return BuildArgument(name: String(parts[0]), value: parts.count > 1 ? String(parts[1]) : "")
        }
    }
}
