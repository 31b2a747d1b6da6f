import Foundation

/// Runs work on at most `jobs` threads at once. Each thread takes the next item until none
/// is left; results come back in the items' order.
///
/// Threads, not Swift concurrency: each job blocks in libpq for the whole collection
/// interval, and a blocking call must not sit on the cooperative pool's few threads.
public enum BoundedPool {
    public static func map<Item: Sendable, Output: Sendable>(
        _ items: [Item], jobs: Int, _ work: @escaping @Sendable (Item) -> Output
    ) -> [Output] {
        let state = PoolState<Output>(count: items.count)
        let group = DispatchGroup()
        for worker in 0..<min(max(jobs, 1), items.count) {
            group.enter()
            let thread = Thread {
                while let index = state.next() {
                    state.store(work(items[index]), at: index)
                }
                group.leave()
            }
            thread.name = "dbadvise job \(worker + 1)"
            thread.start()
        }
        group.wait()
        return state.results()
    }
}

/// `@unchecked Sendable`: `nextIndex` and `outputs` are the only state, and every access
/// holds `lock`.
private final class PoolState<Output: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private let count: Int
    private var nextIndex = 0
    private var outputs: [Output?]

    init(count: Int) {
        self.count = count
        outputs = Array(repeating: nil, count: count)
    }

    func next() -> Int? {
        lock.withLock {
            guard nextIndex < count else { return nil }
            defer { nextIndex += 1 }
            return nextIndex
        }
    }

    func store(_ output: Output, at index: Int) {
        lock.withLock { outputs[index] = output }
    }

    func results() -> [Output] {
        lock.withLock { outputs.compactMap { $0 } }
    }
}
