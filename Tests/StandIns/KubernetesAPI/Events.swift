import Foundation

/// Events as the controllers and the kubelet record them (core/v1 Event): about an object, with a
/// reason and a message; a repeat of the same event counts up instead of adding another.
extension ObjectStore {
    func recordEvent(about object: [String: Any], kind: String, apiVersion: String, reason: String, message: String,
                     warning: Bool = false, component: String) {
        let metadata = object["metadata"] as? [String: Any] ?? [:]
        let name = metadata["name"] as? String ?? ""
        let namespace = metadata["namespace"] as? String ?? "default"
        let uid = metadata["uid"] as? String ?? ""
        let existing = list("events", namespace: namespace).first { event in
            (event["involvedObject"] as? [String: Any])?["uid"] as? String == uid
                && event["reason"] as? String == reason && event["message"] as? String == message
        }
        let now = Self.now()
        if var existing, let eventName = (existing["metadata"] as? [String: Any])?["name"] as? String {
            existing["count"] = (existing["count"] as? Int ?? 1) + 1
            existing["lastTimestamp"] = now
            put(.init(resource: "events", namespace: namespace, name: eventName), existing, specChanged: false)
            return
        }
        let eventName = "\(name).\(String(format: "%016llx", UInt64.random(in: 0...UInt64.max)))"
        put(.init(resource: "events", namespace: namespace, name: eventName), [
            "metadata": ["name": eventName, "namespace": namespace],
            "involvedObject": ["kind": kind, "apiVersion": apiVersion, "name": name, "namespace": namespace, "uid": uid],
            "reason": reason, "message": message, "type": warning ? "Warning" : "Normal", "count": 1,
            "firstTimestamp": now, "lastTimestamp": now, "source": ["component": component], "reportingComponent": component,
        ])
    }
}
