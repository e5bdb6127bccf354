import Yams

/// Objects as YAML text for people to read (`kind-ci render`): keys sorted as `kubectl get -o
/// yaml` sorts them, every string quoted where YAML would read it as something else, and comments
/// that cannot break out of their line whatever file name or command they quote.
enum ManifestYAML {
    /// One document's text, without the `---` before it.
    static func document(_ object: JSON) throws -> String {
        let text = try Yams.serialize(node: node(object), width: -1, allowUnicode: true, sortKeys: true)
        return text.hasSuffix("\n") ? String(text.dropLast()) : text
    }

    /// `# text`, one line: line breaks (YAML's included: NEL, LS, PS) and other control characters
    /// written as escapes.
    static func comment(_ text: String) -> String {
        var line = "# "
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": line += "\\n"
            case "\r": line += "\\r"
            case "\t": line += "\\t"
            case _ where scalar.properties.generalCategory == .control || ["\u{85}", "\u{2028}", "\u{2029}"].contains(scalar):
                line += "\\u{\(String(scalar.value, radix: 16))}"
            default: line.unicodeScalars.append(scalar)
            }
        }
        return line
    }

    /// A Secret's values, which `render`'s output (reviewed in merge requests, kept in logs) must
    /// not show: each becomes this, keys kept.
    static let masked = "(masked by kind-ci)"

    /// `object` with a Secret's `data` and `stringData` values masked; anything else unchanged.
    static func masking(_ object: JSON) -> JSON {
        guard object.kind == "Secret" else { return object }
        var copy = object
        for field in ["data", "stringData"] {
            guard let values = copy[field]?.object else { continue }
            copy[field] = .object(values.mapValues { _ in .string(masked) })
        }
        return copy
    }

    private static func node(_ value: JSON) throws -> Node {
        switch value {
        case .null: return Node("null", Tag(.null))
        case let .bool(flag): return .scalar(flag.represented())
        case let .int(number): return .scalar(number.represented())
        case let .double(number): return .scalar(number.represented())
        case let .string(text): return .scalar(text.represented())
        case let .array(items): return Node(try items.map(node))
        case let .object(fields): return Node(try fields.map { (Node.scalar($0.key.represented()), try node($0.value)) })
        }
    }
}
