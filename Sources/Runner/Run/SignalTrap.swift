import Foundation
import KindCICore
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs a body that SIGINT and SIGTERM cancel, so that it can stop its work and clean up (remove
/// the kind it started, write what it has) before kind-ci exits 130 or 143. A second signal exits
/// at once. One body at a time: the commands call it once per process.
///
/// Not Dispatch's signal sources: on Linux they receive a signal only if the thread it lands on
/// hands it on to Dispatch's manager thread, and a SIGINT during the readiness wait was lost that
/// way now and then on a loaded machine (the run went on to its deadline). A handler that writes
/// the signal's number to a pipe works on whatever thread the kernel picks, and a thread of our own
/// reads the pipe and acts.
public enum SignalTrap {
    private static let trapped = [SIGINT, SIGTERM]

    public static func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let received = Mutex<Int32?>(nil)
        let task = Task { try await body() }
        let reader = Thread {
            // Never blocked here, so there is always a thread the kernel can hand the signal to.
            var unblocked = sigset_t()
            sigemptyset(&unblocked)
            for number in trapped { sigaddset(&unblocked, number) }
            pthread_sigmask(SIG_UNBLOCK, &unblocked, nil)
            while let number = SignalPipe.next() {
                let first = received.withLock { current in
                    defer { current = current ?? number }
                    return current == nil
                }
                guard first else { exit(128 + number) }
                task.cancel()
            }
        }
        SignalPipe.open()
        reader.start()
        for number in trapped { signal(number, SignalPipe.handler) }
        defer {
            for number in trapped { signal(number, SIG_DFL) }
            SignalPipe.stopReader()
        }
        let result = await task.result
        if let number = received.withLock({ $0 }) { throw Problem.interrupted(by: number) }
        return try result.get()
    }
}

/// The pipe between the signal handler and the reader: a write(2) of one byte, the signal's
/// number, is all the handler does, as a handler may call only async-signal-safe functions.
private enum SignalPipe {
    /// Made before the handler is installed (`open()`), so the handler never runs an initialiser.
    /// Close-on-exec: no child inherits it.
    static let ends: (read: Int32, write: Int32) = {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { fatalError("kind-ci: cannot make the signal pipe: errno \(errno)") }
        // Made before any child is started (`open()` comes first in `run`), so none can slip in
        // between pipe and fcntl.
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        return (ends[0], ends[1])
    }()

    /// The byte that tells the reader to stop; no signal has the number 0.
    private static let stop: UInt8 = 0

    static func open() { _ = ends }

    static let handler: @convention(c) (Int32) -> Void = { number in
        let saved = errno
        var byte = UInt8(truncatingIfNeeded: number)
        _ = write(SignalPipe.ends.write, &byte, 1)
        errno = saved
    }

    static func stopReader() {
        var byte = stop
        _ = write(ends.write, &byte, 1)
    }

    /// The next signal's number, or nil once the reader is to stop.
    static func next() -> Int32? {
        var byte: UInt8 = 0
        while true {
            let count = read(ends.read, &byte, 1)
            if count == 1 { return byte == stop ? nil : Int32(byte) }
            if count < 0 && errno == EINTR { continue }
            return nil
        }
    }
}

extension Problem {
    /// kind-ci was told to stop; it did, after cleaning up.
    static func interrupted(by signal: Int32) -> Problem {
        Problem("stopped by \(signal == SIGINT ? "SIGINT" : "SIGTERM") after cleaning up",
                status: signal == SIGINT ? .interrupted : .terminated)
    }
}
