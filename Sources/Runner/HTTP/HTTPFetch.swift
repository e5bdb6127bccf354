import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

/// One HTTP exchange with a deadline and a cap on what is collected: every request kind-ci makes
/// goes through here, so none can hang or fill memory.
struct HTTPFetch: Sendable {
    let client: HTTPClient

    /// The client kind-ci uses for a whole command. Connection attempts are not retried inside the
    /// client: a refused or unresolvable address is an answer the readiness probes need at once.
    static func withClient<Result>(_ body: (HTTPFetch) async throws -> Result) async throws -> Result {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(3)
        configuration.decompression = .disabled
        return try await HTTPClient.withHTTPClient(configuration: configuration) { client in
            try await body(HTTPFetch(client: client))
        }
    }

    struct Response: Sendable {
        let status: Int
        let headers: HTTPHeaders
        let body: ByteBuffer

        var text: String { String(buffer: body) }
    }

    /// One exchange, the answer's body collected; the whole of it within `timeout`.
    func send(_ method: HTTPMethod = .GET, _ url: String, headers: HTTPHeaders = [:], body: Data? = nil,
              tls: TLSConfiguration? = nil, timeout: Duration, limit: Int = 4 << 20) async throws -> Response {
        try await Self.within(timeout) {
            let response = try await client.execute(Self.request(method, url, headers, body, tls), timeout: .nanoseconds(timeout.nanoseconds))
            let collected = try await response.body.collect(upTo: limit)
            return Response(status: Int(response.status.code), headers: response.headers, body: collected)
        }
    }

    /// Streams the response body to `consume` chunk by chunk (Docker's pull, build and log
    /// streams); a request body, if any, is streamed too. The whole of it within `timeout`.
    func stream(_ method: HTTPMethod = .GET, _ url: String, headers: HTTPHeaders = [:], body: HTTPClientRequest.Body? = nil,
                tls: TLSConfiguration? = nil, timeout: Duration,
                consume: @Sendable (ByteBuffer) async throws -> Void) async throws -> (status: Int, headers: HTTPHeaders) {
        var request = Self.request(method, url, headers, nil, tls)
        request.body = body
        // The exchange runs in a child task that ends before this returns: `consume` never escapes.
        return try await withoutActuallyEscaping(consume) { consume in
            try await Self.within(timeout) { [request] in
                let response = try await client.execute(request, timeout: .nanoseconds(timeout.nanoseconds))
                for try await chunk in response.body {
                    try await consume(chunk)
                }
                return (Int(response.status.code), response.headers)
            }
        }
    }

    /// The answer to a request, its body still to be read by the caller (as the body of another
    /// request: `docker save` relayed into `docker load`).
    func open(_ method: HTTPMethod, _ url: String, headers: HTTPHeaders, tls: TLSConfiguration?, timeout: Duration) async throws -> HTTPClientResponse {
        try await client.execute(Self.request(method, url, headers, nil, tls), timeout: .nanoseconds(timeout.nanoseconds))
    }

    /// Runs `exchange`, cancelled at `timeout` with the client's own deadline error: the client's
    /// deadline covers the answer's head only, and a server that stalls mid-body must not hang a run.
    private static func within<T: Sendable>(_ timeout: Duration, _ exchange: @Sendable @escaping () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask(operation: exchange)
            group.addTask {
                try await Task.sleep(for: timeout)
                throw HTTPClientError.deadlineExceeded
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }
}

extension HTTPFetch {
    private static func request(_ method: HTTPMethod, _ url: String, _ headers: HTTPHeaders, _ body: Data?,
                                _ tls: TLSConfiguration?) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers = headers
        request.tlsConfiguration = tls
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        return request
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
