/// Which configuration file a command reads: the one named on the command line, else
/// `KIND_CI_CONFIG`, else `kind-ci.yml` in the working folder.
public enum ConfigLocation {
    public static func resolve(explicit: String?, environment: [String: String]) -> String {
        if let explicit, !explicit.isEmpty { return explicit }
        if let fromEnvironment = environment["KIND_CI_CONFIG"], !fromEnvironment.isEmpty { return fromEnvironment }
        return ConfigLoader.defaultFileName
    }
}
