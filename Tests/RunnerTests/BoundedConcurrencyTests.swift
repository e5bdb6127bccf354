import Synchronization
import Testing
@testable import Runner

/// The one "a few at a time" loop: builds, applies, pre-pulls and the diagnostics' log reads.
@Suite struct BoundedConcurrencyTests {
    /// How many operations run at once, and the most there ever were.
    final class Gauge: Sendable {
        private let state = Mutex((running: 0, most: 0, started: [Int]()))

        func enter(_ element: Int) {
            state.withLock {
                $0.running += 1
                $0.most = max($0.most, $0.running)
                $0.started.append(element)
            }
        }

        func leave() { state.withLock { $0.running -= 1 } }

        var most: Int { state.withLock { $0.most } }
        var started: [Int] { state.withLock { $0.started } }
    }

    struct Refused: Error, Equatable {
        let element: Int
    }

    @Test(arguments: [1, 3, 8])
    func keepsToTheLimitAndTheOrder(limit: Int) async {
        let gauge = Gauge()
        let elements = Array(0..<12)
        let results = await BoundedConcurrency.map(elements, atMost: limit) { element in
            gauge.enter(element)
            // Later elements finish first, so completion order is not input order.
            try? await Task.sleep(for: .milliseconds(5 * (12 - element)))
            gauge.leave()
            return element * 10
        }
        #expect(results == elements.map { $0 * 10 })
        #expect(gauge.most <= limit)
        #expect(gauge.started == elements, "started in the elements' order")
    }

    @Test func fewerElementsThanTheLimitAndNone() async {
        #expect(await BoundedConcurrency.map([1, 2], atMost: 8) { $0 + 1 } == [2, 3])
        #expect(await BoundedConcurrency.map([Int](), atMost: 3) { $0 }.isEmpty)
    }

    @Test func forEachReceivesEachResultWithItsIndex() async {
        var received: [Int: String] = [:]
        await BoundedConcurrency.forEach(["a", "b", "c"], atMost: 2) { $0.uppercased() } receive: { index, output in
            received[index] = output
        }
        #expect(received == [0: "A", 1: "B", 2: "C"])
    }

    /// The first error cancels what runs, starts nothing more, and is what the caller gets.
    @Test func theFirstErrorCancelsTheRestAndIsRethrown() async {
        let gauge = Gauge()
        let cancelled = Mutex(0)
        await #expect(throws: Refused(element: 1)) {
            try await BoundedConcurrency.forEach(Array(0..<10), atMost: 3) { element throws(Refused) in
                gauge.enter(element)
                defer { gauge.leave() }
                if element == 1 { throw Refused(element: 1) }
                do {
                    try await Task.sleep(for: .seconds(60))
                } catch {
                    cancelled.withLock { $0 += 1 }
                }
            }
        }
        #expect(gauge.started == [0, 1, 2])
        #expect(cancelled.withLock { $0 } == 2)
    }

    @Test func cancellingTheCallerCancelsTheOperations() async {
        let started = Mutex(0)
        let task = Task {
            try await BoundedConcurrency.map(Array(0..<6), atMost: 2) { _ in
                started.withLock { $0 += 1 }
                try await Task.sleep(for: .seconds(60))
            }
        }
        while started.withLock({ $0 }) < 2 { try? await Task.sleep(for: .milliseconds(5)) }
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(started.withLock { $0 } == 2)
    }
}
