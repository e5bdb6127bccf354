import Foundation
import KindCICore
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// One HTTPS exchange with kind's API server over its own TLS handler (`KubernetesTLS`), with a
/// deadline and a cap on the body. A connection per request: kind-ci makes few requests.
struct KubernetesTransport: Sendable {
    let host: String
    let port: Int
    let tls: KubernetesTLS
    /// `Authorization: Bearer …` for token users.
    let token: String?

    struct Response: Sendable {
        let status: Int
        let headers: HTTPHeaders
        let body: ByteBuffer
        var text: String { String(buffer: body) }
    }

    /// How long kind's API server may go without a good answer (no connection, 5xx) before the
    /// run gives up on it: long enough for the apiserver to restart, short of hiding a kind that
    /// died until the overall deadline.
    static let patience = Duration.seconds(30)
    /// How many times an apply that races another write (409) is sent before its answer stands.
    static let conflictAttempts = 5

    /// `send`, again and again while the answer is worth waiting out: no connection (the API
    /// server restarting), 429 (after its Retry-After), 409 on an apply (a write racing this one)
    /// or 5xx; until `deadline`, and no longer than `patience` without a good answer. Backs off
    /// from 100 ms to 2 s. A TLS refusal is final: retrying cannot make a certificate right.
    /// What is still wrong at the end comes back as it is: the last answer, or the connection error.
    func sendRetrying(_ method: HTTPMethod, _ path: String, body: ByteBuffer? = nil, contentType: String? = nil,
                      until deadline: ContinuousClock.Instant) async throws -> Response {
        var backoff = Duration.milliseconds(100)
        var trouble = TroubleClock()
        var conflicts = 0
        while true {
            let remaining = deadline - .now
            var wait = backoff
            do {
                let response = try await send(method, path, body: body, contentType: contentType, timeout: min(.seconds(15), max(remaining, .milliseconds(100))))
                let conflict = response.status == 409 && method == .PATCH
                if conflict { conflicts += 1 }
                trouble.note(failing: response.status >= 500)
                guard response.status == 429 || response.status >= 500 || (conflict && conflicts < Self.conflictAttempts),
                      ContinuousClock.now + backoff < deadline, !trouble.outlasted(Self.patience) else { return response }
                if response.status == 429, let seconds = response.headers.first(name: "Retry-After").flatMap(Int.init) {
                    wait = .seconds(seconds)
                }
            } catch let error as KubernetesUnreachable where !error.tlsRefused && ContinuousClock.now + backoff < deadline {
                // Connection trouble: wait and try again, within patience.
                trouble.note(failing: true)
                if trouble.outlasted(Self.patience) { throw error.lost(after: trouble.duration) }
            }
            try await Task.sleep(for: min(wait, max(deadline - .now, .zero)))
            backoff = min(backoff * 2, .seconds(2))
        }
    }

    func send(_ method: HTTPMethod, _ path: String, body: ByteBuffer? = nil, contentType: String? = nil,
              timeout: Duration = .seconds(15), limit: Int = 16 << 20) async throws -> Response {
        try await reporting { failure in
            try await withThrowingTaskGroup(of: Response.self) { group in
                group.addTask { try await collect(method, path, body: body, contentType: contentType, limit: limit, failure: failure) }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    throw KubernetesUnreachable(host: host, port: port, reason: "no answer within \(ProgressReporter.format(timeout))", tlsRefused: false)
                }
                defer { group.cancelAll() }
                return try await group.next()!
            }
        }
    }

    /// Runs an exchange, turning what went wrong underneath (no connection, a refused certificate,
    /// with the reason kubectl would give) into `KubernetesUnreachable`; what the caller's own
    /// handler threw passes through as it is.
    private func reporting<T>(_ body: (KubernetesTLS.Failure) async throws -> T) async throws -> T {
        let failure = KubernetesTLS.Failure()
        do {
            return try await body(failure)
        } catch let error as KubernetesUnreachable {
            throw error
        } catch let error as HandlerFailure {
            throw error.error
        } catch {
            if error is CancellationError || Task.isCancelled { throw CancellationError() }
            throw KubernetesUnreachable(host: host, port: port, reason: failure.text ?? "\(ConnectionFailure(error))", tlsRefused: failure.text != nil)
        }
    }

    private struct HandlerFailure: Error {
        let error: any Error
    }

    /// Opens a connection and sends the request; `read` takes the answer's parts.
    private func exchange<T: Sendable>(_ method: HTTPMethod, _ path: String, body: ByteBuffer?, contentType: String?,
                                       failure: KubernetesTLS.Failure,
                                       read: (NIOAsyncChannelInboundStream<HTTPClientResponsePart>) async throws -> T) async throws -> T {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(5))
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(try tls.makeHandler(recordingFailureIn: failure))
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var headers = HTTPHeaders()
            headers.add(name: "Host", value: "\(host):\(port)")
            headers.add(name: "Accept", value: "application/json")
            headers.add(name: "User-Agent", value: "kind-ci/\(KindCIVersion.current)")
            headers.add(name: "Connection", value: "close")
            if let token { headers.add(name: "Authorization", value: "Bearer \(token)") }
            if let contentType { headers.add(name: "Content-Type", value: contentType) }
            headers.add(name: "Content-Length", value: String(body?.readableBytes ?? 0))
            try await outbound.write(.head(HTTPRequestHead(version: .http1_1, method: method, uri: path, headers: headers)))
            if let body { try await outbound.write(.body(.byteBuffer(body))) }
            try await outbound.write(.end(nil))
            return try await read(inbound)
        }
    }

    private func collect(_ method: HTTPMethod, _ path: String, body: ByteBuffer?, contentType: String?, limit: Int,
                         failure: KubernetesTLS.Failure) async throws -> Response {
        try await exchange(method, path, body: body, contentType: contentType, failure: failure) { inbound in
            var status = 0
            var responseHeaders = HTTPHeaders()
            var collected = ByteBuffer()
            for try await part in inbound {
                switch part {
                case let .head(head):
                    status = Int(head.status.code)
                    responseHeaders = head.headers
                case var .body(chunk):
                    guard collected.readableBytes + chunk.readableBytes <= limit else {
                        throw KubernetesUnreachable(host: host, port: port, reason: "the answer to \(path) is larger than \(limit) bytes",
                                                    tlsRefused: false)
                    }
                    collected.writeBuffer(&chunk)
                case .end:
                    return Response(status: status, headers: responseHeaders, body: collected)
                }
            }
            throw KubernetesUnreachable(host: host, port: port, reason: "the connection closed before the answer to \(path) ended",
                                        tlsRefused: false)
        }
    }

    /// A GET whose answer is a stream of JSON lines (a watch): each line goes to `line` as it
    /// arrives. Returns when the server ends the stream; a status other than 200 comes back as
    /// the whole (short) answer instead.
    func streamLines(_ path: String, line: @Sendable (ByteBuffer) async throws -> Void) async throws -> Response? {
        func handle(_ text: ByteBuffer) async throws {
            do {
                try await line(text)
            } catch {
                throw HandlerFailure(error: error)
            }
        }
        return try await reporting { failure -> Response? in
            try await exchange(.GET, path, body: nil, contentType: nil, failure: failure) { inbound -> Response? in
                var status = 0
                var headers = HTTPHeaders()
                var pending = ByteBuffer()
                for try await part in inbound {
                    switch part {
                    case let .head(head):
                        status = Int(head.status.code)
                        headers = head.headers
                    case var .body(chunk):
                        pending.writeBuffer(&chunk)
                        guard status == 200 else { continue }
                        while let newline = pending.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
                            let length = newline - pending.readerIndex
                            if let text = pending.readSlice(length: length), text.readableBytes > 0 { try await handle(text) }
                            pending.moveReaderIndex(forwardBy: 1)
                        }
                        pending.discardReadBytes()
                        guard pending.readableBytes <= 16 << 20 else {
                            throw KubernetesUnreachable(host: host, port: port, reason: "a watch event of \(path) is larger than 16 MiB",
                                                        tlsRefused: false)
                        }
                    case .end:
                        if status == 200 {
                            if pending.readableBytes > 0 { try await handle(pending) }
                            return nil
                        }
                        return Response(status: status, headers: headers, body: pending)
                    }
                }
                return nil
            }
        }
    }
}

/// kind's API server could not be reached, or its TLS was refused (with the reason kubectl would
/// give). Exit 75: kind is not usable yet.
struct KubernetesUnreachable: UserFacingError, CustomStringConvertible {
    let host: String
    let port: Int
    let reason: String
    /// The server's certificate was refused (not a passing connection problem).
    let tlsRefused: Bool
    var fix = "check kind.ports.api and that the job can reach kind's port 8443"

    var problem: Problem { Problem(description, fix: fix, status: .kindNotReady) }
    var description: String { "the Kubernetes API at \(host):\(port): \(reason)" }

    /// The same trouble, once it has lasted past patience: the server answered before, so kind
    /// itself went away.
    func lost(after duration: Duration) -> KubernetesUnreachable {
        KubernetesUnreachable(host: host, port: port, reason: "stopped answering for \(ProgressReporter.format(duration)) (\(reason))",
                              tlsRefused: false, fix: Self.kindGoneFix)
    }

    static let kindGoneFix = "kind's container may have died or run out of memory: its own log says which (on GitLab, set CI_DEBUG_SERVICES); retry the job"
}

/// How long requests have gone without a good answer, to weigh against `patience`.
struct TroubleClock {
    private var since: ContinuousClock.Instant?

    mutating func note(failing: Bool) {
        since = failing ? since ?? .now : nil
    }

    var duration: Duration { since.map { .now - $0 } ?? .zero }

    func outlasted(_ patience: Duration) -> Bool { duration >= patience }
}
