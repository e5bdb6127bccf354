import Foundation
import KindCICore
import NIOCore
import NIOHTTP1
import Synchronization

/// A Docker Engine reached over its HTTP API: the daemon `up` starts kind on, and kind's own inner
/// docker. The API version is negotiated once, from `/_ping`.
struct DockerEngine: Sendable {
    /// The newest API version kind-ci speaks: dockerd 20.10's. Newer daemons accept it.
    static let newestVersion = (1, 41)

    let endpoint: DockerEndpoint
    let http: HTTPFetch
    let apiVersion: String

    /// Pings the daemon and settles the API version; throws `DockerUnreachable` when it does not answer.
    static func connect(_ endpoint: DockerEndpoint, http: HTTPFetch, timeout: Duration = .seconds(5),
                        fix: String = DockerUnreachable.hostFix) async throws -> DockerEngine {
        let response: HTTPFetch.Response
        do {
            response = try await http.send(.GET, endpoint.url("/_ping"), headers: endpoint.baseHeaders, tls: endpoint.tls,
                                           timeout: timeout, limit: 1024)
        } catch {
            throw DockerUnreachable(endpoint: endpoint, failure: ConnectionFailure(error), fix: fix)
        }
        guard response.status == 200 else {
            throw DockerUnreachable(endpoint: endpoint, failure: .other("/_ping answered \(response.status)"), fix: fix)
        }
        let server = response.headers.first(name: "Api-Version").flatMap(parseVersion) ?? (1, 40)
        let version = min(server.0 * 1000 + server.1, newestVersion.0 * 1000 + newestVersion.1)
        return DockerEngine(endpoint: endpoint, http: http, apiVersion: "\(version / 1000).\(version % 1000)")
    }

    /// The daemon the environment names (`DOCKER_HOST`, else the local socket), for starting kind;
    /// on Bitbucket without either, its docker service's usual address, which `progress` is told.
    static func connect(environment: [String: String], http: HTTPFetch, progress: ProgressReporter? = nil) async throws -> DockerEngine {
        if let endpoint = try DockerEndpoint.fromEnvironment(environment) { return try await connect(endpoint, http: http) }
        guard environment["BITBUCKET_BUILD_NUMBER"] != nil else {
            throw Problem("no Docker daemon to start kind on: DOCKER_HOST is not set and \(DockerEndpoint.localSocket) does not exist",
                          fix: "set DOCKER_HOST (with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH for TLS)",
                          status: .badConfiguration)
        }
        let service = DockerEndpoint.plain(host: "localhost", port: 2375)
        await progress?.note("DOCKER_HOST is not set: using Bitbucket's docker service at \(service)")
        return try await connect(service, http: http)
    }

    private static func parseVersion(_ text: String) -> (Int, Int)? {
        let parts = text.split(separator: ".").compactMap { Int($0) }
        return parts.count == 2 ? (parts[0], parts[1]) : nil
    }

    func url(_ path: String, _ query: [String: String] = [:]) -> String {
        var components = URLComponents()
        components.queryItems = query.isEmpty ? nil : query.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
        // `+` means a space to some servers; Docker's filters are JSON and need it literal.
        let encoded = components.percentEncodedQuery?.replacing("+", with: "%2B")
        return endpoint.url("/v\(apiVersion)\(path)" + (encoded.map { "?\($0)" } ?? ""))
    }

    /// Sends a request and returns the body of a 2xx answer; other answers become `DockerAPIError`.
    @discardableResult
    func call(_ method: HTTPMethod, _ path: String, query: [String: String] = [:], json: (any Encodable)? = nil,
              headers extra: HTTPHeaders = [:], timeout: Duration = .seconds(30), limit: Int = 4 << 20) async throws -> HTTPFetch.Response {
        var headers = endpoint.baseHeaders
        headers.add(contentsOf: extra)
        var body: Data?
        if let json {
            headers.add(name: "Content-Type", value: "application/json")
            body = try JSONEncoder().encode(json)
        }
        let response = try await http.send(method, url(path, query), headers: headers, body: body, tls: endpoint.tls, timeout: timeout,
                                           limit: limit)
        guard (200..<300).contains(response.status) else {
            let message = (try? JSONDecoder().decode(APIErrorBody.self, from: Data(response.body.readableBytesView)))?.message ?? response.text
            throw DockerAPIError(status: response.status, message: message.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return response
    }

    func decode<T: Decodable>(_ type: T.Type, _ response: HTTPFetch.Response) throws -> T {
        try JSONDecoder().decode(type, from: Data(response.body.readableBytesView))
    }

    /// Containers with every one of `labels` (`key` or `key=value`), stopped ones too.
    func containers(labels: [String]) async throws -> [ContainerSummary] {
        let filters = String(decoding: try JSONEncoder().encode(["label": labels]), as: UTF8.self)
        return try decode([ContainerSummary].self, try await call(.GET, "/containers/json", query: ["all": "1", "filters": filters]))
    }

    /// The container by id or name, or nil when there is none.
    func container(_ idOrName: String) async throws -> ContainerDetails? {
        do {
            return try decode(ContainerDetails.self, try await call(.GET, "/containers/\(idOrName)/json"))
        } catch let error as DockerAPIError where error.status == 404 {
            return nil
        }
    }

    func createContainer(name: String, _ spec: ContainerSpec) async throws -> String {
        try decode(CreatedContainer.self, try await call(.POST, "/containers/create", query: ["name": name], json: spec)).Id
    }

    func startContainer(_ id: String) async throws {
        try await call(.POST, "/containers/\(id)/start", timeout: .seconds(60))
    }

    func removeContainer(_ id: String) async throws {
        try await call(.DELETE, "/containers/\(id)", query: ["force": "1", "v": "1"], timeout: .seconds(60))
    }

    func imageExists(_ reference: String) async throws -> Bool {
        do {
            try await call(.GET, "/images/\(reference)/json")
            return true
        } catch let error as DockerAPIError where error.status == 404 {
            return false
        }
    }

    /// Pulls `image`, with `auth` (`X-Registry-Auth`) for a private registry; the daemon reports
    /// failures inside its progress stream, so that is read too.
    func pull(_ image: ImageReference, auth: String? = nil, timeout: Duration) async throws {
        var query = ["fromImage": image.repository]
        query["tag"] = image.digest ?? image.tag ?? "latest"
        var headers = endpoint.baseHeaders
        if let auth { headers.add(name: "X-Registry-Auth", value: auth) }
        try await progressStream(.POST, url("/images/create", query), headers: headers, body: nil, timeout: timeout)
    }

    /// `POST /build` with the context streamed as a tar; each line of the daemon's JSON progress
    /// stream goes to `message`.
    func build(query: [String: String], headers extra: HTTPHeaders, context: TarStream, timeout: Duration,
               message: @Sendable (JSON) async -> Void) async throws {
        var headers = endpoint.baseHeaders
        headers.add(name: "Content-Type", value: "application/x-tar")
        headers.add(contentsOf: extra)
        let lines = JSONLines()
        let unreadable = Mutex<String?>(nil)
        // A refused build (a bad reference, a cache_from it cannot use) is answered with one line,
        // `{"message": ...}`, which must reach the error rather than the progress stream.
        let refusal = Mutex<String?>(nil)
        let (status, _) = try await http.stream(.POST, url("/build", query), headers: headers,
                                                body: .stream(context, length: .unknown), tls: endpoint.tls,
                                                timeout: timeout) { chunk in
            for line in lines.feed(chunk) {
                switch line {
                case let .object(object):
                    if let text = object["message"]?.string { refusal.withLock { $0 = text } }
                    await message(object)
                case let .text(text): unreadable.withLock { $0 = $0 ?? text }
                }
            }
        }
        guard (200..<300).contains(status) else {
            let text = lines.rest
            let message = refusal.withLock { $0 }
                ?? (try? JSONDecoder().decode(APIErrorBody.self, from: Data(text.utf8)))?.message
                ?? unreadable.withLock { $0 } ?? text
            throw DockerAPIError(status: status, message: message.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }

    func connect(network: String, container: String, aliases: [String]) async throws {
        struct Body: Encodable {
            let Container: String
            let EndpointConfig: ContainerSpec.EndpointSettings
        }
        try await call(.POST, "/networks/\(network)/connect",
                       json: Body(Container: container, EndpointConfig: .init(Aliases: aliases)))
    }

    /// The last `tail` lines a container wrote, stdout and stderr interleaved.
    func logs(_ id: String, tail: Int) async throws -> String {
        let response = try await call(.GET, "/containers/\(id)/logs",
                                      query: ["stdout": "1", "stderr": "1", "tail": String(tail)], timeout: .seconds(15))
        return DockerLogStream.text(of: response.body)
    }
}

/// An error answer from the Docker API, with the daemon's own message.
struct DockerAPIError: Error, CustomStringConvertible {
    let status: Int
    let message: String

    var description: String { "\(message) (HTTP \(status))" }
}

/// The daemon did not answer at all.
struct DockerUnreachable: UserFacingError {
    static let hostFix = "check DOCKER_HOST (and DOCKER_TLS_VERIFY/DOCKER_CERT_PATH), or start the daemon"
    static let kindFix = "kind's docker listens on 2375 inside kind: check kind.ports.docker, and that the job can reach that port"

    let endpoint: DockerEndpoint
    let failure: ConnectionFailure
    let fix: String

    var problem: Problem {
        Problem("the Docker daemon at \(endpoint) cannot be reached: \(failure)", fix: fix, status: .kindNotReady)
    }
}
