// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "kind-ci",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "kind-ci", targets: ["kind-ci"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
    ],
    targets: [
        // The `kind-ci.yml` model, its located diagnostics and the exit statuses every command shares.
        .target(
            name: "KindCICore",
            dependencies: [.product(name: "Yams", package: "Yams")]
        ),
        // CI hosts: scaffolding kind-ci.yml and rendering each host's pipeline from templates/.
        // No networking here.
        .target(
            name: "Providers",
            dependencies: [
                "KindCICore",
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Yams", package: "Yams"),
            ],
            plugins: ["EmbedTemplates"]
        ),
        // `kind-ci run`, `up`, `down`, `bake`: finding, starting and waiting for kind; the Docker and
        // Kubernetes clients; builds, deploys, tests, reports, progress and diagnoses.
        .target(
            name: "Runner",
            dependencies: [
                "KindCICore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // Build-time only: compiles templates/ into the Providers module.
        .executableTarget(name: "EmbedFiles"),
        .plugin(
            name: "EmbedTemplates",
            capability: .buildTool(),
            dependencies: ["EmbedFiles"]
        ),
        // Commands only: parses arguments and hands over to the libraries.
        .executableTarget(
            name: "kind-ci",
            dependencies: [
                "KindCICore",
                "Providers",
                "Runner",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The stand-ins' shared command-line reading. Not shipped.
        .target(name: "StandInCommandLine", path: "Tests/StandIns/CommandLine"),
        // Test-only stand-in for kind's config endpoint (port 10080): refuses, then serves
        // docker-ready, then kubernetes-ready, on a script of delays. Not shipped.
        .executableTarget(
            name: "ConfigEndpointStandIn",
            dependencies: [
                "StandInCommandLine",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tests/StandIns/ConfigEndpoint"
        ),
        // Test-only stand-in for kind's kube-apiserver (port 8443): HTTPS with client-certificate
        // auth, answering as the real one does. Not shipped.
        .executableTarget(
            name: "KubernetesAPIStandIn",
            dependencies: [
                "StandInCommandLine",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ],
            path: "Tests/StandIns/KubernetesAPI"
        ),
        // Test-only Docker API proxy for the pipeline emulations: a daemon that, like a CI host's,
        // grants --privileged, by asking this sandbox's daemon for the equivalent options. Not shipped.
        .executableTarget(
            name: "DockerPrivilegeProxy",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Tests/StandIns/DockerPrivilegeProxy"
        ),
        // Test-only TCP proxy that cuts connections after so many bytes, as a dropped link does
        // (kind's docker going away mid-build). Not shipped.
        .executableTarget(
            name: "FaultProxy",
            dependencies: [
                "StandInCommandLine",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Tests/StandIns/FaultProxy"
        ),
        // Helpers shared by the test targets: running the built binary, scratch folders.
        .target(
            name: "TestSupport",
            dependencies: [.product(name: "Yams", package: "Yams")],
            path: "Tests/TestSupport"
        ),
        .testTarget(
            name: "RunnerTests",
            dependencies: ["Runner", "KindCICore", "TestSupport",
                           .product(name: "NIOCore", package: "swift-nio"),
                           .product(name: "AsyncHTTPClient", package: "async-http-client")]
        ),
        .testTarget(
            name: "KindCICoreTests",
            dependencies: ["KindCICore", "TestSupport", .product(name: "Yams", package: "Yams")],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "ProvidersTests",
            dependencies: ["Providers", "KindCICore", "TestSupport", .product(name: "Yams", package: "Yams")],
            exclude: ["Golden"]
        ),
        // Runs the built `kind-ci` binary end to end.
        .testTarget(
            name: "KindCITests",
            dependencies: ["KindCICore", "TestSupport"]
        ),
    ]
)
