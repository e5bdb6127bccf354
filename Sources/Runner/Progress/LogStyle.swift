#if canImport(Glibc)
import Glibc
#endif

/// How progress is shown: a live line on a terminal, otherwise one line per change, with the CI
/// host's own collapsible sections where it has them.
public enum LogStyle: Sendable, Equatable {
    case terminal(colour: Bool)
    case plain
    case gitLab
    case gitHub

    public static func detect(environment: [String: String], descriptor: Int32 = STDERR_FILENO) -> LogStyle {
        if environment["GITLAB_CI"] == "true" { return .gitLab }
        if environment["GITHUB_ACTIONS"] == "true" { return .gitHub }
        if isatty(descriptor) == 1 { return .terminal(colour: (environment["NO_COLOR"] ?? "").isEmpty) }
        return .plain
    }
}
