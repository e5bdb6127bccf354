import Foundation

/// What the reliability suites did, for the README's table (scripts/reliability-table renders it):
/// one JSON line per event appended to `$KIND_CI_LEDGER` when scripts/test sets it. A fault is
/// `injected` when its test starts and gets its outcome when the test has checked it, so a test
/// that hangs or crashes leaves an injection without an outcome.
public enum Ledger {
    public enum Category: String, Sendable {
        case fault
        case fuzz
        case secret
    }

    public static func record(_ category: Category, _ name: String, _ event: String, count: Int = 1) {
        guard let path = ProcessInfo.processInfo.environment["KIND_CI_LEDGER"], !path.isEmpty else { return }
        let object: [String: Any] = ["category": category.rawValue, "name": name, "event": event, "count": count]
        guard var line = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return }
        line.append(UInt8(ascii: "\n"))
        // O_APPEND: lines from tests running at once never interleave.
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        _ = line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    }
}
