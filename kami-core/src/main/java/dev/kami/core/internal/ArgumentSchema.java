package dev.kami.core.internal;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.kami.ManifestException;
import dev.kami.manifest.ToolManifest;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * A tool's input schema, compiled once (JSON Schema 2020-12), that checks arguments before a call
 * so every caller — MCP, LangChain4j, Spring AI, the CLI — gets the same refusal. Schemas come from
 * untrusted packages, so a {@code $ref} never makes the host fetch anything. Thread-safe.
 */
final class ArgumentSchema {
    private static final int MAX_REPORTED = 8;
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
            b -> b.schemaLoader(l -> l.fetchRemoteResources(false)).schemaCacheEnabled(false));

    private final Schema schema;

    private ArgumentSchema(Schema schema) {
        this.schema = schema;
    }

    /**
     * @return the compiled schema of the manifest's arguments
     * @throws ManifestException if the schema cannot be compiled
     */
    static ArgumentSchema of(ToolManifest m) {
        try {
            JsonNode node = JSON.readTree(m.effectiveInputSchema());
            Schema s = REGISTRY.getSchema(SchemaLocation.of("urn:kami:tool:" + m.id() + "@" + m.version()), node);
            s.initializeValidators();
            return new ArgumentSchema(s);
        } catch (RuntimeException e) {
            throw new ManifestException("tool.toml of " + m.id(), "mcp.input_schema", 0,
                    "is not a usable JSON Schema (" + Causes.describe(e) + "); check it with a JSON Schema 2020-12 validator");
        }
    }

    /**
     * @return the compiled schema of one tool of a plugin offering several (ADR 0120), or null
     *     when the plugin's schema cannot be compiled (the manifest's then applies; logged)
     */
    static ArgumentSchema ofEntry(String toolId, String entry, String schemaJson) {
        try {
            JsonNode node = JSON.readTree(schemaJson);
            Schema s = REGISTRY.getSchema(SchemaLocation.of("urn:kami:tool:" + toolId + "#"
                    + java.net.URLEncoder.encode(entry, java.nio.charset.StandardCharsets.UTF_8)), node);
            s.initializeValidators();
            return new ArgumentSchema(s);
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(ArgumentSchema.class).warn("the input schema of {} of plugin {} is not"
                    + " a usable JSON Schema ({}); the manifest's applies", entry, toolId, Causes.describe(e));
            return null;
        }
    }

    /** @return what is wrong with the arguments, or an empty list when they are valid */
    List<String> problems(JsonNode arguments) {
        List<Error> errors = schema.validate(arguments);
        List<String> out = new ArrayList<>();
        for (Error e : errors) {
            if (out.size() == MAX_REPORTED) {
                out.add("(" + (errors.size() - MAX_REPORTED) + " more)");
                break;
            }
            String at = e.getInstanceLocation() == null ? "" : e.getInstanceLocation().toString();
            out.add((at.isEmpty() || at.equals("$") ? "" : at + ": ") + e.getMessage());
        }
        return out;
    }
}
