import Foundation

/// The script `init` makes the test: one that tests a running deployment (its name says
/// integration, e2e or smoke) and does not set up its own cluster or images, which the job
/// already has and could not make inside kind-ci's (`kind create cluster`, `minikube start`,
/// `docker build`, a whole-application `helm install`).
enum TestScript {
    /// Searched in this order; the root comes last, so a root `e2e.sh` does not beat
    /// `scripts/integration-test.sh`.
    static let folders = ["test", "tests", "e2e", "scripts", "ci", "hack", ""]
    static let words = ["integration", "e2e", "smoke"]
    /// What a script that makes its own environment contains.
    static let setsUpItsOwn = ["kind create", "k3d ", "minikube", "docker build", "docker buildx", "helm install", "helm upgrade --install",
                               "skaffold run", "skaffold dev", "tilt up"]

    static func find(in root: URL) -> String? {
        for folder in folders {
            let url = folder.isEmpty ? root : root.appendingPathComponent(folder)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path))?.sorted() ?? []
            for name in names where name.lowercased().hasSuffix(".sh") && words.contains(where: name.lowercased().contains) {
                let text = (try? String(contentsOf: url.appendingPathComponent(name), encoding: .utf8)) ?? ""
                guard !setsUpItsOwn.contains(where: text.contains) else { continue }
                return folder.isEmpty ? name : "\(folder)/\(name)"
            }
        }
        return nil
    }
}
