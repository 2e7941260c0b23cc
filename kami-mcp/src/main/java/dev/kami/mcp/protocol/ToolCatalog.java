package dev.kami.mcp.protocol;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.kami.InstalledTool;
import dev.kami.Kami;
import dev.kami.manifest.ToolAnnotations;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The tools as MCP sees them: their {@code tools/list} entries and their compiled input schemas,
 * both cached per tool id and version so nothing is parsed or compiled per call.
 */
final class ToolCatalog {
    private static final Logger LOG = LoggerFactory.getLogger(ToolCatalog.class);
    private static final String CURSOR_PREFIX = "kami1:";
    private static final int MAX_REPORTED_ERRORS = 8;

    /** A page of tools and the cursor of the next one ({@code null} on the last page). */
    record Page(List<ObjectNode> tools, String nextCursor) {
    }

    /** A compiled schema and the text it was compiled from (a forced same-version reinstall may change it). */
    private record Compiled(String text, Schema schema) {
    }

    /** A listing entry and the record time it was built for. */
    private record Entry(java.time.Instant updatedAt, ObjectNode json) {
    }

    private final Kami kami;
    private final int pageSize;
    private final SchemaRegistry registry;
    private final Map<String, Compiled> schemas = new ConcurrentHashMap<>();
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    ToolCatalog(Kami kami, int pageSize) {
        this.kami = kami;
        this.pageSize = pageSize;
        // Tool schemas are untrusted: never let a $ref make the server fetch a URL.
        this.registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
                b -> b.schemaLoader(l -> l.fetchRemoteResources(false)).schemaCacheEnabled(false));
    }

    /** Forgets what was cached for a tool (called when it changes). */
    void invalidate(String toolId) {
        schemas.keySet().removeIf(k -> k.startsWith(toolId + "@"));
        entries.keySet().removeIf(k -> k.equals(toolId) || k.startsWith(toolId + "#"));
    }

    /**
     * @throws IllegalArgumentException if the cursor was not made by this server
     */
    Page page(String cursor) {
        return page(cursor, null);
    }

    /**
     * @param visible which MCP names the client may see, null for all
     * @throws IllegalArgumentException if the cursor was not made by this server
     */
    Page page(String cursor, java.util.function.Predicate<String> visible) {
        String after = cursor == null ? null : decodeCursor(cursor);
        List<InstalledTool> tools = new ArrayList<>();
        for (InstalledTool t : kami.list()) {
            if (t.enabled() && (after == null || t.mcpName().compareTo(after) > 0)
                    && (visible == null || visible.test(t.mcpName()))) {
                tools.add(t);
            }
        }
        tools.sort(Comparator.comparing(InstalledTool::mcpName));
        List<ObjectNode> out = new ArrayList<>(Math.min(pageSize, tools.size()));
        for (int i = 0; i < tools.size() && i < pageSize; i++) {
            out.add(entry(tools.get(i)));
        }
        String next = tools.size() > pageSize ? encodeCursor(tools.get(pageSize - 1).mcpName()) : null;
        return new Page(out, next);
    }

    private ObjectNode entry(InstalledTool t) {
        String key = cacheKey(t, t.id().value());
        Entry e = entries.get(key);
        if (e != null && e.updatedAt().equals(t.record().updatedAt())) {
            return e.json();
        }
        ObjectNode json = describe(t);
        entries.put(key, new Entry(t.record().updatedAt(), json));
        return json;
    }

    private static ObjectNode describe(InstalledTool t) {
        ObjectNode n = Json.object();
        n.put("name", t.mcpName());
        String title = t.manifest().title();
        if (title != null && !title.isBlank()) {
            n.put("title", title);
        }
        n.put("description", t.description());
        n.set("inputSchema", inputSchemaNode(t));
        String output = t.manifest().outputSchema();
        if (output != null) {
            try {
                JsonNode o = Json.MAPPER.readTree(output);
                if (o.isObject()) {
                    n.set("outputSchema", o);
                }
            } catch (RuntimeException ex) {
                LOG.warn("tool {} declares an output schema that is not JSON; it is not listed: {}", t.id(), ex.toString());
            }
        }
        ToolAnnotations a = t.manifest().annotations();
        if (!a.isEmpty() || title != null) {
            ObjectNode an = n.putObject("annotations");
            if (title != null && !title.isBlank()) {
                an.put("title", title);
            }
            putIf(an, "readOnlyHint", a.readOnly());
            putIf(an, "destructiveHint", a.destructive());
            putIf(an, "idempotentHint", a.idempotent());
            putIf(an, "openWorldHint", a.openWorld());
        }
        return n;
    }

    private static void putIf(ObjectNode n, String key, Boolean v) {
        if (v != null) {
            n.put(key, v);
        }
    }

    static ObjectNode inputSchemaNode(InstalledTool t) {
        JsonNode s;
        try {
            s = Json.MAPPER.readTree(t.inputSchema());
        } catch (RuntimeException ex) {
            LOG.warn("tool {} has an input schema that is not JSON ({}); listing it as taking no arguments", t.id(), ex.toString());
            s = null;
        }
        ObjectNode o;
        if (s != null && s.isObject()) {
            o = (ObjectNode) s;
        } else {
            o = Json.object();
            o.put("additionalProperties", false);
        }
        if (!o.has("type")) {
            // MCP requires an object schema at the root; keep the tool's own keywords after it.
            ObjectNode withType = Json.object();
            withType.put("type", "object");
            withType.setAll(o);
            o = withType;
        }
        return o;
    }

    /**
     * Validates arguments against the tool's input schema, compiled once per tool id and version.
     *
     * @return what is wrong, empty when the arguments are valid
     */
    List<String> validate(InstalledTool t, JsonNode arguments) {
        Schema schema = schema(t);
        if (schema == null) {
            return List.of();
        }
        List<Error> errors = schema.validate(arguments);
        if (errors.isEmpty()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (Error e : errors) {
            if (out.size() == MAX_REPORTED_ERRORS) {
                out.add("(" + (errors.size() - MAX_REPORTED_ERRORS) + " more)");
                break;
            }
            // Error.toString() puts the instance location first, and the root's is empty (": required ...")
            String at = e.getInstanceLocation() == null ? "" : e.getInstanceLocation().toString();
            out.add((at.isEmpty() || at.equals("$") ? "" : at + ": ") + e.getMessage());
        }
        return out;
    }

    private Schema schema(InstalledTool t) {
        String key = cacheKey(t, t.id().value() + "@" + t.manifest().version());
        String text = t.inputSchema();
        Compiled c = schemas.get(key);
        if (c != null && c.text().equals(text)) {
            return c.schema();
        }
        Schema s;
        try {
            ObjectNode node = inputSchemaNode(t);
            s = registry.getSchema(SchemaLocation.of("urn:kami:tool:" + key), node);
            s.initializeValidators();
        } catch (RuntimeException ex) {
            LOG.warn("tool {}: input schema cannot be compiled ({}); arguments are passed unvalidated to the tool",
                    key, ex.toString());
            s = null;
        }
        schemas.put(key, new Compiled(text, s));
        return s;
    }

    /** @return the cache key of a tool, or of one tool of a plugin offering several (ADR 0120) */
    private static String cacheKey(InstalledTool t, String base) {
        return t.entry() == null ? base : base + "#" + t.entry().name();
    }

    static String encodeCursor(String lastName) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((CURSOR_PREFIX + lastName).getBytes(StandardCharsets.UTF_8));
    }

    static String decodeCursor(String cursor) {
        String text;
        try {
            text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cursor '" + abbreviate(cursor) + "' was not issued by this server", e);
        }
        if (!text.startsWith(CURSOR_PREFIX) || !text.substring(CURSOR_PREFIX.length()).matches("[a-zA-Z0-9_-]{1,64}")) {
            throw new IllegalArgumentException("cursor '" + abbreviate(cursor) + "' was not issued by this server");
        }
        return text.substring(CURSOR_PREFIX.length());
    }

    static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 61) + "...";
    }
}
