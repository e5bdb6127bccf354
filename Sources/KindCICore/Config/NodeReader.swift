import Yams

/// Reads composed YAML nodes into values and records every mismatch as a located diagnostic, so
/// that decoding goes on past the first problem and the user sees them all at once.
final class NodeReader {
    private(set) var diagnostics: [ConfigDiagnostic] = []

    /// Records a problem at `node` (or at the start of the file when the node has no position).
    func report(_ node: Node?, length: Int? = nil, _ subject: String, _ message: String, fix: String?) {
        let mark = node?.mark
        diagnostics.append(ConfigDiagnostic(
            line: mark?.line ?? 1, column: mark?.column ?? 1,
            length: length ?? node.map(Self.underlineLength) ?? 1,
            subject: subject, message: message, fix: fix))
    }

    /// A mapping's entries by key (merge keys expanded), after reporting non-string and unknown
    /// keys (with the closest known key as a suggestion). Nil, with a report, when `node` is not a
    /// mapping. `extensions`: keys starting with `x-` are the file's own (anchors for merge keys,
    /// as in Compose) and are left alone.
    func mapping(_ node: Node, _ subject: String, keys allowed: [String], example: String, extensions: Bool = false) -> Fields? {
        guard let mapping = node.mapping else {
            report(node, subject, "expected a mapping, found \(Self.describe(node))", fix: "write it as \(example)")
            return nil
        }
        var entries: [String: (key: Node, value: Node)] = [:]
        var complete = true
        for (key, value) in MergeKeys.entries(of: mapping) {
            if extensions, key.scalar?.string.hasPrefix("x-") == true { continue }
            guard let name = key.scalar?.string, key.null == nil else {
                report(key, subject, "expected a key name, found \(Self.describe(key))",
                       fix: "keys here are plain words: \(allowed.joined(separator: ", "))")
                complete = false
                continue
            }
            guard allowed.contains(name) else {
                let known = "Allowed here: \(allowed.joined(separator: ", "))."
                let fix = Suggestion.closest(to: name, among: allowed).map { "did you mean '\($0)'? \(known)" }
                    ?? "remove it. \(known)"
                report(key, subject, "unknown key '\(name)'", fix: fix)
                complete = false
                continue
            }
            entries[name] = (key, value)
        }
        return Fields(node: node, entries: entries, complete: complete)
    }

    func sequence(_ node: Node, _ subject: String, example: String) -> [Node]? {
        guard let sequence = node.sequence else {
            report(node, subject, "expected a list, found \(Self.describe(node))",
                   fix: "write each item on its own line starting with '- ', e.g. \(example)")
            return nil
        }
        return Array(sequence)
    }

    /// The text of a scalar. YAML numbers and booleans count too, spelt as written (`1.0` stays
    /// `1.0`), since every value kind-ci reads as text is text to the program that gets it.
    func string(_ node: Node, _ subject: String, example: String) -> String? {
        guard let scalar = node.scalar, node.null == nil else {
            report(node, subject, "expected a string, found \(Self.describe(node))", fix: "write it as \(example)")
            return nil
        }
        guard !scalar.string.isEmpty else {
            report(node, subject, "expected a string, found an empty one", fix: "write it as \(example)")
            return nil
        }
        return scalar.string
    }

    /// One string or a list of them, for keys that take either (`manifests: k8s/`).
    func strings(_ node: Node, _ subject: String, example: String) -> [String]? {
        guard let items = node.sequence else {
            return string(node, subject, example: example).map { [$0] }
        }
        guard !items.isEmpty else {
            report(node, subject, "expected at least one entry, found an empty list", fix: "write it as \(example)")
            return nil
        }
        let values = items.enumerated().map { index, item in string(item, "\(subject)[\(index)]", example: example) }
        return values.contains(nil) ? nil : values.compactMap { $0 }
    }

    /// A mapping of names to strings, in the file's order.
    func stringPairs(_ node: Node, _ subject: String, example: String) -> [(key: String, value: String)]? {
        guard let mapping = node.mapping else {
            report(node, subject, "expected a mapping of names to values, found \(Self.describe(node))",
                   fix: "write it as \(example)")
            return nil
        }
        var pairs: [(key: String, value: String)] = []
        var complete = true
        for (key, value) in MergeKeys.entries(of: mapping) {
            guard let name = key.scalar?.string, key.null == nil, !name.isEmpty else {
                report(key, subject, "expected a name, found \(Self.describe(key))", fix: "write it as \(example)")
                complete = false
                continue
            }
            guard let text = string(value, "\(subject).\(name)", example: example) else {
                complete = false
                continue
            }
            pairs.append((name, text))
        }
        return complete ? pairs : nil
    }

    /// `true` or `false` (YAML 1.1's `yes`/`no` too, which Yams reads as booleans).
    func bool(_ node: Node, _ subject: String, example: String) -> Bool? {
        guard let value = node.bool, node.scalar?.style == .plain else {
            report(node, subject, "expected true or false, found \(Self.describe(node))", fix: "write it as \(example)")
            return nil
        }
        return value
    }

    func duration(_ node: Node, _ subject: String) -> ConfigDuration? {
        let example = "'90s', '3m' or '1h30m'"
        guard let text = string(node, subject, example: example) else { return nil }
        guard let duration = ConfigDuration(parsing: text) else {
            let fix = Int(text) != nil ? "add a unit: '\(text)s' or '\(text)m'" : "write it as \(example)"
            report(node, subject, "expected a duration such as \(example), found '\(text)'", fix: fix)
            return nil
        }
        guard duration.seconds > 0 else {
            report(node, subject, "a duration of zero leaves no time at all", fix: "give it at least '1s'")
            return nil
        }
        return duration
    }

    func port(_ node: Node, _ subject: String, example: String) -> Int? {
        guard let port = node.int, (1...65535).contains(port) else {
            report(node, subject, "expected a port number from 1 to 65535, found \(Self.describe(node))",
                   fix: "write a number, e.g. \(example)")
            return nil
        }
        return port
    }

    /// How a node reads in a message: `a mapping`, `'abc'`, `nothing (null)`.
    static func describe(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case let .scalar(scalar):
            if node.null != nil { return "nothing (null)" }
            let text = scalar.string.count > 40 ? scalar.string.prefix(40) + "…" : Substring(scalar.string)
            return "'\(text.replacing("\n", with: "\\n"))'"
        }
    }

    /// Plain scalars are underlined whole; anything else gets a caret at its start.
    private static func underlineLength(_ node: Node) -> Int {
        guard let scalar = node.scalar, scalar.style == .plain, !scalar.string.contains("\n") else { return 1 }
        return scalar.string.unicodeScalars.count
    }
}

/// The recognised entries of one mapping.
struct Fields {
    let node: Node
    let entries: [String: (key: Node, value: Node)]
    /// False when some key was not understood: checks that depend on a key being absent (a default
    /// path, say) would then only echo the typo.
    let complete: Bool

    subscript(key: String) -> Node? { entries[key]?.value }
}
