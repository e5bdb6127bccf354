import Foundation
import KindCICore
import NIOHTTP1
import NIOSSL

/// A Docker Engine as the docker CLI would reach it: `DOCKER_HOST` (`unix://` or `tcp://`), with
/// TLS from `DOCKER_TLS_VERIFY` and `DOCKER_CERT_PATH` (what Codeship's `add_docker` sets), else the
/// local socket.
public struct DockerEndpoint: Sendable, CustomStringConvertible {
    enum Address: Sendable, Equatable {
        case unix(path: String)
        case tcp(host: String, port: Int)
    }

    let address: Address
    let tls: TLSConfiguration?

    public static let localSocket = "/var/run/docker.sock"

    /// Kind's own docker: plain TCP, no TLS (kind-service-contract.md).
    public static func plain(host: String, port: Int) -> DockerEndpoint {
        DockerEndpoint(address: .tcp(host: host, port: port), tls: nil)
    }

    /// The daemon the environment names, or nil when it names none and there is no local socket.
    public static func fromEnvironment(_ environment: [String: String]) throws -> DockerEndpoint? {
        let host = environment["DOCKER_HOST"].flatMap { $0.isEmpty ? nil : $0 }
        guard let host else {
            return FileManager.default.fileExists(atPath: localSocket)
                ? DockerEndpoint(address: .unix(path: localSocket), tls: nil) : nil
        }
        let useTLS = !(environment["DOCKER_TLS_VERIFY"] ?? "").isEmpty
        if host.hasPrefix("unix://") {
            return DockerEndpoint(address: .unix(path: String(host.dropFirst("unix://".count))), tls: nil)
        }
        guard host.hasPrefix("tcp://"), let url = URLComponents(string: host.replacing("tcp://", with: "http://")),
              let name = url.host, !name.isEmpty else {
            throw Problem("DOCKER_HOST=\(host) is not a unix:// or tcp:// address kind-ci can use",
                          fix: "set DOCKER_HOST to unix:///var/run/docker.sock or tcp://HOST:PORT",
                          status: .badConfiguration)
        }
        let port = url.port ?? (useTLS ? 2376 : 2375)
        guard useTLS else { return DockerEndpoint(address: .tcp(host: name, port: port), tls: nil) }
        let folder = environment["DOCKER_CERT_PATH"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.docker")
        return DockerEndpoint(address: .tcp(host: name, port: port), tls: try tlsConfiguration(folder: folder))
    }

    /// `ca.pem`, `cert.pem` and `key.pem` from the folder, each failure naming its file.
    static func tlsConfiguration(folder: String) throws -> TLSConfiguration {
        func load<T>(_ name: String, _ read: (String) throws -> T) throws -> T {
            let path = (folder as NSString).appendingPathComponent(name)
            do {
                return try read(path)
            } catch {
                throw Problem("cannot load \(path) for Docker's TLS: \(error)",
                              fix: "DOCKER_CERT_PATH must hold ca.pem, cert.pem and key.pem (or unset DOCKER_TLS_VERIFY)",
                              status: .badConfiguration)
            }
        }
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .certificates(try load("ca.pem") { try NIOSSLCertificate.fromPEMFile($0) })
        configuration.certificateChain = try load("cert.pem") { try NIOSSLCertificate.fromPEMFile($0) }.map { .certificate($0) }
        configuration.privateKey = .privateKey(try load("key.pem") { try NIOSSLPrivateKey(file: $0, format: .pem) })
        return configuration
    }

    /// Headers every request needs. Over a unix socket the URL's host is the encoded socket path,
    /// which the daemon refuses as a Host header (400), so name a plain one, as the docker CLI does.
    var baseHeaders: HTTPHeaders {
        guard case .unix = address else { return [:] }
        return ["Host": "docker"]
    }

    /// The URL of an API path, e.g. `/v1.41/containers/json`.
    func url(_ path: String) -> String {
        switch address {
        case let .unix(socket):
            return URL(httpURLWithSocketPath: socket, uri: path)?.absoluteString ?? "http+unix://invalid\(path)"
        case let .tcp(host, port):
            let bracketed = host.contains(":") ? "[\(host)]" : host
            return "\(tls == nil ? "http" : "https")://\(bracketed):\(port)\(path)"
        }
    }

    public var description: String {
        switch address {
        case let .unix(path): "unix://\(path)"
        case let .tcp(host, port): "tcp://\(host):\(port)\(tls == nil ? "" : " (TLS)")"
        }
    }
}
