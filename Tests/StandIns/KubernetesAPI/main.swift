// A stand-in for kind's kube-apiserver: HTTPS on the given port with a server certificate holding
// kind's names (not the test host's), and client-certificate authentication as the real one has:
// a client without a certificate the CA signed fails the handshake.
//
//   KubernetesAPIStandIn --port N --cert server.pem --key server-key.pem --client-ca ca.pem
//                        [--host 127.0.0.1] [--git-version v1.23.10]
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

struct Options {
    var host = "127.0.0.1"
    var port = 8443
    var certificate = ""
    var key = ""
    var clientCA = ""
    var gitVersion = "v1.23.10"

    init(arguments: [String]) throws {
        var iterator = arguments.dropFirst().makeIterator()
        func value(_ flag: String) throws -> String {
            guard let value = iterator.next() else { throw UsageError(message: "\(flag) needs a value") }
            return value
        }
        while let flag = iterator.next() {
            switch flag {
            case "--host": host = try value(flag)
            case "--port": port = Int(try value(flag)) ?? -1
            case "--cert": certificate = try value(flag)
            case "--key": key = try value(flag)
            case "--client-ca": clientCA = try value(flag)
            case "--git-version": gitVersion = try value(flag)
            default: throw UsageError(message: "unknown option \(flag)")
            }
        }
        guard !certificate.isEmpty, !key.isEmpty, !clientCA.isEmpty else {
            throw UsageError(message: "--cert, --key and --client-ca are required")
        }
    }

    /// `/version` as kube-apiserver answers it.
    var version: String {
        let parts = gitVersion.dropFirst().split(separator: ".")
        return """
            {"major": "\(parts.first ?? "1")", "minor": "\(parts.dropFirst().first ?? "23")", "gitVersion": "\(gitVersion)", \
            "gitCommit": "0000000000000000000000000000000000000000", "gitTreeState": "clean", \
            "buildDate": "2022-08-17T18:47:37Z", "goVersion": "go1.17.13", "compiler": "gc", "platform": "linux/amd64"}
            """
    }
}

struct UsageError: Error {
    let message: String
}

final class APIHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let options: Options

    init(options: Options) {
        self.options = options
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case let .head(request) = unwrapInboundIn(data) else { return }
        let path = String(request.uri.split(separator: "?").first ?? "")
        let (status, body): (HTTPResponseStatus, String) = switch (request.method, path) {
        case (.GET, "/version"): (.ok, options.version)
        default: (.notFound, Self.status(404, "NotFound", "the server could not find the requested resource"))
        }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Content-Length", value: String(body.utf8.count))
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    /// A `Status` object, the API's shape for errors.
    static func status(_ code: Int, _ reason: String, _ message: String) -> String {
        #"{"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": "\#(message)", "reason": "\#(reason)", "code": \#(code)}"#
    }

    /// A failed handshake or a broken client must not stop the server.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

let options: Options
do {
    options = try Options(arguments: CommandLine.arguments)
} catch let error as UsageError {
    FileHandle.standardError.write(Data("KubernetesAPIStandIn: \(error.message)\n".utf8))
    exit(64)
}
var tls = TLSConfiguration.makeServerConfiguration(
    certificateChain: try NIOSSLCertificate.fromPEMFile(options.certificate).map { .certificate($0) },
    privateKey: .privateKey(try NIOSSLPrivateKey(file: options.key, format: .pem)))
// Like kube-apiserver's --client-ca-file: a client must present a certificate this CA signed.
tls.certificateVerification = .noHostnameVerification
tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(options.clientCA))
let context = try NIOSSLContext(configuration: tls)
let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
    .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
            try channel.pipeline.syncOperations.configureHTTPServerPipeline()
            try channel.pipeline.syncOperations.addHandler(APIHandler(options: options))
        }
    }
    .bind(host: options.host, port: options.port)
    .get()
FileHandle.standardOutput.write(Data("listening on \(options.host):\(options.port)\n".utf8))
try await channel.closeFuture.get()
