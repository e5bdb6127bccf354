import Foundation
import KindCICore

/// One bake on the outer daemon: a kind started from the base image, filled, its docker cache
/// rebuilt, committed; then the result started and checked. Every kind it starts is removed again,
/// whatever happens (also on SIGINT/SIGTERM).
struct Bake: Sendable {
    let engine: DockerEngine
    let launcher: KindLauncher
    let progress: ProgressReporter
    let runOptions: [String]
    let ports: KindPorts
    let environment: [String: String]
    let deadline: ContinuousClock.Instant

    /// What kind's build does once its cluster is up: stop the kubelet (it would start what is
    /// removed next), remove every container, and tar /var/lib/docker as start.sh extracts it.
    /// The readiness files this start wrote go too, or the result would say it is ready before
    /// its next start has got anywhere.
    static let cacheScript = """
        set -e
        if command -v supervisorctl >/dev/null 2>&1; then supervisorctl -c /etc/supervisord.conf stop kubelet >/dev/null || true; fi
        ids=$(docker ps -aq)
        if [ -n "$ids" ]; then docker rm -f $ids >/dev/null; fi
        rm -f /var/kube-config/docker-ready /var/kube-config/kubernetes-ready
        cd /var/lib/docker
        # Without pipefail in every sh, tar's failure is carried out of the pipe by a file.
        rm -f /tmp/kind-ci-tar-failed
        { tar -c ./ || touch /tmp/kind-ci-tar-failed; } | lz4 -3 > /docker-cache.tar.lz4.new
        if [ -e /tmp/kind-ci-tar-failed ]; then rm -f /docker-cache.tar.lz4.new; echo "tar of /var/lib/docker failed" >&2; exit 1; fi
        mv /docker-cache.tar.lz4.new /docker-cache.tar.lz4
        """

    /// Commits the filled kind as `tag`. On any failure, an image the daemon may have committed
    /// all the same (our side timed out first) is removed: unchecked, it must not pass for done.
    /// What the tag named before (a tag without {hash} is baked again) is left alone.
    func bake(_ base: ImageReference, images: [ImageReference], settings: BakeSettings, into tag: ImageReference, config: JSON,
              name: String) async throws {
        await progress.begin("kind_ci_bake", "Baking \(tag)")
        let previous = ((try? await engine.inspectImage(tag.description)) ?? nil)?["Id"]?.string
        do {
            try await withKind(base, name: name) { container, inner in
                if let before = settings.before { try await hook("bake.before", before, in: container) }
                try await fill(inner, with: images)
                if let after = settings.after { try await hook("bake.after", after, in: container) }
                await progress.update("rebuilding kind's docker cache (/docker-cache.tar.lz4)")
                let (code, output) = try await engine.exec(container, ["sh", "-c", Self.cacheScript], timeout: deadline - .now)
                guard code == 0 else {
                    throw Problem("rebuilding kind's docker cache (/docker-cache.tar.lz4) failed (exit \(code))",
                                  details: Self.tail(output),
                                  status: .imageBuildFailed)
                }
                await progress.update("committing \(tag)")
                try await engine.commit(container, as: tag, config: config, timeout: deadline - .now)
            }
        } catch {
            await remove { engine in
                if let now = try await engine.inspectImage(tag.description)?["Id"]?.string, now != previous {
                    try await engine.removeImage(tag.description)
                }
            }
            await progress.end(success: false, error is CancellationError ? "cancelled" : "failed")
            throw error
        }
        await progress.end(success: true, "committed \(tag)")
    }

    /// Starts the result and checks that its docker has every image; removes the result when the
    /// check fails or cannot finish, so that nothing unchecked is pushed or taken for done later.
    func verify(_ tag: ImageReference, holds images: [ImageReference], name: String) async throws {
        await progress.begin("kind_ci_bake_check", "Checking \(tag)")
        do {
            try await withKind(tag, name: name) { _, inner in
                var missing: [ImageReference] = []
                for image in images where try await !inner.imageExists(image.description) { missing.append(image) }
                guard missing.isEmpty else {
                    throw Problem("\(tag) started without \(missing.map(\.description).joined(separator: ", ")) in its docker",
                                  details: ["the base image's start may not restore /docker-cache.tar.lz4 as bsycorp/kind's start.sh does"], status: .imageBuildFailed)
                }
            }
        } catch {
            await remove { try await $0.removeImage(tag.description) }
            await progress.end(success: false, error is CancellationError ? "cancelled" : "failed")
            throw error
        }
        await progress.end(success: true, "it starts with \(images.count) image\(images.count == 1 ? "" : "s") in its docker")
    }

    /// Puts every image into kind's docker: copied from the outer daemon when it has it (built
    /// there by the pipeline), else pulled with the job's credentials for its registry. Every
    /// image is tried; then the ones that failed are named together.
    private func fill(_ inner: DockerEngine, with images: [ImageReference]) async throws {
        let puller = ImagePuller(engine: inner, environment: environment)
        var failures: [String] = []
        for image in images {
            let started = ContinuousClock.now
            if try await engine.imageExists(image.description) {
                await progress.update("copying \(image) from this docker into kind's")
                do {
                    try await inner.load(image.description, from: engine, timeout: deadline - .now)
                    await progress.output("[\(image)] copied in \(ProgressReporter.format(ContinuousClock.now - started))")
                } catch let error as DockerAPIError {
                    failures.append("\(image): \(error.message)")
                }
                continue
            }
            await progress.update("pulling \(image) into kind's docker")
            switch try await puller.pull(image, until: deadline) {
            case .present: await progress.output("[\(image)] already in the base image")
            case let .pulled(duration): await progress.output("[\(image)] pulled in \(ProgressReporter.format(duration))")
            case let .failed(reason): failures.append("\(image): \(reason)")
            }
        }
        guard failures.isEmpty else {
            throw Problem("\(failures.count) image\(failures.count == 1 ? "" : "s") could not be baked in; nothing was committed or pushed",
                          details: failures,
                          fix: "check the names, and the job's credentials for their registries (REGISTRY_*, or the docker config file)", status: .imageBuildFailed)
        }
    }

    /// Runs a hook's command and prints its output's last 1 MiB (a note says how much went before):
    /// a hook may print without bound, an exec's answer may not.
    static let hookScript = """
        out=$(mktemp)
        sh -c "$1" >"$out" 2>&1
        code=$?
        size=$(wc -c <"$out")
        if [ "$size" -gt 1048576 ]; then echo "(the first $((size - 1048576)) bytes of output left out)"; fi
        tail -c 1048576 "$out"
        rm -f "$out"
        exit $code
        """

    /// `bake.before` / `bake.after`, by `sh -c` inside kind, its output shown.
    private func hook(_ key: String, _ command: String, in container: String) async throws {
        await progress.note("\(key): \(command)")
        let (code, output) = try await engine.exec(container, ["sh", "-c", Self.hookScript, "sh", command], timeout: deadline - .now)
        for line in output.split(separator: "\n", omittingEmptySubsequences: false).dropLast(output.hasSuffix("\n") ? 1 : 0) {
            await progress.output("[\(key)] \(line)")
        }
        guard code == 0 else { throw Problem("\(key) `\(command)` exited with \(code) inside kind",
                                             details: Self.tail(output),
                                             status: .imageBuildFailed) }
    }

    /// Starts `image` as `name` (no credentials in its environment, no labels of kind-ci's: a
    /// commit would keep them), waits until its Kubernetes is ready, runs `body` with the container and kind's docker, and
    /// removes the container whatever happens.
    private func withKind(_ image: ImageReference, name: String,
                          _ body: (_ container: String, _ inner: DockerEngine) async throws -> Void) async throws {
        // A bake stopped without clean-up (SIGKILL) may have left its kind under this name; so
        // would a bake of the same inputs running on this daemon now, which then loses its kind.
        if try await engine.container(name) != nil { try await engine.removeContainer(name) }
        let started = ContinuousClock.now
        let ready = min(started + KindBake.readiness, deadline)
        do {
            let address = try await launcher.up(image: image, name: name, runOptions: runOptions, ports: ports, environment: [:], labelled: false)
            let waiter = ReadinessWaiter(http: engine.http, progress: progress)
            _ = try await waiter.waitForDocker([address], named: true, deadline: ready, started: started)
            try await waiter.waitForKubernetes(address, deadline: ready) { await progress.update($0) }
            let inner = try await DockerEngine.connect(address.dockerEndpoint, http: engine.http, fix: DockerUnreachable.kindFix)
            try await body(name, inner)
        } catch {
            await remove { try await $0.removeContainer(name) }
            if error is KubernetesWaitExpired {
                let limit = ready == deadline ? "within --timeout" : "in \(ProgressReporter.format(KindBake.readiness))"
                throw Problem("kind from \(image) did not become ready \(limit)",
                              details: ["start it with `kind-ci up --image \(image)` and look at its log"],
                              status: .imageBuildFailed)
            }
            throw error
        }
        await remove { try await $0.removeContainer(name) }
    }

    /// Done even when the bake was cancelled: an unstructured task does not inherit that.
    private func remove(_ removal: @escaping @Sendable (DockerEngine) async throws -> Void) async {
        let engine = engine
        _ = try? await Task { try await removal(engine) }.value
    }

    static func tail(_ output: String) -> [String] {
        output.split(separator: "\n").suffix(8).map { "| \($0)" }
    }
}
