import Foundation
import Synchronization

/// Objects as JSON dictionaries, keyed by resource, namespace and name, with one resourceVersion
/// counter for all of them and a history of changes for watches.
final class ObjectStore: Sendable {
    struct Key: Hashable, Sendable {
        let resource: String
        let namespace: String
        let name: String
    }

    struct Event: @unchecked Sendable {
        let type: String
        let key: Key
        let object: [String: Any]
        let version: Int
    }

    /// A watch: a filter and where matching events go.
    struct Watcher: Sendable {
        let id: UUID
        let resource: String
        let namespace: String?
        let matches: @Sendable ([String: Any]) -> Bool
        let deliver: @Sendable (Event) -> Void
    }

    private struct State: @unchecked Sendable {
        var objects: [Key: [String: Any]] = [:]
        var version = 1000
        var history: [Event] = []
        var watchers: [Watcher] = []
        var logs: [Key: String] = [:]
    }

    private let state = Mutex(State())
    /// True when a kubelet runs the pods; otherwise the controllers pretend they run.
    let podsRunForReal: Bool

    init(podsRunForReal: Bool = false) {
        self.podsRunForReal = podsRunForReal
    }

    var currentVersion: Int { state.withLock { $0.version } }

    func get(_ key: Key) -> [String: Any]? { state.withLock { $0.objects[key] } }

    func list(_ resource: String, namespace: String?) -> [[String: Any]] {
        state.withLock { state in
            state.objects.filter { $0.key.resource == resource && (namespace == nil || $0.key.namespace == namespace) }
                .sorted { ($0.key.namespace, $0.key.name) < ($1.key.namespace, $1.key.name) }
                .map(\.value)
        }
    }

    /// Stores `object` (new or changed), stamping its metadata, and tells the watchers.
    @discardableResult
    func put(_ key: Key, _ object: [String: Any], specChanged: Bool = true) -> [String: Any] {
        let (event, watchers) = state.withLock { state -> (Event, [Watcher]) in
            state.version += 1
            var stored = object
            var metadata = stored["metadata"] as? [String: Any] ?? [:]
            let previous = state.objects[key]?["metadata"] as? [String: Any]
            metadata["name"] = key.name
            if !key.namespace.isEmpty { metadata["namespace"] = key.namespace }
            metadata["uid"] = previous?["uid"] ?? UUID().uuidString.lowercased()
            metadata["creationTimestamp"] = previous?["creationTimestamp"] ?? Self.now()
            metadata["resourceVersion"] = String(state.version)
            let generation = previous?["generation"] as? Int ?? 0
            metadata["generation"] = previous == nil ? 1 : (specChanged ? generation + 1 : generation)
            stored["metadata"] = metadata
            let event = Event(type: previous == nil ? "ADDED" : "MODIFIED", key: key, object: stored, version: state.version)
            state.objects[key] = stored
            state.history.append(event)
            return (event, state.watchers)
        }
        for watcher in watchers where Self.wants(watcher, event) { watcher.deliver(event) }
        return event.object
    }

    func delete(_ key: Key) -> [String: Any]? {
        let result = state.withLock { state -> (Event, [Watcher])? in
            guard let object = state.objects.removeValue(forKey: key) else { return nil }
            state.version += 1
            let event = Event(type: "DELETED", key: key, object: object, version: state.version)
            state.history.append(event)
            return (event, state.watchers)
        }
        guard let (event, watchers) = result else { return nil }
        for watcher in watchers where Self.wants(watcher, event) { watcher.deliver(event) }
        return event.object
    }

    /// Registers `watcher`, first replaying what it missed: events after `version`, or every
    /// current object as ADDED when it starts from nothing.
    func watch(_ watcher: Watcher, since version: Int?) {
        let replay = state.withLock { state -> [Event] in
            state.watchers.append(watcher)
            if let version {
                return state.history.filter { $0.version > version }
            }
            return state.objects.map { Event(type: "ADDED", key: $0.key, object: $0.value, version: state.version) }
        }
        for event in replay where Self.wants(watcher, event) { watcher.deliver(event) }
    }

    func stopWatching(_ id: UUID) {
        state.withLock { $0.watchers.removeAll { $0.id == id } }
    }

    func setLog(_ key: Key, _ text: String) { state.withLock { $0.logs[key] = text } }
    func log(_ key: Key) -> String? { state.withLock { $0.logs[key] } }

    private static func wants(_ watcher: Watcher, _ event: Event) -> Bool {
        watcher.resource == event.key.resource && (watcher.namespace == nil || watcher.namespace == event.key.namespace)
            && watcher.matches(event.object)
    }

    static func now() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date())
    }
}
