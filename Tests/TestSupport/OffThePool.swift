import Foundation

/// Runs `work` on a thread of its own and waits for it without holding a thread: Swift's
/// concurrency has as many threads as cores (two here), and a test that blocks one for minutes (a
/// long loop, a child process waited for) would hold up every other test's tasks, such as one
/// that must signal a child at the right moment.
public func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}
