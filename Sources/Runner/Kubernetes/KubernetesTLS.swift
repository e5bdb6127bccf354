import Foundation
import NIOCore
import NIOSSL
import Synchronization
import X509

/// TLS to kind's API server the way kubectl does it with kind-ci's kubeconfig: the chain must lead
/// to the kubeconfig's CA, and the certificate must hold the kubeconfig's `tls-server-name` (else
/// the server URL's host), whatever host was dialled. async-http-client cannot check a name other
/// than the one it dials, hence this handler (kind-service-contract.md, "Reaching the API").
struct KubernetesTLS: Sendable {
    let authorities: [NIOSSLCertificate]
    /// The name the server's certificate must hold.
    let serverName: String
    /// Made once: a connection per request would otherwise parse the certificates every time.
    private let context: NIOSSLContext

    init(authorities: [NIOSSLCertificate], clientChain: [NIOSSLCertificate], clientKey: NIOSSLPrivateKey?, serverName: String) throws {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .certificates(authorities)
        // The names are checked in `verify`, against `serverName`, not against the dialled address.
        configuration.certificateVerification = .noHostnameVerification
        configuration.certificateChain = clientChain.map { .certificate($0) }
        configuration.privateKey = clientKey.map { .privateKey($0) }
        // Like kubectl, close without waiting for the server's close_notify: the answer is read by
        // then, and NIOSSL's default wait (up to 5 s) would hold up every watch that is given up.
        configuration.shutdownTimeout = .milliseconds(50)
        context = try NIOSSLContext(configuration: configuration)
        self.authorities = authorities
        self.serverName = serverName
    }

    /// Why the last handshake's verification failed, for the error message.
    final class Failure: Sendable {
        private let reason = Mutex<String?>(nil)
        func set(_ text: String) { reason.withLock { $0 = text } }
        var text: String? { reason.withLock { $0 } }
    }

    func makeHandler(recordingFailureIn failure: Failure) throws -> NIOSSLClientHandler {
        let authorities = authorities
        let name = serverName
        return try NIOSSLClientHandler(
            context: context,
            // SNI carries host names only, never addresses.
            serverHostname: Self.isIPAddress(name) ? nil : name,
            configuration: .init(),
            customVerificationCallbackWithMetadata: { presented, promise in
                Task {
                    promise.succeed(await Self.verify(presented, authorities: authorities, name: name, failure: failure))
                }
            })
    }

    /// The chain against the CA (RFC 5280), then the leaf's names against `name`.
    static func verify(_ presented: [NIOSSLCertificate], authorities: [NIOSSLCertificate], name: String,
                       failure: Failure) async -> NIOSSLVerificationResultWithMetadata {
        do {
            let chain = try presented.map { try Certificate(derEncoded: $0.toDERBytes()) }
            let roots = try authorities.map { try Certificate(derEncoded: $0.toDERBytes()) }
            guard let leaf = chain.first else {
                failure.set("the server presented no certificate")
                return .failed
            }
            let isIP = isIPAddress(name)
            var verifier = Verifier(rootCertificates: CertificateStore(roots)) {
                RFC5280Policy()
                ServerIdentityPolicy(serverHostname: isIP ? nil : name, serverIP: isIP ? name : nil)
            }
            switch await verifier.validate(leaf: leaf, intermediates: CertificateStore(chain.dropFirst())) {
            case .validCertificate:
                return .certificateVerified(VerificationMetadata(nil))
            case let .couldNotValidate(failures):
                let names = (try? leaf.extensions.subjectAlternativeNames).map { $0.map(describe).joined(separator: ", ") } ?? "none"
                failure.set(failures.isEmpty
                    ? "the server's certificate does not lead to the kubeconfig's certificate authority"
                    : "the server's certificate (names: \(names)) was refused for \(name): \(failures.map { "\($0.policyFailureReason)" }.joined(separator: "; "))")
                return .failed
            }
        } catch {
            failure.set("the server's certificate could not be read: \(error)")
            return .failed
        }
    }

    static func isIPAddress(_ name: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, name, &v4) == 1 || inet_pton(AF_INET6, name, &v6) == 1
    }

    private static func describe(_ name: GeneralName) -> String {
        switch name {
        case let .dnsName(dns): return "DNS:\(dns)"
        case let .ipAddress(bytes):
            let octets = Array(bytes.bytes)
            return octets.count == 4 ? "IP:" + octets.map(String.init).joined(separator: ".") : "IP:\(octets)"
        default: return "\(name)"
        }
    }
}
