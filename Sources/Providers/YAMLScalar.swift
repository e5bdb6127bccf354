/// Turns any string into one YAML scalar token that every YAML reader (YAML 1.1 ones such as
/// GitLab's Ruby and Codeship's Go parsers included) reads back as exactly that string.
///
/// The result is always a single line, so it is safe as a value, as a mapping key, inside a flow
/// collection and even inside a comment: no value can add lines, keys or documents to a pipeline.
enum YAMLScalar {
    static func escape(_ value: String) -> String {
        isSafePlain(value) ? value : doubleQuoted(value)
    }

    /// Plain (unquoted) only when nothing about it can be misread: it starts with a letter, `/`,
    /// `./` or `../` (so it is no number, date, `.inf`, `~`, alias, tag or indicator), holds only characters with
    /// no YAML meaning, has no `: `, does not end in `:`, and is not one of YAML 1.1's booleans or nulls.
    private static func isSafePlain(_ value: String) -> Bool {
        let startsWell = value.unicodeScalars.first.map { ($0.properties.isAlphabetic && $0.isASCII) || $0 == "/" } ?? false
            || value.hasPrefix("./") || value.hasPrefix("../")
        guard startsWell, let last = value.unicodeScalars.last, last != " ", last != ":" else { return false }
        let allowed = value.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "-_./=+@ :".unicodeScalars.contains(scalar))
        }
        guard allowed, !value.contains(": "), !value.contains("  ") else { return false }
        return !ambiguousWords.contains(value.lowercased())
    }

    /// Words YAML 1.1 or 1.2 resolve to booleans or null when unquoted.
    private static let ambiguousWords: Set<String> = ["y", "n", "yes", "no", "true", "false", "on", "off", "null"]

    private static func doubleQuoted(_ value: String) -> String {
        var result = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": result += "\\\\"
            case "\"": result += "\\\""
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            case "\u{00}"..."\u{1F}", "\u{7F}"..."\u{9F}", "\u{2028}", "\u{2029}", "\u{FEFF}":
                // Control characters, line and paragraph separators and the BOM are not printable
                // in YAML: spell them as escapes.
                result += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                    + String(scalar.value, radix: 16).uppercased()
            default:
                result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
