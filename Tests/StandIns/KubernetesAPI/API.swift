import Foundation
import Yams

/// The request semantics of kube-apiserver that kind-ci and kubectl rely on: discovery, create,
/// get, list with selectors, watch, delete, merge patch and server-side apply, refusing what the
/// real server refuses (an apply without a field manager, a body whose kind or name disagrees
/// with the URL, a namespaced object in a namespace that does not exist).
struct API: Sendable {
    let store: ObjectStore
    let version: String

    enum Reply {
        case json(Int, Any)
        case text(Int, String)
        case watch(resource: Resource, namespace: String?, since: Int?, matches: @Sendable ([String: Any]) -> Bool)
    }

    struct Request {
        let method: String
        let path: String
        let query: [String: String]
        let contentType: String
        let body: Data
    }

    func handle(_ request: Request) -> Reply {
        let segments = request.path.split(separator: "/").map(String.init)
        let served = Discovery.served(by: store)
        if request.method == "GET" {
            switch segments.count {
            case 1 where segments[0] == "version": return .json(200, versionObject)
            case 1 where segments[0] == "api": return .json(200, Discovery.coreVersions)
            case 1 where segments[0] == "apis": return .json(200, Discovery.groups(served))
            case 2 where segments[0] == "api":
                return Discovery.resourceList(served, group: "", version: segments[1]).map { .json(200, $0) } ?? notFound()
            case 3 where segments[0] == "apis":
                return Discovery.resourceList(served, group: segments[1], version: segments[2]).map { .json(200, $0) } ?? notFound()
            default: break
            }
        }
        let (group, version, rest): (String, String, ArraySlice<String>)
        if segments.first == "api", segments.count >= 2 {
            (group, version, rest) = ("", segments[1], segments.dropFirst(2))
        } else if segments.first == "apis", segments.count >= 3 {
            (group, version, rest) = (segments[1], segments[2], segments.dropFirst(3))
        } else {
            return notFound()
        }
        var parts = Array(rest)
        var namespace: String?
        if parts.count >= 3, parts[0] == "namespaces" {
            namespace = parts[1]
            parts.removeFirst(2)
        }
        guard let name = parts.first, let resource = Discovery.resource(served, group: group, version: version, name: name) else {
            return notFound()
        }
        let objectName = parts.count > 1 ? parts[1] : nil
        let subresource = parts.count > 2 ? parts[2] : nil
        if resource.namespaced, namespace == nil, objectName != nil || request.method != "GET" {
            return status(404, "NotFound", "the server could not find the requested resource")
        }
        let scope = resource.namespaced ? namespace ?? "" : ""
        switch (request.method, objectName, subresource) {
        case ("GET", nil, _):
            return list(resource, namespace: resource.namespaced ? namespace : nil, query: request.query)
        case ("POST", nil, _):
            return create(resource, namespace: scope, request: request)
        case ("GET", let name?, "log"):
            let key = ObjectStore.Key(resource: resource.name, namespace: scope, name: name)
            guard store.get(key) != nil else { return notFound(resource, name) }
            return .text(200, store.log(key) ?? "")
        case ("GET", let name?, _):
            guard let object = store.get(.init(resource: resource.name, namespace: scope, name: name)) else { return notFound(resource, name) }
            return .json(200, typed(object, resource))
        case ("DELETE", let name?, nil):
            guard let object = store.delete(.init(resource: resource.name, namespace: scope, name: name)) else { return notFound(resource, name) }
            return .json(200, typed(object, resource))
        case ("PATCH", let name?, _):
            return patch(resource, namespace: scope, name: name, request: request)
        case ("PUT", let name?, _):
            return replace(resource, namespace: scope, name: name, request: request)
        default:
            return status(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")
        }
    }

    private var versionObject: [String: Any] {
        let parts = version.dropFirst().split(separator: ".")
        return ["major": String(parts.first ?? "1"), "minor": String(parts.dropFirst().first ?? "23"), "gitVersion": version,
                "gitCommit": "0000000000000000000000000000000000000000", "gitTreeState": "clean", "buildDate": "2022-08-17T18:47:37Z",
                "goVersion": "go1.17.13", "compiler": "gc", "platform": "linux/amd64"]
    }

    // MARK: Verbs

    private func list(_ resource: Resource, namespace: String?, query: [String: String]) -> Reply {
        let labels = query["labelSelector"].map(LabelSelector.init) ?? LabelSelector("")
        let fields = query["fieldSelector"].map(FieldSelector.init) ?? FieldSelector("")
        let matches: @Sendable ([String: Any]) -> Bool = { labels.matches($0) && fields.matches($0) }
        if query["watch"] == "true" || query["watch"] == "1" {
            let since = query["resourceVersion"].flatMap(Int.init).flatMap { $0 == 0 ? nil : $0 }
            return .watch(resource: resource, namespace: namespace, since: since, matches: matches)
        }
        let items = store.list(resource.name, namespace: namespace).filter(matches).map { typed($0, resource) }
        return .json(200, ["kind": "\(resource.kind)List", "apiVersion": resource.groupVersion,
                           "metadata": ["resourceVersion": String(store.currentVersion)], "items": items])
    }

    private func create(_ resource: Resource, namespace: String, request: Request) -> Reply {
        guard var object = decode(request.body) else { return status(400, "BadRequest", "the body is not a JSON or YAML object") }
        if let problem = mismatch(object, resource, name: nil) { return problem }
        var metadata = object["metadata"] as? [String: Any] ?? [:]
        if metadata["name"] == nil, let prefix = metadata["generateName"] as? String {
            metadata["name"] = prefix + String(UUID().uuidString.prefix(5)).lowercased()
        }
        guard let name = metadata["name"] as? String, !name.isEmpty else {
            return status(422, "Invalid", "\(resource.kind) \"\" is invalid: metadata.name: Required value: name or generateName is required")
        }
        if let problem = missingNamespace(resource, namespace) { return problem }
        object["metadata"] = metadata
        let key = ObjectStore.Key(resource: resource.name, namespace: namespace, name: name)
        guard store.get(key) == nil else { return status(409, "AlreadyExists", "\(resource.name) \"\(name)\" already exists") }
        let stored = store.put(key, object)
        Controllers(store: store).settle()
        return .json(201, typed(store.get(key) ?? stored, resource))
    }

    private func replace(_ resource: Resource, namespace: String, name: String, request: Request) -> Reply {
        guard let object = decode(request.body) else { return status(400, "BadRequest", "the body is not a JSON or YAML object") }
        if let problem = mismatch(object, resource, name: name) { return problem }
        let key = ObjectStore.Key(resource: resource.name, namespace: namespace, name: name)
        guard store.get(key) != nil else { return notFound(resource, name) }
        store.put(key, object)
        Controllers(store: store).settle()
        return .json(200, typed(store.get(key) ?? object, resource))
    }

    private func patch(_ resource: Resource, namespace: String, name: String, request: Request) -> Reply {
        guard let patch = decode(request.body) else { return status(400, "BadRequest", "the body is not a JSON or YAML object") }
        let key = ObjectStore.Key(resource: resource.name, namespace: namespace, name: name)
        let existing = store.get(key)
        if request.contentType.hasPrefix("application/apply-patch+yaml") {
            // Server-side apply: a field manager is required, and the object must be the URL's.
            guard let manager = request.query["fieldManager"], !manager.isEmpty else {
                return status(400, "BadRequest", "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch")
            }
            if let problem = mismatch(patch, resource, name: name) { return problem }
            if existing == nil, let problem = missingNamespace(resource, namespace) { return problem }
            let merged = Merge.apply(patch, onto: existing ?? [:])
            store.put(key, merged, specChanged: existing.map { !Merge.sameSpec($0, merged) } ?? true)
            Controllers(store: store).settle()
            return .json(existing == nil ? 201 : 200, typed(store.get(key) ?? merged, resource))
        }
        guard let existing else { return notFound(resource, name) }
        let merged = Merge.mergePatch(patch, onto: existing)
        store.put(key, merged, specChanged: !Merge.sameSpec(existing, merged))
        Controllers(store: store).settle()
        return .json(200, typed(store.get(key) ?? merged, resource))
    }

    // MARK: Checks and shapes

    private func mismatch(_ object: [String: Any], _ resource: Resource, name: String?) -> Reply? {
        let kind = object["kind"] as? String
        let apiVersion = object["apiVersion"] as? String
        guard kind == resource.kind, apiVersion == resource.groupVersion else {
            return status(400, "BadRequest",
                          "the API version in the data (\(apiVersion ?? "")) and kind (\(kind ?? "")) do not match the URL's \(resource.groupVersion) \(resource.kind)")
        }
        if let name, let bodyName = (object["metadata"] as? [String: Any])?["name"] as? String, bodyName != name {
            return status(400, "BadRequest", "the name of the object (\(bodyName)) does not match the name on the URL (\(name))")
        }
        return nil
    }

    private func missingNamespace(_ resource: Resource, _ namespace: String) -> Reply? {
        guard resource.namespaced, store.get(.init(resource: "namespaces", namespace: "", name: namespace)) == nil else { return nil }
        return status(404, "NotFound", "namespaces \"\(namespace)\" not found")
    }

    private func typed(_ object: [String: Any], _ resource: Resource) -> [String: Any] {
        var copy = object
        copy["kind"] = resource.kind
        copy["apiVersion"] = resource.groupVersion
        return copy
    }

    private func decode(_ body: Data) -> [String: Any]? {
        if let json = try? JSONSerialization.jsonObject(with: body) as? [String: Any] { return json }
        return (try? Yams.load(yaml: String(decoding: body, as: UTF8.self))) as? [String: Any]
    }

    private func notFound(_ resource: Resource, _ name: String) -> Reply {
        status(404, "NotFound", "\(resource.name)\(resource.group.isEmpty ? "" : ".\(resource.group)") \"\(name)\" not found")
    }

    private func notFound() -> Reply { status(404, "NotFound", "the server could not find the requested resource") }

    func status(_ code: Int, _ reason: String, _ message: String) -> Reply {
        .json(code, ["kind": "Status", "apiVersion": "v1", "metadata": [:] as [String: Any], "status": "Failure",
                     "message": message, "reason": reason, "code": code])
    }
}
