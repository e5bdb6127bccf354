import Foundation

/// A Kubernetes object, or any part of one, as a value that can cross tasks: the API speaks JSON,
/// and kind-ci reads only a few fields of what it gets back.
enum JSON: Sendable, Equatable, Codable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSON])
    case object([String: JSON])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSON].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSON].self))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case let .bool(value): try container.encode(value)
        case let .int(value): try container.encode(value)
        case let .double(value): try container.encode(value)
        case let .string(value): try container.encode(value)
        case let .array(value): try container.encode(value)
        case let .object(value): try container.encode(value)
        }
    }

    static func decode(_ bytes: some Sequence<UInt8>) throws -> JSON {
        try JSONDecoder().decode(JSON.self, from: Data(bytes))
    }

    var data: Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding a tree of plain values cannot fail.
        return (try? encoder.encode(self)) ?? Data("null".utf8)
    }

    subscript(key: String) -> JSON? {
        get {
            guard case let .object(fields) = self else { return nil }
            return fields[key]
        }
        set {
            guard case var .object(fields) = self else { return }
            fields[key] = newValue
            self = .object(fields)
        }
    }

    /// The value at a path of keys, as `object[path: "status", "conditions"]`.
    subscript(path keys: String...) -> JSON? {
        keys.reduce(Optional(self)) { $0?[$1] }
    }

    var string: String? {
        if case let .string(value) = self { return value }
        return nil
    }

    var int: Int? {
        switch self {
        case let .int(value): value
        case let .double(value) where value == value.rounded(): Int(exactly: value)
        default: nil
        }
    }

    var array: [JSON]? {
        if case let .array(value) = self { return value }
        return nil
    }

    var object: [String: JSON]? {
        if case let .object(value) = self { return value }
        return nil
    }
}

/// The fields every Kubernetes object has, read the same way everywhere.
extension JSON {
    var apiVersion: String { self["apiVersion"]?.string ?? "" }
    var kind: String { self["kind"]?.string ?? "" }
    var name: String { self[path: "metadata", "name"]?.string ?? "" }
    var namespace: String? { self[path: "metadata", "namespace"]?.string }
    var resourceVersion: String? { self[path: "metadata", "resourceVersion"]?.string }

    /// The condition of `type` in `status.conditions`.
    func condition(_ type: String) -> JSON? {
        self[path: "status", "conditions"]?.array?.first { $0["type"]?.string == type }
    }

    /// True when the condition of `type` has status "True".
    func conditionHolds(_ type: String) -> Bool {
        condition(type)?["status"]?.string == "True"
    }
}

/// Literals, so objects can be written as they read: `["kind": "Namespace", "metadata": ["name": "app"]]`.
extension JSON: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    init(stringLiteral value: String) { self = .string(value) }
    init(integerLiteral value: Int) { self = .int(value) }
    init(booleanLiteral value: Bool) { self = .bool(value) }
    init(arrayLiteral elements: JSON...) { self = .array(elements) }
    init(dictionaryLiteral elements: (String, JSON)...) { self = .object(Dictionary(elements) { $1 }) }
}
