import Foundation
import PackagePlugin

/// Compiles the package's `templates/` folder into the target as Swift string literals, so that a
/// copied `kind-ci` binary carries its templates (on Linux a resource bundle would have to sit
/// beside the binary). Unlike `.embedInCode`, paths are kept as they are, dotfiles included.
@main
struct EmbedTemplates: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let templates = context.package.directoryURL.appendingPathComponent("templates")
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("EmbeddedTemplates.swift")
        let files = FileManager.default.enumerator(at: templates, includingPropertiesForKeys: [.isRegularFileKey])?
            .compactMap { $0 as? URL }
            .filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }
            .sorted { $0.path < $1.path } ?? []
        return [
            .buildCommand(
                displayName: "Embedding \(files.count) templates",
                executable: try context.tool(named: "EmbedFiles").url,
                arguments: [templates.path, output.path],
                inputFiles: files,
                outputFiles: [output]
            ),
        ]
    }
}
