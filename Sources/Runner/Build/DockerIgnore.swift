import Foundation

/// `.dockerignore` with Docker's rules: one pattern a line, `#` comments, `!` exceptions, patterns
/// cleaned like paths (a leading `/` means the context's root), `*` and `?` within one path
/// segment, `**` across any number of segments, and the last matching pattern deciding. A pattern
/// that matches a folder excludes everything in it.
struct DockerIgnore {
    struct Pattern {
        let text: String
        let exception: Bool
        let expression: Regex<AnyRegexOutput>
    }

    let patterns: [Pattern]

    init(_ text: String) throws {
        var patterns: [Pattern] = []
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            guard !rawLine.hasPrefix("#") else { continue }
            var line = String(rawLine).trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty else { continue }
            let exception = line.hasPrefix("!")
            if exception { line = String(line.dropFirst()).trimmingCharacters(in: .whitespaces) }
            let cleaned = Self.clean(line)
            guard !cleaned.isEmpty else { continue }
            patterns.append(Pattern(text: cleaned, exception: exception, expression: try Regex(Self.regex(for: cleaned))))
        }
        self.patterns = patterns
    }

    /// Keeps `paths` in: later patterns win, so these exceptions override any exclusion (the docker
    /// CLI always sends the Dockerfile and .dockerignore).
    func including(_ paths: [String]) throws -> DockerIgnore {
        var copy = patterns
        for path in paths {
            let cleaned = Self.clean(path)
            copy.append(Pattern(text: cleaned, exception: true, expression: try Regex(Self.regex(for: cleaned))))
        }
        return DockerIgnore(patterns: copy)
    }

    private init(patterns: [Pattern]) {
        self.patterns = patterns
    }

    /// Whether `path` (relative to the context, `/`-separated) is left out of the context.
    func excludes(_ path: String) -> Bool {
        let segments = path.split(separator: "/")
        let parents = (1..<max(segments.count, 1)).map { segments.prefix($0).joined(separator: "/") }
        var excluded = false
        for pattern in patterns where pattern.exception == excluded {
            if matches(pattern, path) || parents.contains(where: { matches(pattern, $0) }) {
                excluded = !pattern.exception
            }
        }
        return excluded
    }

    /// Whether a folder's walk can stop at it: it is excluded and no exception could bring back
    /// anything inside it.
    func prunes(folder path: String) -> Bool {
        excludes(path) && !patterns.contains { $0.exception && ($0.text.hasPrefix(path + "/") || $0.text.contains("*") || $0.text.contains("?") || $0.text.contains("[")) }
    }

    private func matches(_ pattern: Pattern, _ path: String) -> Bool {
        (try? pattern.expression.wholeMatch(in: path)) != nil
    }

    /// `filepath.Clean` for `/`-separated relative paths, without a leading `/`.
    static func clean(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/") {
            switch part {
            case ".": continue
            case "..": if !parts.isEmpty, parts.last != ".." { parts.removeLast() } else if !path.hasPrefix("/") { parts.append(part) }
            default: parts.append(part)
            }
        }
        return parts.joined(separator: "/")
    }

    /// The pattern as a regular expression over whole paths.
    static func regex(for pattern: String) -> String {
        var result = ""
        var characters = Array(pattern)[...]
        while let character = characters.popFirst() {
            switch character {
            case "*" where characters.first == "*":
                characters.removeFirst()
                if characters.first == "/" { characters.removeFirst() }
                // `**` at the end takes everything; elsewhere any number of whole segments.
                result += characters.isEmpty ? ".*" : "(?:.*/)?"
            case "*":
                result += "[^/]*"
            case "?":
                result += "[^/]"
            case "[":
                // A character class passes through, `!` negation spelt `^`, never matching `/`.
                var set = "["
                if characters.first == "!" || characters.first == "^" { characters.removeFirst(); set += "^/" }
                while let next = characters.popFirst(), next != "]" {
                    set += next == "\\" ? "\\\\" : String(next)
                }
                result += set + "]"
            case "\\":
                if let escaped = characters.popFirst() { result += Self.literal(escaped) }
            default:
                result += Self.literal(character)
            }
        }
        return result
    }

    private static func literal(_ character: Character) -> String {
        ".+()^$|{}[]\\*?".contains(character) ? "\\\(character)" : String(character)
    }
}
