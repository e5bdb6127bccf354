import Foundation

/// Credentials for private base images, sent with each build as `X-Registry-Config` (what the
/// docker CLI sends): the job's docker config file (`$DOCKER_CONFIG/config.json`, else
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

    /// The header's value: URL-safe base64 of the JSON map, as the daemon decodes it; nil when empty.
    static func header(_ credentials: [String: Credential]) -> String? {
        guard !credentials.isEmpty, let json = try? JSONEncoder().encode(credentials) else { return nil }
        return json.base64EncodedString().replacing("+", with: "-").replacing("/", with: "_")
    }
}
