import Foundation
import KindCICore
import NIOHTTP1
import Synchronization

/// Builds an image through the Docker Engine API of kind's docker (`POST /build`, the classic
/// builder of dockerd 19.03/20.10): no docker CLI needed in the job.
struct NativeBuilder: Sendable {
    let engine: DockerEngine
    let environment: [String: String]

    /// Builds `entry`, reusing the layers of the `cache` images (which kind's docker must have);
    /// returns the image id and the bytes of context sent. A failed build throws `BuildStepFailed`
    /// with the daemon's message.
    func build(_ entry: BuildEntry, cache: [ImageReference] = [], directory: URL, log: BuildLog, timeout: Duration) async throws -> (id: String?, sent: Int) {
        let context = try BuildContext.prepare(context: directory.appendingPathComponent(entry.context),
                                               dockerfile: directory.appendingPathComponent(entry.dockerfilePath))
        var query = ["t": entry.image.description, "dockerfile": context.dockerfile, "rm": "1", "forcerm": "1"]
        if !entry.args.isEmpty { query["buildargs"] = Self.json(entry.args) }
        if !entry.labels.isEmpty { query["labels"] = Self.json(entry.labels) }
        if let target = entry.target { query["target"] = target }
        if !cache.isEmpty {
            let names = (try? JSONSerialization.data(withJSONObject: cache.map(\.description))) ?? Data("[]".utf8)
            query["cachefrom"] = String(decoding: names, as: UTF8.self)
        }
        var headers = HTTPHeaders()
        if let credentials = RegistryCredentials.header(RegistryCredentials.collect(environment: environment)) {
            headers.add(name: "X-Registry-Config", value: credentials)
        }
        let counter = ByteCounter()
        let outcome = Mutex<(imageID: String?, failure: String?)>((nil, nil))
        try await engine.build(query: query, headers: headers, context: context.stream(counting: counter), timeout: timeout) { message in
            if let text = message["stream"]?.string {
                await log.append(text)
            } else if let error = message[path: "errorDetail", "message"]?.string ?? message["error"]?.string {
                outcome.withLock { $0.failure = error }
                await log.append(error + "\n")
            } else if let id = message[path: "aux", "ID"]?.string {
                outcome.withLock { $0.imageID = id }
            } else if let status = message["status"]?.string, message["progressDetail"] == nil || message["id"] == nil {
                await log.append(status + "\n")
            }
        }
        let (imageID, failure) = outcome.withLock { $0 }
        if let failure { throw BuildStepFailed(reason: failure) }
        return (imageID, counter.value)
    }

    private static func json(_ pairs: [BuildArgument]) -> String {
        let object = Dictionary(pairs.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 })
        return String(decoding: (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8), as: UTF8.self)
    }
}

/// The daemon reported the build as failed.
struct BuildStepFailed: Error {
    let reason: String
}
