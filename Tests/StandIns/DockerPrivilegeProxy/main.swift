// A Docker Engine API proxy that plays a CI host's daemon, which grants `--privileged`: every
// request goes to the real daemon unchanged, except that a container created with
// `HostConfig.Privileged` gets the options this sandbox allows instead (testing-here.md).
// Requests and answers are passed whole (no streams are kept open), which is all `kind-ci up` needs.
//
//   DockerPrivilegeProxy --listen /path/proxy.sock --daemon /path/docker.sock
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

guard CommandLine.arguments.count == 5, CommandLine.arguments[1] == "--listen", CommandLine.arguments[3] == "--daemon" else {
    FileHandle.standardError.write(Data("usage: DockerPrivilegeProxy --listen SOCKET --daemon SOCKET\n".utf8))
    exit(64)
}
let listen = CommandLine.arguments[2]
let daemon = CommandLine.arguments[4]

/// The create request with privilege swapped for the equivalent options.
func unprivileged(_ body: Data) -> Data {
    guard var object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any],
          var host = object["HostConfig"] as? [String: Any], host["Privileged"] as? Bool == true else { return body }
    host["Privileged"] = false
    host["CapAdd"] = (host["CapAdd"] as? [String] ?? []) + ["ALL"]
    host["CapDrop"] = (host["CapDrop"] as? [String] ?? []) + ["SYS_RESOURCE"]
    host["SecurityOpt"] = (host["SecurityOpt"] as? [String] ?? []) + ["seccomp=unconfined", "apparmor=unconfined"]
    // What the CLI's `--security-opt systempaths=unconfined` means in the API.
    host["MaskedPaths"] = [String]()
    host["ReadonlyPaths"] = [String]()
    host["Binds"] = (host["Binds"] as? [String] ?? []) + ["/sys/fs/cgroup:/sys/fs/cgroup:rw"]
    object["HostConfig"] = host
    return (try? JSONSerialization.data(withJSONObject: object)) ?? body
}

final class ProxyHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private var head: HTTPRequestHead?
    private var body = ByteBuffer()

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case let .head(request):
            head = request
            body.clear()
        case var .body(chunk):
            body.writeBuffer(&chunk)
        case .end:
            guard let head else { return }
            let channel = context.channel
            let payload = Data(body.readableBytesView)
            let loop = context.eventLoop
            Task {
                let (status, headers, answer) = await Self.forward(head, payload)
                loop.execute {
                    var responseHeaders = HTTPHeaders()
                    for (name, value) in headers where !["content-length", "transfer-encoding", "connection"].contains(name.lowercased()) {
                        responseHeaders.add(name: name, value: value)
                    }
                    responseHeaders.add(name: "Content-Length", value: String(answer.readableBytes))
                    channel.write(HTTPServerResponsePart.head(HTTPResponseHead(version: head.version, status: status, headers: responseHeaders)),
                                  promise: nil)
                    channel.write(HTTPServerResponsePart.body(.byteBuffer(answer)), promise: nil)
                    channel.writeAndFlush(HTTPServerResponsePart.end(nil), promise: nil)
                }
            }
        }
    }

    static func forward(_ head: HTTPRequestHead, _ body: Data) async -> (HTTPResponseStatus, HTTPHeaders, ByteBuffer) {
        let path = head.uri.split(separator: "?").first.map(String.init) ?? head.uri
        let isCreate = head.method == .POST && path.hasSuffix("/containers/create")
        var request = HTTPClientRequest(url: "http+unix://\(daemon.addingPercentEncoding(withAllowedCharacters: .urlHostAllowed) ?? daemon)\(head.uri)")
        request.method = head.method
        for (name, value) in head.headers where !["host", "content-length", "connection"].contains(name.lowercased()) {
            request.headers.add(name: name, value: value)
        }
        // Docker's Go server refuses a request over its socket without a Host.
        request.headers.replaceOrAdd(name: "Host", value: "docker")
        if !body.isEmpty || head.method == .POST {
            request.body = .bytes(ByteBuffer(bytes: isCreate ? unprivileged(body) : body))
        }
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(600))
            return (response.status, response.headers, try await response.body.collect(upTo: 512 << 20))
        } catch {
            return (.badGateway, [:], ByteBuffer(string: #"{"message":"proxy: \#(error)"}"#))
        }
    }
}

try? FileManager.default.removeItem(atPath: listen)
let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
    .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.configureHTTPServerPipeline()
            try channel.pipeline.syncOperations.addHandler(ProxyHandler())
        }
    }
    .bind(unixDomainSocketPath: listen)
    .get()
chmod(listen, 0o666)
FileHandle.standardOutput.write(Data("listening on \(listen)\n".utf8))
try await server.closeFuture.get()
