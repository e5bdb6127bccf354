#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether output may carry ANSI colour: only on a terminal, and never with `NO_COLOR` set
/// (https://no-color.org: any non-empty value).
public struct TerminalStyle: Sendable {
    public let colour: Bool

    public init(colour: Bool) {
        self.colour = colour
    }

    public static let plain = TerminalStyle(colour: false)

    /// The style for a file descriptor, judged from the environment kind-ci runs in.
    public static func forDescriptor(_ descriptor: Int32, environment: [String: String]) -> TerminalStyle {
        let noColour = !(environment["NO_COLOR"] ?? "").isEmpty
        return TerminalStyle(colour: !noColour && isatty(descriptor) == 1)
    }

    public func error(_ text: String) -> String { wrap(text, "1;31") }
    public func warning(_ text: String) -> String { wrap(text, "1;33") }
    public func emphasis(_ text: String) -> String { wrap(text, "1") }
    public func hint(_ text: String) -> String { wrap(text, "36") }
    public func success(_ text: String) -> String { wrap(text, "32") }

    private func wrap(_ text: String, _ code: String) -> String {
        colour ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}
