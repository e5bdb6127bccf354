import Foundation
import Synchronization
import Yams

/// What kind-ci must never write anywhere (log, report.xml, diagnostics, build logs, copied test
/// reports), even when a child echoes it: registry passwords, tokens and key material. The
/// console, report.xml, build logs, diagnostics and copied reports pass their text through
/// `process`, the one mask of the process, which learns the secrets from the environment at start
/// and from kind's kubeconfig once it is fetched. (The kubeconfig written for the job holds key
/// material by its nature, hence 0600.)
public final class SecretMask: Sendable {
    public static let process = SecretMask()

    /// What replaces a secret.
    public static let replacement = "[masked]"
    /// Shorter values are not masked: replacing every `ci` or `1234` in a log would hide more than
    /// it protects. Variables taken for secrets by their names only need 8 characters, as GitLab's
    /// masked variables do, so that `IMAGE_PULL_SECRET=regcred` leaves the word alone.
    static let shortest = 6
    static let shortestByName = 8

    /// Variables whose values are secrets by their names.
    static let secretNames = ["PASSWORD", "PASSWD", "SECRET", "TOKEN", "API_KEY", "APIKEY", "PRIVATE_KEY", "ACCESS_KEY", "CREDENTIAL"]

    private let secrets = Mutex<[String]>([])

    public init() {}

    /// Adds `secret` in the forms writers may give it: as it is, XML-escaped (report.xml) and
    /// JSON-escaped (API answers).
    func add(_ secret: String, shortest: Int = SecretMask.shortest) {
        let value = secret.trimmingCharacters(in: .whitespacesAndNewlines)
        guard value.count >= shortest else { return }
        let forms = Set([value, RunReport.escape(value), Self.jsonEscaped(value)])
        secrets.withLock { known in
            known.append(contentsOf: forms.filter { !known.contains($0) })
            // Longest first, so that a secret containing another is masked whole.
            known.sort { $0.count > $1.count }
        }
    }

    /// The secrets the job's environment holds: `REGISTRY_PASSWORD`, every variable named like a
    /// secret, and the credentials of the job's docker config file.
    public func learn(environment: [String: String]) {
        for (name, value) in environment where Self.secretNames.contains(where: name.uppercased().contains) {
            add(value, shortest: name == "REGISTRY_PASSWORD" ? Self.shortest : Self.shortestByName)
        }
        for credential in RegistryCredentials.collect(environment: environment).values {
            add(credential.password)
            add(Data("\(credential.username):\(credential.password)".utf8).base64EncodedString())
        }
    }

    /// The key material of a kubeconfig's users (kind's serves its admin key): tokens, and client
    /// keys as the file has them (base64) and decoded, line by line, as printing the key would show them.
    func learn(kubeconfig text: String) {
        let users = (try? Yams.compose(yaml: text))?.mapping?["users"]?.sequence.map(Array.init) ?? []
        for user in users.compactMap({ $0.mapping?["user"]?.mapping }) {
            if let token = user["token"]?.string { add(token) }
            guard let key = user["client-key-data"]?.string else { continue }
            add(key)
            let pem = Data(base64Encoded: key).map { String(decoding: $0, as: UTF8.self) } ?? ""
            for line in pem.split(separator: "\n") where !line.hasPrefix("-----") { add(String(line)) }
        }
    }

    public func mask(_ text: String) -> String {
        let known = secrets.withLock { $0 }
        guard !known.isEmpty else { return text }
        var masked = text
        for secret in known where masked.contains(secret) {
            masked = masked.replacing(secret, with: Self.replacement)
        }
        return masked
    }

    /// `data` masked when it is text; binary files are left as they are.
    func mask(_ data: Data) -> Data {
        guard let text = String(validating: data, as: UTF8.self) else { return data }
        return Data(mask(text).utf8)
    }

    private static func jsonEscaped(_ value: String) -> String {
        let encoded = (try? JSONEncoder().encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "\"\(value)\""
        return String(encoded.dropFirst().dropLast())
    }
}
