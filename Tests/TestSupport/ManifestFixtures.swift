/// Kubernetes objects as the tests' fixture repositories write them.
public enum ManifestFixtures {
    /// A Deployment of one replica named `name` whose pods run `containers`, each a flow mapping
    /// (`{name: web, image: "web:1.0"}`), one a line.
    public static func deployment(_ name: String, containers: [String], initContainers: [String] = []) -> String {
        let initLines = initContainers.isEmpty ? "" : "      initContainers:\n" + initContainers.map { "      - \($0)\n" }.joined()
        return """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: \(name)}
            spec:
              selector: {matchLabels: {app: \(name)}}
              template:
                metadata: {labels: {app: \(name)}}
                spec:
            \(initLines)      containers:
            \(containers.map { "      - \($0)\n" }.joined())
            """
    }
}
