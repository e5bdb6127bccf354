import Foundation

/// Paths inside this repository, for tests that compare against committed files.
public enum Repository {
    /// The package's root folder, found from this source file's location.
    public static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Whether tests should rewrite their golden files instead of comparing (`KIND_CI_RECORD=1`).
    public static var recording: Bool { ProcessInfo.processInfo.environment["KIND_CI_RECORD"] == "1" }
}
