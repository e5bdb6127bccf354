import Foundation
import Yams

/// Reads `kind-ci.yml` from disk: bounded in size and in YAML nodes, UTF-8 only, every problem
/// located. The only way a `Configuration` comes into being outside tests.
public enum ConfigLoader {
    public static let defaultFileName = "kind-ci.yml"
    /// A real file is a few KiB; anything near this is not a kind-ci configuration.
    public static let maximumFileSize = 1 << 20
    /// A real file has a few hundred nodes. Aliases let a small file stand for billions of them
    /// (the "billion laughs"), so the walk stops here instead of exhausting memory.
    public static let nodeBudget = 50_000

    /// Loads and checks the file at `path`, naming it `path` in messages.
    public static func load(path: String) throws -> Configuration {
        let url = URL(fileURLWithPath: path)
        let data: Data
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            if let size = attributes[.size] as? Int, size > maximumFileSize {
                throw problems(path, "", ConfigDiagnostic(
                    line: 0, column: 0, subject: "",
                    message: "the file is \(size) bytes; a kind-ci configuration is limited to \(maximumFileSize)",
                    fix: "check that this is the right file"))
            }
            data = try Data(contentsOf: url)
        } catch let error as ConfigProblems {
            throw error
        } catch {
            throw ConfigFileUnreadable(path: path, error: error)
        }
        return try decode(data, path: path, directory: url.deletingLastPathComponent())
    }

    /// Decodes `data` as the file at `path` whose relative paths start in `directory`.
    public static func decode(_ data: Data, path: String, directory: URL) throws -> Configuration {
        guard let text = String(validating: data, as: UTF8.self).map(withoutByteOrderMark) else {
            let (line, column, byte) = firstInvalidUTF8(in: data)
            throw problems(path, String(decoding: data, as: UTF8.self), ConfigDiagnostic(
                line: line, column: column, subject: "",
                message: String(format: "the file is not UTF-8: byte 0x%02X cannot start or continue a character here", byte),
                fix: "save the file as UTF-8"))
        }
        let root: Node
        do {
            guard let composed = try Yams.compose(yaml: text) else {
                throw problems(path, text, ConfigDiagnostic(
                    line: 0, column: 0, subject: "", message: "the file is empty",
                    fix: "run 'kind-ci init <host>' to scaffold one, or write at least 'test: {run: ./test.sh}'"))
            }
            root = composed
        } catch let error as YamlError {
            throw problems(path, text, diagnostic(for: error, in: text))
        }
        if let overflow = firstNodeBeyondBudget(in: root) {
            throw problems(path, text, ConfigDiagnostic(
                line: overflow.mark?.line ?? 0, column: overflow.mark?.column ?? 0, subject: "",
                message: "the file expands to more than \(nodeBudget) YAML nodes through its aliases",
                fix: "a kind-ci configuration needs a few hundred; write the values out instead of nesting aliases (*name) of anchors (&name)"))
        }
        var decoder = ConfigDecoder(directory: directory, fileName: (path as NSString).lastPathComponent)
        var configuration = decoder.decode(root)
        configuration.file = path
        guard decoder.reader.diagnostics.isEmpty else {
            throw problems(path, text, decoder.reader.diagnostics)
        }
        return configuration
    }

    private static func problems(_ path: String, _ source: String, _ diagnostics: ConfigDiagnostic...) -> ConfigProblems {
        problems(path, source, diagnostics)
    }

    private static func problems(_ path: String, _ source: String, _ diagnostics: [ConfigDiagnostic]) -> ConfigProblems {
        let ordered = diagnostics.sorted { ($0.line, $0.column) < ($1.line, $1.column) }
        return ConfigProblems(file: path, source: source, diagnostics: ordered)
    }

    /// `text` without the byte-order mark editors on Windows start files with, which libyaml
    /// takes for content past the first line (kubectl and Compose read past it).
    public static func withoutByteOrderMark(_ text: String) -> String {
        text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
    }

    /// Where and why libyaml refused `text`, as a diagnostic (shared with manifest files).
    public static func diagnostic(for error: YamlError, in text: String) -> ConfigDiagnostic {
        let syntaxFix = "check the indentation and quoting here; a value containing ': ' or ' #' needs quotes"
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            let during = context.map { " (\($0.text), from \($0.mark.line):\($0.mark.column))" } ?? ""
            return ConfigDiagnostic(line: mark.line, column: mark.column, subject: "",
                                    message: "not valid YAML: \(problem)\(during)", fix: syntaxFix)
        case let .duplicatedKeysInMapping(duplicates, context):
            let key = duplicates.first ?? ""
            let first = context.mark
            let again = repeatedKey(key, after: first, in: text)
            return ConfigDiagnostic(line: again?.line ?? first.line, column: again?.column ?? first.column,
                                    length: key.unicodeScalars.count, subject: "",
                                    message: "'\(key)' appears again in the same mapping (first at line \(first.line))",
                                    fix: "keep one of them; YAML does not allow a key twice")
        case let .reader(problem, offset, _, _):
            let (line, column) = offset.map { location(ofByte: $0, in: Array(text.utf8)) } ?? (0, 0)
            return ConfigDiagnostic(line: line, column: column, subject: "",
                                    message: "not valid YAML: \(problem)",
                                    fix: "remove the control character; YAML allows tabs and newlines only")
        default:
            return ConfigDiagnostic(line: 0, column: 0, subject: "", message: "not valid YAML: \(error)", fix: syntaxFix)
        }
    }

    /// Counts nodes depth-first, aliases expanded. Past the budget it returns the top-level key
    /// whose value went over (the place to look), or the root when that is not a mapping.
    private static func firstNodeBeyondBudget(in root: Node) -> Node? {
        var remaining = nodeBudget
        func exceeds(_ node: Node) -> Bool {
            remaining -= 1
            if remaining < 0 { return true }
            switch node {
            case let .mapping(mapping):
                return mapping.contains { exceeds($0.key) || exceeds($0.value) }
            case let .sequence(sequence):
                return sequence.contains(where: exceeds)
            case .scalar, .alias:
                return false
            }
        }
        guard let mapping = root.mapping else { return exceeds(root) ? root : nil }
        return mapping.first { exceeds($0.key) || exceeds($0.value) }?.key
    }

    /// Where a block mapping's key occurs again below its first occurrence: the next line that has
    /// it at the same column. Yams reports only the first, but the second is usually the mistake.
    private static func repeatedKey(_ key: String, after first: Mark, in text: String) -> (line: Int, column: Int)? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for index in first.line..<lines.count {
            let scalars = lines[index].unicodeScalars
            guard scalars.count >= first.column else { continue }
            let indentation = scalars.prefix(first.column - 1)
            let rest = String(String.UnicodeScalarView(scalars.dropFirst(first.column - 1)))
            let startsWithKey = rest.hasPrefix(key) && rest.dropFirst(key.count).drop { $0 == " " }.first == ":"
            // The key must sit at the same depth: only spaces before it, or the `- ` of a list item.
            if startsWithKey, indentation.allSatisfy({ $0 == " " || $0 == "-" }) {
                return (index + 1, first.column)
            }
        }
        return nil
    }

    /// Where the first byte that is not UTF-8 is (shared with manifest files).
    public static func firstInvalidUTF8(in data: Data) -> (line: Int, column: Int, byte: UInt8) {
        let bytes = Array(data)
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case let .valid(encoded):
                offset += encoded.count
            case .error:
                let (line, column) = location(ofByte: offset, in: bytes)
                return (line, column, bytes[offset])
            case .emptyInput:
                return (0, 0, 0)
            }
        }
    }

    /// The 1-based line and column (in Unicode scalars) of a byte offset into UTF-8 text.
    private static func location(ofByte offset: Int, in bytes: [UInt8]) -> (line: Int, column: Int) {
        let before = bytes.prefix(offset)
        let lineStart = before.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
        let line = before.count { $0 == UInt8(ascii: "\n") } + 1
        let column = String(decoding: bytes[lineStart..<offset], as: UTF8.self).unicodeScalars.count + 1
        return (line, column)
    }
}

/// The configuration file could not be read at all (missing, a folder, no permission).
public struct ConfigFileUnreadable: UserFacingError {
    public enum Reason: Sendable, Equatable {
        case missing
        case folder
        case unreadable(String)
    }

    public let path: String
    public let reason: Reason

    init(path: String, error: any Error) {
        self.path = path
        var isFolder: ObjCBool = false
        if !FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) {
            reason = .missing
        } else if isFolder.boolValue {
            reason = .folder
        } else {
            let error = error as NSError
            reason = .unreadable(error.localizedFailureReason ?? error.localizedDescription)
        }
    }

    public var problem: Problem {
        let (problem, fix) = switch reason {
        case .missing:
            ("no such file", "run 'kind-ci init <host>' to write one, or point --config (or KIND_CI_CONFIG) at yours")
        case .folder:
            ("is a folder, not a file", "name the file inside it, e.g. '\(path)/\(ConfigLoader.defaultFileName)'")
        case let .unreadable(cause):
            ("cannot be read: \(cause)", "check the file's permissions")
        }
        return Problem(problem, fix: fix, status: .badConfiguration, origin: .location(path))
    }
}
