import Foundation
import KindCICore
import Yams

/// kind's kubeconfig as its config endpoint serves it (`/config`), fetched until it reads whole:
/// kind's nginx serves a static file, so an empty or cut-off answer is a passing fault, worth a
/// few more tries. Checked before anything is written: parsed, rewritten for the job, and its
/// certificates and key loaded.
enum KindKubeconfig {
    /// How long cut or empty answers are fetched again.
    static let patience = Duration.seconds(10)

    static func fetch(_ address: KindAddress, http: HTTPFetch) async throws -> String {
        let deadline = ContinuousClock.now + Self.patience
        while true {
            let problem: String
            if let text = await http.configFile(address, "config") {
                guard let reason = check(text) else { return text }
                problem = reason
            } else {
                problem = "it cannot be fetched"
            }
            guard ContinuousClock.now < deadline else {
                throw Problem.kubeconfig("kind says Kubernetes is ready, but its kubeconfig (\(address.configEndpoint)/config) is not usable: \(problem)")
            }
            try await Task.sleep(for: .milliseconds(500))
        }
    }

    /// Why `text` is not a usable kubeconfig, or nil when it is.
    static func check(_ text: String) -> String? {
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return "it is empty" }
        do {
            let (cluster, user, _) = try Kubeconfig(yaml: text, source: "kind's /config").rewrittenForJob(host: "kind", port: 8443)
            _ = try Kubeconfig.empty.merging(cluster: cluster, user: user).transport()
            return nil
        } catch let problem as Problem {
            return problem.headline
        } catch let error as YamlError {
            // Where, not what: the line may hold the key or a token, not yet known to the mask.
            let diagnostic = ConfigLoader.diagnostic(for: error, in: text)
            return "line \(diagnostic.line), column \(diagnostic.column): \(diagnostic.message)"
        } catch {
            return "its certificates or key do not load: \(error)"
        }
    }
}
