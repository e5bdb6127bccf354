// A stand-in for kind's kube-apiserver: HTTPS on the given port with a server certificate holding
// kind's names (not the test host's), and client-certificate authentication as the real one has:
// a client without a certificate the CA signed fails the handshake.
//
//   KubernetesAPIStandIn --port N --cert server.pem --key server-key.pem --client-ca ca.pem
//                        [--host 127.0.0.1] [--git-version v1.23.10]
//                        [--unavailable-first N] [--throttled-first N]   (503, then 429 with Retry-After: 1)
//                        [--conflict-first N]   (the first N applies answer 409 Conflict, as a write racing another does)
//                        [--webhook-down]   (every apply answers 500, as when an admission webhook's service is not there)
//                        [--docker tcp://127.0.0.1:23750]   (pods run as containers there; else they are only pretended)
//                        [--token TOKEN]   (also accept `Authorization: Bearer TOKEN`; a client certificate becomes optional)
//                        [--drop-watches-after SECONDS]   (cut every watch stream after that long, as a flaky network does)
import Foundation
import StandInCommandLine
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

struct Options {
    var host = "127.0.0.1"
    var port = 8443
    var certificate = ""
    var key = ""
    var clientCA = ""
    var gitVersion = "v1.23.10"
    /// The first requests answered 503, then 429, as an API server under load does.
    var unavailableFirst = 0
    var throttledFirst = 0
    var conflictFirst = 0
    var webhookDown = false
    /// kind's docker (`tcp://127.0.0.1:23750`): pods then run there as containers.
    var docker: String?
    /// A bearer token accepted instead of a client certificate, as a ServiceAccount token is.
    var token: String?
    /// Every watch stream is cut after this long.
    var dropWatchesAfter: Double?

    init(arguments: [String]) throws {
        var flags = FlagReader(arguments)
        while let flag = flags.next() {
            switch flag {
            case "--host": host = try flags.value(of: flag)
            case "--port": port = Int(try flags.value(of: flag)) ?? -1
            case "--cert": certificate = try flags.value(of: flag)
            case "--key": key = try flags.value(of: flag)
            case "--client-ca": clientCA = try flags.value(of: flag)
            case "--git-version": gitVersion = try flags.value(of: flag)
            case "--unavailable-first": unavailableFirst = Int(try flags.value(of: flag)) ?? 0
            case "--throttled-first": throttledFirst = Int(try flags.value(of: flag)) ?? 0
            case "--conflict-first": conflictFirst = Int(try flags.value(of: flag)) ?? 0
            case "--webhook-down": webhookDown = true
            case "--docker": docker = try flags.value(of: flag).replacing("tcp://", with: "http://")
            case "--token": token = try flags.value(of: flag)
            case "--drop-watches-after": dropWatchesAfter = Double(try flags.value(of: flag))
            default: throw UsageError("unknown option \(flag)")
            }
        }
        guard !certificate.isEmpty, !key.isEmpty, !clientCA.isEmpty else {
            throw UsageError("--cert, --key and --client-ca are required")
        }
    }
}

/// One connection: collects each request, answers it through `API`, and keeps watches open,
/// streaming their events as JSON lines in a chunked response.
final class APIHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let api: API
    let token: String?
    let dropWatchesAfter: Double?
    private var head: HTTPRequestHead?
    private var body = ByteBuffer()
    private var watchID: UUID?

    init(api: API, token: String?, dropWatchesAfter: Double?) {
        self.api = api
        self.token = token
        self.dropWatchesAfter = dropWatchesAfter
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case let .head(request):
            head = request
            body.clear()
        case var .body(chunk):
            body.writeBuffer(&chunk)
        case .end:
            guard let head else { return }
            respond(context, head)
        }
    }

    private func respond(_ context: ChannelHandlerContext, _ head: HTTPRequestHead) {
        let components = URLComponents(string: head.uri)
        var query: [String: String] = [:]
        // Go clients write spaces in queries as `+` (form encoding), as in `tier in (front)`.
        for item in components?.percentEncodedQueryItems ?? [] {
            let value = (item.value ?? "").replacing("+", with: "%20")
            query[item.name.removingPercentEncoding ?? item.name] = value.removingPercentEncoding ?? value
        }
        if !authenticated(context, head) {
            let body = #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}"#
            send(context, head, status: 401, contentType: "application/json", body: Data(body.utf8))
            return
        }
        if let refusal = Self.refusal() {
            send(context, head, status: refusal, contentType: "application/json", body: Data("{}".utf8), retryAfter: refusal == 429)
            return
        }
        if head.method == .PATCH, Self.conflicts.withLock({ count in
            defer { count = max(count - 1, 0) }
            return count > 0
        }) {
            let body = #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Operation cannot be fulfilled: the object has been modified; please apply your changes to the latest version and try again","reason":"Conflict","code":409}"#
            send(context, head, status: 409, contentType: "application/json", body: Data(body.utf8))
            return
        }
        if head.method == .PATCH, Self.webhookDown.withLock({ $0 }) {
            // kube-apiserver's answer when a validating webhook cannot be called.
            let body = #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Internal error occurred: failed calling webhook \"validate.example.com\": failed to call webhook: Post \"https://validator.default.svc:443/validate?timeout=10s\": dial tcp 10.96.0.20:443: connect: connection refused","reason":"InternalError","code":500}"#
            send(context, head, status: 500, contentType: "application/json", body: Data(body.utf8))
            return
        }
        let request = API.Request(method: head.method.rawValue, path: components?.path ?? head.uri, query: query,
                                  contentType: head.headers.first(name: "Content-Type") ?? "", body: Data(body.readableBytesView))
        switch api.handle(request) {
        case let .json(status, object):
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
            send(context, head, status: status, contentType: "application/json", body: data)
        case let .text(status, text):
            send(context, head, status: status, contentType: "text/plain", body: Data(text.utf8))
        case let .watch(resource, namespace, since, matches):
            startWatch(context, head, resource: resource, namespace: namespace, since: since, matches: matches)
        }
    }

    /// A client certificate the CA signed (the handshake verified it), or the bearer token.
    private func authenticated(_ context: ChannelHandlerContext, _ head: HTTPRequestHead) -> Bool {
        guard let token else { return true }
        if (try? context.pipeline.syncOperations.nioSSL_peerCertificate()) != nil { return true }
        return head.headers.first(name: "Authorization") == "Bearer \(token)"
    }

    /// Counts down `--unavailable-first`, then `--throttled-first`.
    static let refusals = Mutex((unavailable: 0, throttled: 0))
    /// Counts down `--conflict-first`.
    static let conflicts = Mutex(0)
    static let webhookDown = Mutex(false)

    static func refusal() -> Int? {
        refusals.withLock { counts in
            if counts.unavailable > 0 { counts.unavailable -= 1; return 503 }
            if counts.throttled > 0 { counts.throttled -= 1; return 429 }
            return nil
        }
    }

    private func send(_ context: ChannelHandlerContext, _ head: HTTPRequestHead, status: Int, contentType: String, body: Data,
                      retryAfter: Bool = false) {
        var headers = HTTPHeaders()
        if retryAfter { headers.add(name: "Retry-After", value: "1") }
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: String(body.count))
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .init(statusCode: status), headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    private func startWatch(_ context: ChannelHandlerContext, _ head: HTTPRequestHead, resource: Resource, namespace: String?, since: Int?,
                            matches: @escaping @Sendable ([String: Any]) -> Bool) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Transfer-Encoding", value: "chunked")
        context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .ok, headers: headers))), promise: nil)
        let channel = context.channel
        let id = UUID()
        watchID = id
        let deliver: @Sendable (ObjectStore.Event) -> Void = { event in
            var object = event.object
            object["kind"] = resource.kind
            object["apiVersion"] = resource.groupVersion
            guard var line = try? JSONSerialization.data(withJSONObject: ["type": event.type, "object": object], options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
            line.append(UInt8(ascii: "\n"))
            let buffer = ByteBuffer(bytes: line)
            channel.eventLoop.execute {
                channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(buffer)), promise: nil)
            }
        }
        api.store.watch(.init(id: id, resource: resource.name, namespace: namespace, matches: matches, deliver: deliver), since: since)
        if let dropWatchesAfter {
            channel.eventLoop.scheduleTask(in: .milliseconds(Int64(dropWatchesAfter * 1000))) { channel.close(promise: nil) }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let watchID { api.store.stopWatching(watchID) }
        context.fireChannelInactive()
    }

    /// A failed handshake or a broken client must not stop the server.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

let options = try optionsOrExit(program: "KubernetesAPIStandIn") { try Options(arguments: CommandLine.arguments) }
var tls = TLSConfiguration.makeServerConfiguration(
    certificateChain: try NIOSSLCertificate.fromPEMFile(options.certificate).map { .certificate($0) },
    privateKey: .privateKey(try NIOSSLPrivateKey(file: options.key, format: .pem)))
// Like kube-apiserver's --client-ca-file: a client certificate must be one this CA signed; without
// a token to accept instead, a client must present one.
tls.certificateVerification = options.token == nil ? .noHostnameVerification : .optionalVerification
tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(options.clientCA))
let context = try NIOSSLContext(configuration: tls)
APIHandler.refusals.withLock { $0 = (options.unavailableFirst, options.throttledFirst) }
APIHandler.conflicts.withLock { $0 = options.conflictFirst }
APIHandler.webhookDown.withLock { $0 = options.webhookDown }
let store = ObjectStore(podsRunForReal: options.docker != nil)
Controllers(store: store).bootstrap()
if let docker = options.docker {
    let kubelet = Kubelet(store: store, docker: docker, owner: String(options.port), host: options.host)
    Task { await kubelet.run() }
}
let api = API(store: store, version: options.gitVersion)
let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
    .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
            try channel.pipeline.syncOperations.configureHTTPServerPipeline()
            try channel.pipeline.syncOperations.addHandler(APIHandler(api: api, token: options.token, dropWatchesAfter: options.dropWatchesAfter))
        }
    }
    .bind(host: options.host, port: options.port)
    .get()
FileHandle.standardOutput.write(Data("listening on \(options.host):\(options.port)\n".utf8))
try await channel.closeFuture.get()
