import KindCICore

/// Builds the images into kind's docker while its cluster boots; the pipeline cancels it when the
/// cluster cannot come.
struct BuildPhase {
    let context: RunContext
    let engine: DockerEngine
    let address: KindAddress

    func run() async throws -> [ImageBuilds.Built] {
        let builds = ImageBuilds(configuration: context.configuration, engine: engine, dockerHost: address.dockerHost,
                                 artifacts: context.artifacts, environment: context.request.environment,
                                 progress: context.progress, report: context.report)
        return try await context.recorder.section(.building(context.configuration.build.count)) {
            try await builds.run(deadline: context.deadline.end)
        } summary: { built in built.map(\.entry.image.description).joined(separator: ", ") }
    }
}
