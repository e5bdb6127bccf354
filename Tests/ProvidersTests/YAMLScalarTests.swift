import Testing
import Yams
@testable import Providers

/// Any string, escaped, reads back as itself wherever a template puts it.
@Suite struct YAMLScalarTests {
    /// Pieces that are hard for YAML: indicators, quotes, comment and mapping markers, YAML 1.1
    /// booleans and nulls, numbers, control characters, line separators, non-ASCII.
    static let hostilePieces = [
        "a", "Z", "9", " ", "  ", ":", ": ", " #", "#", "\"", "'", "\\", "\n", "\r\n", "\t", "*", "&", "!", "%",
        "@", "`", "|", ">", "-", "- ", "?", ",", "[", "]", "{", "}", "~", "yes", "No", "on", "OFF", "null",
        "true", "1.0", "0x1F", "1e3", "12:30", ".inf", "<<", "---", "...", "ü", "日本", "🚀", "\u{0}", "\u{7}",
        "\u{1B}", "\u{85}", "\u{2028}", "\u{FEFF}", "/", "./", "$CI_X", "${X}", "=",
    ]

    static func randomStrings(count: Int, seed: UInt64) -> [String] {
        var generator = SplitMix64(seed: seed)
        return (0..<count).map { _ in
            let length = Int.random(in: 0...6, using: &generator)
            return (0..<length).map { _ in hostilePieces.randomElement(using: &generator)! }.joined()
        }
    }

    @Test func everyValueReadsBackAsItself() throws {
        // Yams decodes scalars through Foundation, which drops a leading byte-order mark; YAML itself
        // (and GitLab's and Codeship's parsers) keep it, so such values are left out here.
        let values = (Self.randomStrings(count: 3000, seed: 0x6b696e64) + Self.hostilePieces)
            .filter { !$0.hasPrefix("\u{FEFF}") }
        for value in values {
            let escaped = YAMLScalar.escape(value)
            #expect(!escaped.contains("\n"), "escaped \(value.debugDescription) spans lines")
            let document = """
                # comment with \(escaped) in it
                key: \(escaped)
                \(escaped): 1
                flow: [\(escaped), x]
                """
            let node = try #require(try Yams.compose(yaml: document), "\(value.debugDescription) → \(escaped)")
            let mapping = try #require(node.mapping)
            #expect(mapping.count == 3, "\(value.debugDescription) → \(escaped) changed the document's shape")
            #expect(mapping["key"]?.string == value, "\(value.debugDescription) → \(escaped)")
            #expect(mapping["flow"]?.sequence?.first?.string == value)
            #expect(mapping.keys.contains { $0.string == value }, "\(value.debugDescription) → \(escaped) as a key")
        }
    }

    @Test(arguments: ["yes", "No", "ON", "off", "y", "n", "true", "null", "~", "", "1.0", "0123", "12:30", "-1",
                      ".inf", "*alias", "&anchor", "!tag", "%directive", "@at", "`tick", "a: b", "a #b", "x:"])
    func quotesWhatAYAML11ReaderWouldMisread(value: String) {
        #expect(YAMLScalar.escape(value).hasPrefix("\""))
    }

    @Test(arguments: ["bsycorp/kind:latest-1.23", "kind-ci run --up", "./scripts/test.sh", "kubernetes-tests",
                      "registry.example.com:5000/team/app:1.2", "/workspace"])
    func leavesOrdinaryValuesPlain(value: String) {
        #expect(YAMLScalar.escape(value) == value)
    }
}

/// A small seeded generator, so a failing case can be reproduced.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
