/// The order a `manifests:` step's objects are applied in, which `render` shows too: Namespaces
/// (the step's own `namespace:` created when no manifest does: CI owns this cluster), then
/// CustomResourceDefinitions (so that their kinds exist), then everything else in file order.
struct ApplyOrder: Sendable {
    let namespaces: [Manifest]
    let definitions: [Manifest]
    let rest: [Manifest]

    init(_ manifests: [Manifest], namespace: String?) {
        var namespaces = manifests.filter { $0.object.kind == "Namespace" }
        if let namespace, !namespaces.contains(where: { $0.object.name == namespace }) {
            namespaces.append(Manifest(object: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(namespace)]],
                                       source: "the step's namespace:, created by kind-ci"))
        }
        self.namespaces = namespaces
        definitions = manifests.filter { $0.object.kind == "CustomResourceDefinition" }
        rest = manifests.filter { !["Namespace", "CustomResourceDefinition"].contains($0.object.kind) }
    }

    var all: [Manifest] { namespaces + definitions + rest }
}
