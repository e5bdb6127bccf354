import Foundation
import Synchronization

/// A local image that plays `bsycorp/kind` in pipeline emulations: a real inner dockerd on 2375,
/// the config-endpoint stand-in serving `/var/kube-config` on 10080 and the Kubernetes stand-in on
/// 8443 (its pods run on the inner dockerd), started in the order of kind's start.sh. Like start.sh,
/// it fails when a `DOCKER_HOST` leaks into its environment. Its docker holds, before it answers
/// on 2375, what a baked image's `/docker-cache.tar.lz4` holds (extracted as kind's start.sh does),
/// else the images its builds need (`debian:12-slim`, loaded: no registry is reachable).
///
/// Run it with `privilegedOptions` (what this sandbox allows instead of `--privileged`).
public enum KindStandInImage {
    /// The equivalent of `--privileged` here (testing-here.md).
    public static let privilegedOptions = [
        "--cap-add=ALL", "--cap-drop=SYS_RESOURCE", "--security-opt", "seccomp=unconfined", "--security-opt", "apparmor=unconfined",
        "--security-opt", "systempaths=unconfined", "-v", "/sys/fs/cgroup:/sys/fs/cgroup:rw",
    ]

    static let start = """
        #!/bin/sh
        # As kind's start.sh: a DOCKER_HOST in the environment sends `docker info` to another daemon.
        if [ -n "${DOCKER_HOST:-}" ]; then
          echo "kind: DOCKER_HOST=$DOCKER_HOST is set, so docker info would ask that daemon instead of kind's own; stopping" >&2
          exit 1
        fi
        set -e
        mkdir -p /var/kube-config /var/lib/docker /run/docker
        # kind restores its docker cache before its dockerd starts, so whatever answers on 2375 has
        # the images already: a baked image's cache as start.sh extracts it, else the base images
        # loaded with a dockerd nobody else can reach.
        if [ -f /docker-cache.tar.lz4 ]; then
          (cd /var/lib/docker && lz4 -d /docker-cache.tar.lz4 | tar -x)
        else
          dockerd --host unix:///run/docker-cache.sock --data-root /var/lib/docker --exec-root /run/docker --storage-driver=vfs \\
            --bridge=none --iptables=false --pidfile /run/docker-cache.pid >/var/log/dockerd-cache.log 2>&1 &
          until docker -H unix:///run/docker-cache.sock info >/dev/null 2>&1; do sleep 0.2; done
          docker -H unix:///run/docker-cache.sock load -i /images.tar >/dev/null
          kill "$(cat /run/docker-cache.pid)"
          while [ -e /run/docker-cache.pid ]; do sleep 0.2; done
        fi
        # Builds and pods reach the network through NAT, as in kind; the machine's resolver was baked in.
        dockerd --host tcp://0.0.0.0:2375 --host unix:///var/run/docker.sock --tls=false --data-root /var/lib/docker \\
          --exec-root /run/docker --storage-driver=vfs --bip 10.250.0.1/24 --dns "$(cat /kind/nameserver)" >/var/log/dockerd.log 2>&1 &
        sleep 2
        until docker info >/dev/null 2>&1; do sleep 0.5; done
        touch /var/kube-config/docker-ready
        echo v1.23.10 > /var/kube-config/kubernetes-version
        echo v1.27.1 > /var/kube-config/minikube-version
        cp /kind/kubeconfig /var/kube-config/config
        ConfigEndpointStandIn --host 0.0.0.0 --port 10080 --directory /var/kube-config &
        KubernetesAPIStandIn --host 0.0.0.0 --port 8443 --cert /kind/server-cert.pem --key /kind/server-key.pem \\
          --client-ca /kind/ca.pem --docker tcp://127.0.0.1:2375 &
        sleep 1
        touch /var/kube-config/kubernetes-ready
        wait

        """

    /// Builds the image as `tag` (once per test process and tag); `baseImages` are loaded into
    /// its inner docker at start.
    public static func build(tag: String, baseImages: [String] = ["debian:12-slim"]) throws {
        try built.withLock { done in
            guard !done.contains(tag) else { return }
            let context = try TemporaryFolder()
            let root = context.url.appendingPathComponent("root")
            let standIns = URL(fileURLWithPath: KindCIBinary.path).deletingLastPathComponent()
            for program in ["/usr/sbin/dockerd", "/usr/bin/containerd", "/usr/bin/containerd-shim-runc-v2", "/usr/sbin/runc",
                            "/usr/bin/docker"] {
                try copyWithLibraries(program, into: root, as: program)
            }
            // FaultProxy relays too: a bake's hook reaches the test registry through it.
            for program in ["KubernetesAPIStandIn", "ConfigEndpointStandIn", "FaultProxy"] {
                try copyWithLibraries(standIns.appendingPathComponent(program).path, into: root, as: "/usr/local/bin/\(program)")
            }
            let kind = root.appendingPathComponent("kind")
            try FileManager.default.createDirectory(at: kind, withIntermediateDirectories: true)
            for name in ["server-cert.pem", "server-key.pem", "ca.pem"] {
                try FileManager.default.copyItem(at: FakeKindAPI.certificates.appendingPathComponent(name), to: kind.appendingPathComponent(name))
            }
            try Data(try FakeKindAPI.kindKubeconfig().utf8).write(to: kind.appendingPathComponent("kubeconfig"))
            try context.write("root/start.sh", start)
            let resolver = (try? String(contentsOfFile: "/etc/resolv.conf", encoding: .utf8))?.split(separator: "\n")
                .first { $0.hasPrefix("nameserver ") }?.split(separator: " ").last.map(String.init) ?? "8.8.8.8"
            try context.write("root/kind/nameserver", resolver + "\n")
            try TestDocker.docker(["save", "-o", context.url.appendingPathComponent("images.tar").path] + baseImages)
            try context.write("Dockerfile", """
                FROM debian:12-slim
                RUN apt-get update && apt-get install -y --no-install-recommends iptables lz4 && rm -rf /var/lib/apt/lists/*
                COPY root/ /
                COPY images.tar /images.tar
                RUN chmod +x /start.sh
                # As in docker:dind, which kind is built on: a commit leaves kind's docker out.
                VOLUME /var/lib/docker
                EXPOSE 2375 8443 10080
                CMD ["/start.sh"]

                """)
            try TestDocker.docker(["build", "-q", "-t", tag, context.url.path])
            done.insert(tag)
        }
    }

    private static let built = Mutex<Set<String>>([])

    /// Copies `program` to `target` under `root`, with the shared libraries it loads outside
    /// glibc (at their own paths; the image has Debian 12's glibc).
    private static func copyWithLibraries(_ program: String, into root: URL, as target: String) throws {
        // Debian 12 merges /lib, /bin and /sbin into /usr: copying into /lib would replace its link.
        func merged(_ path: String) -> String {
            for folder in ["/lib/", "/lib64/", "/bin/", "/sbin/"] where path.hasPrefix(folder) { return "/usr" + path }
            return path
        }
        let destination = root.appendingPathComponent(String(merged(target).dropFirst()))
        try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
        let resolved = URL(fileURLWithPath: program).resolvingSymlinksInPath().path
        try FileManager.default.copyItem(atPath: resolved, toPath: destination.path)
        let linked = try Command.run("/usr/bin/ldd", [resolved]).stdout
        for line in linked.split(separator: "\n") {
            guard let library = line.split(separator: " ").first(where: { $0.hasPrefix("/") }).map(String.init),
                  !["libc.so", "libm.so", "ld-linux", "libpthread", "libdl.so", "librt.so"]
                    .contains(where: URL(fileURLWithPath: library).lastPathComponent.hasPrefix) else { continue }
            let copy = root.appendingPathComponent(String(merged(library).dropFirst()))
            guard !FileManager.default.fileExists(atPath: copy.path) else { continue }
            try FileManager.default.createDirectory(at: copy.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: URL(fileURLWithPath: library).resolvingSymlinksInPath().path, toPath: copy.path)
        }
    }
}
