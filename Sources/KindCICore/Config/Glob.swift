#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Shell-style patterns (`k8s/*.yaml`) expanded by the C library, the same rules `sh` applies.
public enum Glob {
    public static func isPattern(_ path: String) -> Bool {
        path.contains { "*?[".contains($0) }
    }

    /// The paths matching `pattern`, sorted; empty when none does.
    public static func matches(_ pattern: String) -> [String] {
        var result = glob_t()
        defer { globfree(&result) }
        guard glob(pattern, 0, nil, &result) == 0 else { return [] }
        return (0..<Int(result.gl_pathc)).compactMap { index in
            result.gl_pathv[index].map { String(cString: $0) }
        }
    }
}
