package dev.kami.manifest;

import java.util.List;
import java.util.Objects;

/**
 * A parsed, validated {@code tool.toml}. Immutable and thread-safe. Built by the manifest parser
 * in {@code kami-core}; see {@code docs/TOOL_AUTHOR_GUIDE.md} for the format.
 *
 * @param id the tool id
 * @param name the human name
 * @param version the SemVer version
 * @param wasm the module's path inside the package: relative, never absolute, never {@code ..}
 * @param abi the declared ABI, or {@code null} to detect it from the module's exports
 * @param title a display title, or {@code null}
 * @param description what the tool does, for the model
 * @param arguments flat arguments (empty when {@code inputSchema} is given)
 * @param inputSchema a full JSON Schema for the arguments, or {@code null} when flat arguments are
 *     used
 * @param outputSchema a JSON Schema of the structured output, or {@code null}
 * @param annotations MCP annotations
 * @param security what the tool requests
 */
public record ToolManifest(ToolId id, String name, ToolVersion version, String wasm, Abi abi, String title,
        String description, List<ToolArgument> arguments, String inputSchema, String outputSchema,
        ToolAnnotations annotations, SecurityRequest security) {

    /** Validates and copies. */
    public ToolManifest {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(wasm, "wasm");
        Objects.requireNonNull(description, "description");
        arguments = List.copyOf(arguments);
        annotations = Objects.requireNonNullElse(annotations, ToolAnnotations.NONE);
        security = Objects.requireNonNullElse(security, SecurityRequest.denyAll());
        if (inputSchema != null && !arguments.isEmpty()) {
            throw new IllegalArgumentException("tool " + id + " gives both [[mcp.arguments]] and input_schema; keep one");
        }
    }

    /**
     * The JSON Schema of the arguments: {@code inputSchema} when given, else one built from the
     * flat arguments. A tool with no argument gets
     * {@code {"type":"object","additionalProperties":false}}.
     *
     * @return a JSON Schema object as JSON text
     */
    public String effectiveInputSchema() {
        if (inputSchema != null) {
            return inputSchema;
        }
        if (arguments.isEmpty()) {
            return "{\"type\":\"object\",\"additionalProperties\":false}";
        }
        StringBuilder props = new StringBuilder();
        StringBuilder required = new StringBuilder();
        for (ToolArgument a : arguments) {
            if (props.length() > 0) {
                props.append(',');
            }
            props.append(JsonText.quote(a.name())).append(":{\"type\":").append(JsonText.quote(a.type().jsonName()));
            if (!a.description().isEmpty()) {
                props.append(",\"description\":").append(JsonText.quote(a.description()));
            }
            props.append('}');
            if (a.required()) {
                required.append(required.length() > 0 ? "," : "").append(JsonText.quote(a.name()));
            }
        }
        return "{\"type\":\"object\",\"properties\":{" + props + "}"
                + (required.length() > 0 ? ",\"required\":[" + required + "]" : "") + "}";
    }
}
