import Dispatch
import Foundation
import KindCICore
import Synchronization

/// Runs a body that SIGINT and SIGTERM cancel, so that it can stop its work and clean up (remove
/// the kind it started, write what it has) before kind-ci exits 130 or 143. A second signal exits
/// at once.
public enum SignalTrap {
    public static func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let received = Mutex<Int32?>(nil)
        let task = Task { try await body() }
        let sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                let first = received.withLock { current in
                    defer { current = current ?? number }
                    return current == nil
                }
                // Two signals that came before the handler ran arrive as one event, counted.
                guard first, source.data < 2 else { exit(128 + number) }
                task.cancel()
            }
            source.resume()
            return source
        }
        defer { sources.forEach { $0.cancel() } }
        let result = await task.result
        if let number = received.withLock({ $0 }) { throw Problem.interrupted(by: number) }
        return try result.get()
    }
}

extension Problem {
    /// kind-ci was told to stop; it did, after cleaning up.
    static func interrupted(by signal: Int32) -> Problem {
        Problem("stopped by \(signal == SIGINT ? "SIGINT" : "SIGTERM") after cleaning up",
                status: signal == SIGINT ? .interrupted : .terminated)
    }
}
