import Foundation

/// A repeatable source of random numbers (SplitMix64): a failing fuzz case is found again from
/// its seed.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Hostile inputs for the YAML readers (kind-ci.yml, manifests): mutations of real files, random
/// YAML built from the keys they know, and the classic attacks: alias bombs, deep nesting, huge
/// scalars, binary, bytes that are not UTF-8.
public struct FuzzInput: Sendable {
    /// Cases per fuzzed reader and run: a few thousand in the edit loop, 50,000 in the full run
    /// (so 100,000 over the two readers); KIND_CI_FUZZ_CASES overrides.
    public static var cases: Int {
        let environment = ProcessInfo.processInfo.environment
        if let text = environment["KIND_CI_FUZZ_CASES"], let count = Int(text) { return count }
        return environment["KIND_CI_RELEASE_BINARY"] == nil ? 3_000 : 50_000
    }

    /// Real files to mutate.
    let seeds: [Data]
    /// Keys the reader knows, so that random YAML gets past the first check often.
    let keys: [String]

    public init(seeds: [Data], keys: [String]) {
        self.seeds = seeds
        self.keys = keys
    }

    public func make(_ random: inout SeededGenerator) -> Data {
        switch Int.random(in: 0..<100, using: &random) {
        case 0..<45: mutated(seeds.randomElement(using: &random)!, &random)
        case 45..<80: Data(randomYAML(&random, depth: 0).utf8)
        case 80..<85: aliasBomb(&random)
        case 85..<89: deeplyNested(&random)
        case 89..<92: hugeScalar(&random)
        case 92..<96: Data((0..<Int.random(in: 0..<512, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) })
        default: notUTF8(&random)
        }
    }

    /// A real file with a few random edits: bytes changed, spans cut, copied or swapped, the end cut off.
    func mutated(_ seed: Data, _ random: inout SeededGenerator) -> Data {
        var bytes = Array(seed)
        for _ in 0..<Int.random(in: 1...6, using: &random) {
            guard !bytes.isEmpty else { break }
            let at = Int.random(in: 0..<bytes.count, using: &random)
            let length = min(Int.random(in: 1...40, using: &random), bytes.count - at)
            switch Int.random(in: 0..<7, using: &random) {
            case 0: bytes[at] = UInt8.random(in: 0...255, using: &random)
            case 1: bytes[at] = Array(": -[]{}&*!|>'\"%@`#,?\n\t ".utf8).randomElement(using: &random)!
            case 2: bytes.removeSubrange(at..<at + length)
            case 3: bytes.insert(contentsOf: bytes[at..<at + length], at: Int.random(in: 0...bytes.count, using: &random))
            case 4: bytes.insert(contentsOf: Array(randomScalar(&random).utf8), at: at)
            case 5: bytes = Array(bytes.prefix(at))
            default:
                let other = Int.random(in: 0..<bytes.count, using: &random)
                bytes.swapAt(at, other)
            }
        }
        return Data(bytes)
    }

    func randomYAML(_ random: inout SeededGenerator, depth: Int) -> String {
        let indent = String(repeating: "  ", count: depth)
        switch depth > 5 ? 2 : Int.random(in: 0..<4, using: &random) {
        case 0:
            return (0..<Int.random(in: 1...5, using: &random)).map { _ in
                let key = Bool.random(using: &random) ? keys.randomElement(using: &random)! : randomScalar(&random)
                return "\(indent)\(key):\n" + randomYAML(&random, depth: depth + 1)
            }.joined()
        case 1:
            return (0..<Int.random(in: 1...4, using: &random)).map { _ in "\(indent)- \(randomInline(&random, depth: depth))\n" }.joined()
        case 2:
            return "\(indent)\(randomInline(&random, depth: depth))\n"
        default:
            let anchor = "a\(Int.random(in: 0..<3, using: &random))"
            return "\(indent)\(keys.randomElement(using: &random)!): &\(anchor) \(randomInline(&random, depth: depth))\n"
                + "\(indent)\(keys.randomElement(using: &random)!): *\(anchor)\n"
        }
    }

    func randomInline(_ random: inout SeededGenerator, depth: Int) -> String {
        switch depth > 6 ? 0 : Int.random(in: 0..<4, using: &random) {
        case 0, 1: return randomScalar(&random)
        case 2: return "[" + (0..<Int.random(in: 0...3, using: &random)).map { _ in randomInline(&random, depth: depth + 1) }.joined(separator: ", ") + "]"
        default:
            return "{" + (0..<Int.random(in: 0...3, using: &random)).map { _ in
                "\(keys.randomElement(using: &random)!): \(randomInline(&random, depth: depth + 1))"
            }.joined(separator: ", ") + "}"
        }
    }

    func randomScalar(_ random: inout SeededGenerator) -> String {
        let pool = ["~", "null", "yes", "no", "true", "0", "-1", "1.0", "0x1F", "1e9", "3m", "90s", "''", "\"\"", "\"a\\u0000b\"",
                    "'it''s'", "a: b", "- x", "example-app:ci", "latest", "../..", "/etc/passwd", "*alias", "&anchor", "!!binary aGk=",
                    "!custom x", "|\n  block", ">\n  folded", "💥", "\u{202E}rtl", "k8s/", "Dockerfile", "[", "{", "]", "}", "#", "\t"]
        switch Int.random(in: 0..<3, using: &random) {
        case 0: return pool.randomElement(using: &random)!
        case 1: return String(Int.random(in: Int.min...Int.max, using: &random))
        default:
            let letters = Array("abcxyz09-_./: '\"\\")
            return String((0..<Int.random(in: 1...20, using: &random)).map { _ in letters.randomElement(using: &random)! })
        }
    }

    /// Each level's anchor stands for ten of the level below ("billion laughs").
    func aliasBomb(_ random: inout SeededGenerator) -> Data {
        let levels = Int.random(in: 3...9, using: &random)
        var text = "a0: &a0 [\"lol\"]\n"
        for level in 1...levels {
            text += "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ",") + "]\n"
        }
        text += "\(keys.randomElement(using: &random)!): *a\(levels)\n"
        return Data(text.utf8)
    }

    /// Flow brackets, or block mappings, nested up to a hundred thousand deep.
    func deeplyNested(_ random: inout SeededGenerator) -> Data {
        let depth = [50, 500, 5_000, 50_000, 100_000].randomElement(using: &random)!
        if Bool.random(using: &random) {
            return Data((String(repeating: "[", count: depth) + String(repeating: "]", count: depth)).utf8)
        }
        let levels = min(depth, 1_400)
        return Data((0..<levels).map { String(repeating: " ", count: $0) + "k\($0):\n" }.joined().utf8)
    }

    func hugeScalar(_ random: inout SeededGenerator) -> Data {
        let size = [10_000, 500_000, 1_100_000].randomElement(using: &random)!
        return Data("\(keys.randomElement(using: &random)!): \(String(repeating: "x", count: size))\n".utf8)
    }

    func notUTF8(_ random: inout SeededGenerator) -> Data {
        var bytes = Array((seeds.randomElement(using: &random) ?? Data("test: {run: x}\n".utf8)))
        let invalid: [[UInt8]] = [[0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xE2, 0x82]]
        bytes.insert(contentsOf: invalid.randomElement(using: &random)!, at: Int.random(in: 0...bytes.count, using: &random))
        return Data(bytes)
    }
}
