import Foundation

/// The two ways the stand-in changes an object: RFC 7386 merge patch (null deletes), and a
/// simplified server-side apply (the applied fields win; lists are replaced; status is kept).
enum Merge {
    static func mergePatch(_ patch: [String: Any], onto target: [String: Any]) -> [String: Any] {
        var result = target
        for (key, value) in patch {
            if value is NSNull {
                result.removeValue(forKey: key)
            } else if let child = value as? [String: Any] {
                result[key] = mergePatch(child, onto: result[key] as? [String: Any] ?? [:])
            } else {
                result[key] = value
            }
        }
        return result
    }

    static func apply(_ applied: [String: Any], onto existing: [String: Any]) -> [String: Any] {
        var cleaned = applied
        cleaned.removeValue(forKey: "status")
        return mergePatch(cleaned, onto: existing)
    }

    /// Whether the user's part of the object (everything but metadata and status) is unchanged:
    /// the generation only moves when it is not.
    static func sameSpec(_ left: [String: Any], _ right: [String: Any]) -> Bool {
        func user(_ object: [String: Any]) -> NSDictionary {
            NSDictionary(dictionary: object.filter { $0.key != "metadata" && $0.key != "status" })
        }
        return user(left).isEqual(user(right))
    }
}

/// `labelSelector`: `a=b`, `a==b`, `a!=b`, `a`, `!a`, `a in (x,y)`, `a notin (x)`, comma-joined.
struct LabelSelector: Sendable {
    enum Requirement: Sendable {
        case equals(String, String), notEquals(String, String), exists(String), absent(String)
        case within(String, Set<String>), notWithin(String, Set<String>)
    }

    let requirements: [Requirement]

    init(_ text: String) {
        var requirements: [Requirement] = []
        var depth = 0
        var current = ""
        var terms: [String] = []
        for character in text {
            if character == "(" { depth += 1 } else if character == ")" { depth -= 1 }
            if character == ",", depth == 0 { terms.append(current); current = "" } else { current.append(character) }
        }
        terms.append(current)
        for term in terms.map({ $0.trimmingCharacters(in: .whitespaces) }) where !term.isEmpty {
            if let range = term.range(of: " notin ") {
                requirements.append(.notWithin(String(term[..<range.lowerBound]), Self.set(term[range.upperBound...])))
            } else if let range = term.range(of: " in ") {
                requirements.append(.within(String(term[..<range.lowerBound]), Self.set(term[range.upperBound...])))
            } else if let range = term.range(of: "!=") {
                requirements.append(.notEquals(String(term[..<range.lowerBound]), String(term[range.upperBound...])))
            } else if let range = term.range(of: "==") ?? term.range(of: "=") {
                requirements.append(.equals(String(term[..<range.lowerBound]), String(term[range.upperBound...])))
            } else if term.hasPrefix("!") {
                requirements.append(.absent(String(term.dropFirst())))
            } else {
                requirements.append(.exists(term))
            }
        }
        self.requirements = requirements
    }

    private static func set(_ text: Substring) -> Set<String> {
        Set(text.trimmingCharacters(in: CharacterSet(charactersIn: "() ")).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
    }

    func matches(_ object: [String: Any]) -> Bool {
        let labels = (object["metadata"] as? [String: Any])?["labels"] as? [String: String] ?? [:]
        return requirements.allSatisfy { requirement in
            switch requirement {
            case let .equals(key, value): labels[key] == value
            case let .notEquals(key, value): labels[key] != value
            case let .exists(key): labels[key] != nil
            case let .absent(key): labels[key] == nil
            case let .within(key, values): labels[key].map(values.contains) ?? false
            case let .notWithin(key, values): !(labels[key].map(values.contains) ?? false)
            }
        }
    }
}

/// `fieldSelector`: `metadata.name=x`, `metadata.namespace!=y`, `status.phase=Running`, ... joined by commas.
struct FieldSelector: Sendable {
    let terms: [(path: [String], value: String, equal: Bool)]

    init(_ text: String) {
        terms = text.split(separator: ",").compactMap { term in
            let equal = !term.contains("!=")
            let parts = term.components(separatedBy: equal ? (term.contains("==") ? "==" : "=") : "!=")
            guard parts.count == 2 else { return nil }
            return (parts[0].split(separator: ".").map(String.init), parts[1], equal)
        }
    }

    func matches(_ object: [String: Any]) -> Bool {
        terms.allSatisfy { term in
            var value: Any? = object
            for key in term.path { value = (value as? [String: Any])?[key] }
            let text = value.map { "\($0)" } ?? ""
            return (text == term.value) == term.equal
        }
    }
}
