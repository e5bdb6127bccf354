public enum KindCIVersion {
    /// Also the tag of the default runner image that generated pipelines pin.
    public static let current = "0.1.0"
}
