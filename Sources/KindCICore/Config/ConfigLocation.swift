/// Which configuration file a command reads: the one named on the command line, else
/// `KIND_CI_CONFIG`, else `kind-ci.yml` in the working folder. An empty value names nothing, so
/// `--config ''` and `KIND_CI_CONFIG=` mean the default file, as if they were not there.
public struct ConfigLocation: Sendable, Equatable {
    public static let environmentVariable = "KIND_CI_CONFIG"

    public let path: String
    /// True when `--config` or `KIND_CI_CONFIG` named the file: then it must exist; the default
    /// file may be absent where a command works without one (`up`).
    public let named: Bool

    public init(explicit: String?, environment: [String: String]) {
        if let explicit, !explicit.isEmpty {
            (path, named) = (explicit, true)
        } else if let fromEnvironment = environment[Self.environmentVariable], !fromEnvironment.isEmpty {
            (path, named) = (fromEnvironment, true)
        } else {
            (path, named) = (ConfigLoader.defaultFileName, false)
        }
    }
}
