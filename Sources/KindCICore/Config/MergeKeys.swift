import Yams

/// YAML's merge key (`<<: *base`, or `<<: [*a, *b]`), which libyaml leaves to the reader: the
/// merged mappings' entries come first, and the mapping's own keys override them, as in PyYAML,
/// go-yaml (kubectl's reader) and Compose.
public enum MergeKeys {
    /// `mapping`'s entries with every merge key expanded, in the mapping's order.
    public static func entries(of mapping: Node.Mapping) -> [(key: Node, value: Node)] {
        var own: [(key: Node, value: Node)] = []
        var merged: [(key: Node, value: Node)] = []
        for (key, value) in mapping {
            guard isMergeKey(key) else {
                own.append((key, value))
                continue
            }
            let sources = value.sequence.map(Array.init) ?? [value]
            for source in sources {
                guard let inner = source.mapping else { continue }
                for entry in entries(of: inner) where !merged.contains(where: { $0.key == entry.key }) {
                    merged.append(entry)
                }
            }
        }
        return merged.filter { entry in !own.contains { $0.key == entry.key } } + own
    }

    /// `<<` as a plain scalar; a quoted `"<<"` is an ordinary key.
    public static func isMergeKey(_ key: Node) -> Bool {
        guard let scalar = key.scalar, scalar.string == "<<" else { return false }
        return scalar.style == .plain || scalar.style == .any
    }
}
