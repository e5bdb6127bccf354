import Foundation

import KindCICore

/// Credentials for private images, sent with each request that needs them, as the docker CLI sends
/// them: every registry's with a build (`X-Registry-Config`), the image's own registry's with a pull
/// (`X-Registry-Auth`). From the job's docker config file (`$DOCKER_CONFIG/config.json`, else
/// `~/.docker/config.json`, `auths` entries) and `REGISTRY`/`REGISTRY_USER`/`REGISTRY_PASSWORD`.
/// Never logged.
enum RegistryCredentials {
    struct Credential: Codable, Equatable {
        let username: String
        let password: String
        let serveraddress: String
    }

    static func collect(environment: [String: String]) -> [String: Credential] {
        var credentials: [String: Credential] = [:]
        let folder = environment["DOCKER_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.docker")
        if let data = FileManager.default.contents(atPath: folder + "/config.json"),
           let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
           let auths = object["auths"] as? [String: Any] {
            for (server, value) in auths {
                guard let auth = (value as? [String: Any])?["auth"] as? String,
                      let decoded = Data(base64Encoded: auth).flatMap({ String(data: $0, encoding: .utf8) }),
                      let colon = decoded.firstIndex(of: ":") else { continue }
                credentials[server] = Credential(username: String(decoded[..<colon]),
                                                 password: String(decoded[decoded.index(after: colon)...]), serveraddress: server)
            }
        }
        if let server = environment["REGISTRY"], !server.isEmpty, let user = environment["REGISTRY_USER"],
           let password = environment["REGISTRY_PASSWORD"] {
            credentials[server] = Credential(username: user, password: password, serveraddress: server)
        }
        return credentials
    }

    /// `X-Registry-Config`'s value: every credential; nil when there is none.
    static func header(_ credentials: [String: Credential]) -> String? {
        guard !credentials.isEmpty else { return nil }
        return encoded(credentials)
    }

    /// `X-Registry-Auth`'s value for pulling `image`: the credential of its registry; nil when there
    /// is none (the pull is then anonymous). Of several for one host (`https://ghcr.io` in the config
    /// file, `ghcr.io` in REGISTRY), the one written as the bare host wins, as REGISTRY and
    /// `docker login` write it; the rest by name, so that every run picks the same.
    static func pullHeader(for image: ImageReference, in credentials: [String: Credential]) -> String? {
        let wanted = host(of: image.registry ?? "docker.io")
        let matching = credentials.keys.filter { host(of: $0) == wanted }
            .sorted { ($0.lowercased() == wanted ? 0 : 1, $0) < ($1.lowercased() == wanted ? 0 : 1, $1) }
        return matching.first.flatMap { credentials[$0] }.flatMap { encoded($0) }
    }

    /// A registry as its host: `https://index.docker.io/v1/`, `docker.io` and `registry-1.docker.io`
    /// are all Docker Hub; a scheme or path around another host is dropped.
    private static func host(of server: String) -> String {
        var text = Substring(server)
        if let scheme = text.range(of: "://") { text = text[scheme.upperBound...] }
        let name = String(text.prefix { $0 != "/" }).lowercased()
        return ["docker.io", "index.docker.io", "registry-1.docker.io"].contains(name) ? "docker.io" : name
    }

    /// URL-safe base64 of the JSON, as the daemon decodes these headers.
    private static func encoded(_ value: some Encodable) -> String? {
        guard let json = try? JSONEncoder().encode(value) else { return nil }
        return json.base64EncodedString().replacing("+", with: "-").replacing("/", with: "_")
    }
}
