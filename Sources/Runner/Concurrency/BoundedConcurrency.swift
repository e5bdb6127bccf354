/// An async operation over a sequence's elements with at most so many running at once: the image
/// builds (`build_jobs`), the applies of a deploy step, the pre-pulls, the diagnostics' log reads.
enum BoundedConcurrency {
    /// Starts `operation` on each of `elements`, in their order, at most `limit` at once, and hands
    /// each result with its element's index to `receive`, in the calling task, as it comes.
    ///
    /// The first error an operation throws cancels those still running, waits for them and is
    /// rethrown; nothing starts after it. Cancelling the calling task cancels the operations, which
    /// decide what that means (throw, or return what they have).
    static func forEach<Element: Sendable, Output: Sendable, Failure: Error>(
        _ elements: some Sequence<Element>, atMost limit: Int,
        _ operation: @escaping @Sendable (Element) async throws(Failure) -> Output,
        receive: (_ index: Int, _ output: Output) -> Void = { _, _ in }
    ) async throws(Failure) {
        precondition(limit > 0, "at least one at a time")
        var pending = elements.enumerated().makeIterator()
        let failure = await withTaskGroup(of: (Int, Result<Output, Failure>).self, returning: Failure?.self) { group in
            func startNext() {
                guard let (index, element) = pending.next() else { return }
                group.addTask {
                    do throws(Failure) {
                        return (index, .success(try await operation(element)))
                    } catch {
                        return (index, .failure(error))
                    }
                }
            }
            for _ in 0..<limit { startNext() }
            while let (index, result) = await group.next() {
                switch result {
                case let .success(output):
                    startNext()
                    receive(index, output)
                case let .failure(error):
                    group.cancelAll()
                    return error
                }
            }
            return nil
        }
        if let failure { throw failure }
    }

    /// `operation`'s results in the order of `elements`; otherwise as `forEach`.
    static func map<Element: Sendable, Output: Sendable, Failure: Error>(
        _ elements: some Sequence<Element>, atMost limit: Int,
        _ operation: @escaping @Sendable (Element) async throws(Failure) -> Output
    ) async throws(Failure) -> [Output] {
        var outputs: [Int: Output] = [:]
        try await forEach(elements, atMost: limit, operation) { index, output in outputs[index] = output }
        return outputs.keys.sorted().compactMap { outputs[$0] }
    }
}
