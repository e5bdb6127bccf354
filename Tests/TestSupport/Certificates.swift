import Foundation

/// Test certificates made with the machine's `openssl`: a CA, a server certificate for the given
/// names, and a client certificate, in a folder laid out as Docker expects (`ca.pem`, `cert.pem`,
/// `key.pem` for the client; `server-cert.pem`, `server-key.pem` for the server).
public enum Certificates {
    public static func make(in folder: URL, serverNames: [String], caName: String = "kind-ci-test-ca",
                            clientSubject: String = "/CN=client") throws {
        func openssl(_ arguments: [String]) throws {
            let result = try Command.run("/usr/bin/openssl", arguments, in: folder)
            guard result.status == 0 else {
                throw TestDocker.Failure(description: "openssl \(arguments.joined(separator: " ")): \(result.stderr)")
            }
        }
        let names = serverNames.map { $0.allSatisfy { $0.isNumber || $0 == "." } ? "IP:\($0)" : "DNS:\($0)" }.joined(separator: ",")
        try Data("subjectAltName=\(names)\nextendedKeyUsage=serverAuth\n".utf8).write(to: folder.appendingPathComponent("server.ext"))
        try Data("extendedKeyUsage=clientAuth\n".utf8).write(to: folder.appendingPathComponent("client.ext"))
        try openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca-key.pem", "-out", "ca.pem", "-days", "2", "-subj", "/CN=\(caName)"])
        for (role, key, certificate, subject) in [("server", "server-key.pem", "server-cert.pem", "/CN=server"),
                                                  ("client", "key.pem", "cert.pem", clientSubject)] {
            try openssl(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", "\(role).csr", "-subj", subject])
            try openssl(["x509", "-req", "-in", "\(role).csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial",
                         "-out", certificate, "-days", "2", "-extfile", "\(role).ext"])
        }
    }
}
