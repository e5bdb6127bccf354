import AsyncHTTPClient
import Foundation
import KindCICore
import NIOCore
import NIOHTTP1
import Synchronization

/// What baking needs of a daemon beyond running containers: images inspected, committed, tagged,
/// copied between daemons, pushed, looked up in their registry; commands run in a container.
extension DockerEngine {
    /// The image's inspect answer (`GET /images/{name}/json`), or nil when the daemon lacks it.
    func inspectImage(_ reference: String) async throws -> JSON? {
        do {
            return try JSON.decode(try await call(.GET, "/images/\(reference)/json").body.readableBytesView)
        } catch let error as DockerAPIError where error.status == 404 {
            return nil
        }
    }

    /// Runs `command` in the container, without a TTY; returns its exit code and its output
    /// (standard output and error as they came). Output beyond 4 MiB fails the call: a command
    /// that may print more must cut it itself.
    func exec(_ container: String, _ command: [String], timeout: Duration) async throws -> (code: Int, output: String) {
        struct Create: Encodable {
            let AttachStdout = true
            let AttachStderr = true
            let Cmd: [String]
        }
        struct Start: Encodable {
            let Detach = false
            let Tty = false
        }
        let created = try decode(CreatedContainer.self, try await call(.POST, "/containers/\(container)/exec", json: Create(Cmd: command)))
        // The daemon answers with the command's multiplexed output until it ends, then closes.
        let output = try await call(.POST, "/exec/\(created.Id)/start", json: Start(), timeout: timeout)
        let state = try JSON.decode(try await call(.GET, "/exec/\(created.Id)/json").body.readableBytesView)
        return (state["ExitCode"]?.int ?? -1, DockerLogStream.text(of: output.body))
    }

    /// `docker commit`: the container's file system as `reference`, with `config` (an image's
    /// `Config`, as inspected) as the new image's configuration instead of the container's own.
    func commit(_ container: String, as reference: ImageReference, config: JSON, timeout: Duration) async throws {
        try await call(.POST, "/commit", query: ["container": container, "repo": reference.repository, "tag": reference.tag ?? "latest",
                                               "pause": "true"], json: config, timeout: timeout)
    }

    func tag(_ source: String, as reference: ImageReference) async throws {
        try await call(.POST, "/images/\(source)/tag", query: ["repo": reference.repository, "tag": reference.tag ?? "latest"])
    }

    func removeImage(_ reference: String) async throws {
        try await call(.DELETE, "/images/\(reference)", query: ["force": "1"], timeout: .seconds(120))
    }

    /// Whether `reference`'s registry has it, asked through the daemon (`GET /distribution`), with
    /// `auth` for a private one. Throws when the registry cannot say (unreachable, credentials refused).
    func registryHas(_ reference: ImageReference, auth: String?) async throws -> Bool {
        var headers = HTTPHeaders()
        if let auth { headers.add(name: "X-Registry-Auth", value: auth) }
        do {
            try await call(.GET, "/distribution/\(reference)/json", headers: headers, timeout: .seconds(60))
            return true
        } catch let error as DockerAPIError where error.status == 404
                    || ["manifest unknown", "not found", "does not exist"].contains(where: error.message.lowercased().contains) {
            return false
        }
    }

    /// Pushes `reference` with `auth`; the daemon reports failures inside its progress stream.
    func push(_ reference: ImageReference, auth: String?, timeout: Duration) async throws {
        var headers = endpoint.baseHeaders
        // The daemon wants the header even for a registry without credentials: `{}`.
        headers.add(name: "X-Registry-Auth", value: auth ?? Data("{}".utf8).base64EncodedString())
        try await progressStream(.POST, url("/images/\(reference.repository)/push", ["tag": reference.tag ?? "latest"]), headers: headers,
                                 body: nil, timeout: timeout)
    }

    /// Copies `reference` from `source` into this daemon: `source`'s `docker save` relayed as this
    /// one's `docker load`, streamed, never held whole.
    func load(_ reference: String, from source: DockerEngine, timeout: Duration) async throws {
        let saved = try await source.http.open(.GET, source.url("/images/get", ["names": reference]), headers: source.endpoint.baseHeaders,
                                               tls: source.endpoint.tls, timeout: timeout)
        guard saved.status == .ok else {
            let text = String(buffer: try await saved.body.collect(upTo: 1 << 20))
            throw DockerAPIError(status: Int(saved.status.code), message: text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        var headers = endpoint.baseHeaders
        headers.add(name: "Content-Type", value: "application/x-tar")
        try await progressStream(.POST, url("/images/load", ["quiet": "1"]), headers: headers, body: .stream(saved.body, length: .unknown),
                                 timeout: timeout)
    }

    /// A request whose answer is a progress stream (pull, push, load): an error line in it, or an
    /// error status, becomes `DockerAPIError`.
    func progressStream(_ method: HTTPMethod, _ url: String, headers: HTTPHeaders, body: HTTPClientRequest.Body?, timeout: Duration) async throws {
        let lines = JSONLines()
        let lastError = Mutex<String?>(nil)
        let (status, _) = try await http.stream(method, url, headers: headers, body: body, tls: endpoint.tls, timeout: timeout) { chunk in
            for case let .object(object) in lines.feed(chunk) {
                if let message = object[path: "errorDetail", "message"]?.string ?? object["error"]?.string ?? object["message"]?.string {
                    lastError.withLock { $0 = message }
                }
            }
        }
        let failure = lastError.withLock { $0 }
        if !(200..<300).contains(status) || failure != nil {
            throw DockerAPIError(status: status, message: failure ?? lines.rest.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }
}
