import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// kind-ci's own Kubernetes client, so the job's image needs no kubectl: resources found through
/// discovery (cached), server-side apply, get, and list-then-watch that survives dropped streams.
/// Every request retries what is worth retrying (`KubernetesTransport.sendRetrying`) within a deadline.
struct KubernetesClient: Sendable {
    let transport: KubernetesTransport
    let discovery: APIDiscovery
    /// The field manager of every apply: kind-ci owns what it applies in this throwaway cluster.
    static let fieldManager = "kind-ci"

    init(transport: KubernetesTransport) {
        self.transport = transport
        discovery = APIDiscovery(transport: transport)
    }

    /// The URL path of an object (`name`) or of a collection (no name).
    static func path(_ resource: APIResource, namespace: String?, name: String? = nil) -> String {
        let base = resource.groupVersion.contains("/") ? "/apis/\(resource.groupVersion)" : "/api/\(resource.groupVersion)"
        let scope = resource.namespaced ? namespace.map { "/namespaces/\(escape($0))" } ?? "" : ""
        return base + scope + "/\(resource.name)" + (name.map { "/\(escape($0))" } ?? "")
    }

    static func escape(_ segment: String) -> String {
        segment.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))) ?? segment
    }

    /// Server-side apply of `object` (which names its own namespace when namespaced), taking
    /// ownership of conflicting fields: CI owns this cluster. Returns the object as stored.
    func apply(_ object: JSON, as resource: APIResource, until deadline: ContinuousClock.Instant) async throws -> JSON {
        let path = Self.path(resource, namespace: object.namespace, name: object.name)
            + "?fieldManager=\(Self.fieldManager)&force=true"
        let response = try await transport.sendRetrying(.PATCH, path, body: ByteBuffer(bytes: object.data),
                                                        contentType: "application/apply-patch+yaml", until: deadline)
        return try Self.decoded(response, path: path)
    }

    /// The object at `path`, or nil when there is none.
    func get(_ path: String, until deadline: ContinuousClock.Instant) async throws -> JSON? {
        let response = try await transport.sendRetrying(.GET, path, until: deadline)
        if response.status == 404 { return nil }
        return try Self.decoded(response, path: path)
    }

    static func decoded(_ response: KubernetesTransport.Response, path: String) throws -> JSON {
        guard (200..<300).contains(response.status) else { throw KubernetesRequestFailed(response, path: path) }
        do {
            return try JSON.decode(response.body.readableBytesView)
        } catch {
            throw KubernetesRequestFailed(status: response.status, reason: "BadResponse", message: "the answer to \(path) is not JSON")
        }
    }

    /// What happened to a collection being watched.
    enum Change: Sendable {
        /// The whole collection, from a list (at the start, and again after the server forgot
        /// the version a watch would resume from).
        case snapshot([JSON])
        case updated(JSON)
        case deleted(JSON)
    }

    /// Lists the collection at `path` (`/apis/apps/v1/deployments`), then watches it, handing
    /// every change to `onChange` until cancelled. A stream the server ends or drops is resumed
    /// from the last version seen; a version the server no longer has (410 Gone) means list again.
    /// A server that gives no good answer for longer than `KubernetesTransport.patience` has gone
    /// away: that ends it with `KubernetesUnreachable`.
    func observe(_ path: String, onChange: @Sendable (Change) async throws -> Void) async throws {
        var version: String?
        var backoff = Duration.milliseconds(100)
        var trouble = TroubleClock()
        while true {
            try Task.checkCancellation()
            // A stream that delivered before it dropped was a good answer: trouble counts from its drop.
            let heard = Mutex(false)
            do {
                if version == nil {
                    let list = try await get(path, until: .now + .seconds(60))
                    heard.withLock { $0 = true }
                    version = list?[path: "metadata", "resourceVersion"]?.string ?? "0"
                    try await onChange(.snapshot(list?["items"]?.array ?? []))
                }
                let lastSeen = Mutex(version)
                let separator = path.contains("?") ? "&" : "?"
                // The server ends a watch after timeoutSeconds; it is then resumed like a dropped one.
                let watchPath = path + "\(separator)watch=1&allowWatchBookmarks=true&timeoutSeconds=\(Int.random(in: 240...360))"
                    + "&resourceVersion=\(version ?? "0")"
                let refused = try await transport.streamLines(watchPath) { line in
                    heard.withLock { $0 = true }
                    let event = try JSON.decode(line.readableBytesView)
                    guard let object = event["object"] else { return }
                    switch event["type"]?.string {
                    case "ADDED", "MODIFIED": try await onChange(.updated(object))
                    case "DELETED": try await onChange(.deleted(object))
                    case "ERROR" where object["code"]?.int == 410: throw VersionGone()
                    case "ERROR": throw KubernetesRequestFailed(status: object["code"]?.int ?? 500, reason: object["reason"]?.string ?? "",
                                                                message: object["message"]?.string ?? "")
                    default: break
                    }
                    if let seen = object.resourceVersion { lastSeen.withLock { $0 = seen } }
                }
                version = lastSeen.withLock { $0 }
                if let refused {
                    if refused.status == 410 { throw VersionGone() }
                    throw KubernetesRequestFailed(refused, path: watchPath)
                }
                backoff = .milliseconds(100)
                trouble.note(failing: false)
            } catch is VersionGone {
                version = nil
            } catch let error as KubernetesUnreachable where !error.tlsRefused {
                // The stream dropped or the server is restarting: resume after a pause.
                if heard.withLock({ $0 }) { trouble.note(failing: false) }
                trouble.note(failing: true)
                if trouble.outlasted(KubernetesTransport.patience) { throw error.lost(after: trouble.duration) }
                try await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(2))
            } catch let error as KubernetesRequestFailed where error.status == 429 || error.status >= 500 {
                trouble.note(failing: error.status >= 500)
                if trouble.outlasted(KubernetesTransport.patience) {
                    throw KubernetesUnreachable(host: transport.host, port: transport.port, reason: "answered \(error)", tlsRefused: false)
                        .lost(after: trouble.duration)
                }
                try await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(2))
            }
        }
    }

    private struct VersionGone: Error {}

    /// Watches the collection at `path` until `satisfied` holds for the objects in it (by
    /// namespace and name); false when `deadline` comes first.
    func observe(_ path: String, until deadline: ContinuousClock.Instant,
                 satisfied: @escaping @Sendable ([String: JSON]) -> Bool) async throws -> Bool {
        struct Satisfied: Error {}
        return try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                let objects = Mutex<[String: JSON]>([:])
                do {
                    try await observe(path) { change in
                        let done = objects.withLock { objects in
                            switch change {
                            case let .snapshot(items): objects = Dictionary(items.map { ("\($0.namespace ?? "")/\($0.name)", $0) }) { $1 }
                            case let .updated(object): objects["\(object.namespace ?? "")/\(object.name)"] = object
                            case let .deleted(object): objects["\(object.namespace ?? "")/\(object.name)"] = nil
                            }
                            return satisfied(objects)
                        }
                        if done { throw Satisfied() }
                    }
                } catch is Satisfied {
                    return true
                }
                return false
            }
            group.addTask {
                try await Task.sleep(until: deadline)
                return false
            }
            defer { group.cancelAll() }
            return try await group.next() ?? false
        }
    }
}

/// A request the API server answered with an error status, with the message of its `Status`.
struct KubernetesRequestFailed: Error, CustomStringConvertible {
    let status: Int
    let reason: String
    let message: String

    init(status: Int, reason: String, message: String) {
        self.status = status
        self.reason = reason
        self.message = message
    }

    init(_ response: KubernetesTransport.Response, path: String) {
        let body = try? JSON.decode(response.body.readableBytesView)
        status = response.status
        reason = body?["reason"]?.string ?? HTTPResponseStatus(statusCode: response.status).reasonPhrase
        message = body?["message"]?.string ?? "\(path): \(response.text.prefix(300))"
    }

    var description: String { "\(status) \(reason): \(message)" }
}
