/// A length of time as `kind-ci.yml` writes it: hours, minutes and seconds in that order, each
/// optional but at least one present (`90s`, `3m`, `1h30m`), like Go's durations that GitLab and
/// kubectl users already type.
public struct ConfigDuration: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let seconds: Int

    public init(seconds: Int) {
        self.seconds = seconds
    }

    public static func minutes(_ minutes: Int) -> ConfigDuration { ConfigDuration(seconds: minutes * 60) }

    public var duration: Duration { .seconds(seconds) }

    /// Parses `1h30m`, `90s`, `3m`; nil for anything else (no bare numbers: a unit is required).
    public init?(parsing text: String) {
        var total = 0
        var digits = ""
        var lastUnitRank = -1
        let units: [Character: (rank: Int, seconds: Int)] = ["h": (0, 3600), "m": (1, 60), "s": (2, 1)]
        for character in text {
            if character.isASCII, character.isNumber {
                digits.append(character)
            } else if let unit = units[character], !digits.isEmpty, unit.rank > lastUnitRank,
                      let value = Int(digits), value <= 1_000_000 {
                total += value * unit.seconds
                lastUnitRank = unit.rank
                digits = ""
            } else {
                return nil
            }
        }
        guard digits.isEmpty, lastUnitRank >= 0 else { return nil }
        seconds = total
    }

    /// The shortest canonical spelling: `1h30m`, `90s` becomes `1m30s`, zero is `0s`.
    public var description: String {
        let parts = [(seconds / 3600, "h"), (seconds % 3600 / 60, "m"), (seconds % 60, "s")]
            .filter { $0.0 > 0 }
            .map { "\($0.0)\($0.1)" }
        return parts.isEmpty ? "0s" : parts.joined()
    }

    public static func < (lhs: ConfigDuration, rhs: ConfigDuration) -> Bool { lhs.seconds < rhs.seconds }
}
