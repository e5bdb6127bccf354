import Foundation

/// Images that play kind for `up`/`down`/`run --up` tests: busybox's httpd serving the config
/// endpoint as kind's start.sh does (refused, then docker-ready, then kubernetes-ready, or never).
public enum FakeKind {
    public static let ready = "kind-ci-test/kind:ready"
    public static let stuck = "kind-ci-test/kind:stuck"
    public static let busybox = "kind-ci-test/busybox:1"

    static let start = """
        #!/bin/sh
        mkdir -p /www
        sleep 1
        touch /www/docker-ready
        echo v1.23.10 > /www/kubernetes-version
        httpd -p 10080 -h /www
        sleep 1
        [ "$NEVER" = 1 ] || touch /www/kubernetes-ready
        exec sleep 3600

        """

    static func dockerfile(never: Bool) -> String {
        """
        FROM scratch
        COPY busybox /bin/busybox
        RUN ["/bin/busybox", "--install", "-s", "/bin"]
        COPY start.sh /start.sh
        ENV NEVER=\(never ? 1 : 0)
        CMD ["/bin/sh", "/start.sh"]

        """
    }

    /// Builds the images (the daemon's cache makes repeats cheap).
    public static func build() throws {
        try TestDocker.build(busybox, dockerfile: "FROM scratch\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n")
        try TestDocker.build(ready, dockerfile: dockerfile(never: false), files: ["start.sh": start])
        try TestDocker.build(stuck, dockerfile: dockerfile(never: true), files: ["start.sh": start])
    }
}
