import Mustache

/// Renders the embedded templates. Every `{{value}}` passes through `YAMLScalar.escape`, because
/// the renderer itself switches the content type to YAML before a template's first line: a
/// template cannot forget it.
enum TemplateRenderer {
    /// Registered once, before any template is parsed.
    private static let yamlContentType: String = {
        MustacheContentTypes.register(YAMLContentType(), named: "YAML")
        return "YAML"
    }()

    /// The template's text; a missing template is a packaging bug, not a user error.
    static func source(_ name: String) -> String {
        guard let text = EmbeddedTemplates.files[name] else {
            preconditionFailure("template \(name) is not embedded; is it under templates/?")
        }
        return text
    }

    static func render(_ name: String, _ context: Any) throws -> String {
        let template = try MustacheTemplate(string: "{{% CONTENT_TYPE: \(yamlContentType) }}" + source(name))
        return template.render(context)
    }

    private struct YAMLContentType: MustacheContentType {
        func escapeText(_ text: String) -> String { YAMLScalar.escape(text) }
    }
}
