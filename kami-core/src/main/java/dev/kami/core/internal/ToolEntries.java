package dev.kami.core.internal;

import dev.kami.InstalledTool;
import dev.kami.spi.EntryPoint;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The tools of a plugin that offers several (an Extism plugin, ADR 0120 section 7): how they are
 * kept in the registry and the client-safe MCP name each gets.
 */
final class ToolEntries {
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final int MAX_NAME = 64;
    private static final int HASH_CHARS = 8;

    private ToolEntries() {
    }

    /** @return the entries as the registry keeps them: a JSON array of name, description, inputSchema */
    static String toJson(List<EntryPoint> entries) {
        ArrayNode a = JSON.createArrayNode();
        for (EntryPoint e : entries) {
            ObjectNode o = a.addObject();
            o.put("name", e.name());
            o.put("description", e.description());
            o.put("inputSchema", e.inputSchemaJson());
        }
        return a.toString();
    }

    /**
     * @return the entries read back from {@link #toJson}
     * @throws IllegalArgumentException if the text is not such an array
     */
    static List<EntryPoint> fromJson(String text) {
        JsonNode a = JSON.readTree(text);
        if (!a.isArray()) {
            throw new IllegalArgumentException("expected a JSON array of entries");
        }
        List<EntryPoint> out = new ArrayList<>();
        for (JsonNode o : a) {
            JsonNode name = o.get("name");
            if (name == null || !name.isString()) {
                throw new IllegalArgumentException("an entry without a string name");
            }
            JsonNode d = o.get("description");
            JsonNode s = o.get("inputSchema");
            out.add(new EntryPoint(name.asString(), d != null && d.isString() ? d.asString() : "",
                    s != null && s.isString() ? s.asString() : null));
        }
        return out;
    }

    /**
     * The MCP tools of a plugin: one per entry not skipped, each named
     * {@code <tool mcp name>__<entry>} with every character outside {@code [A-Za-z0-9_-]} made
     * {@code _}; a name longer than 64 characters, or one that two entries would share, is cut and
     * ends in {@code _} and 8 hex characters of the SHA-256 of {@code <tool mcp name>__<entry>}.
     *
     * @param toolMcpName the tool's own MCP name
     * @param entries what the engine listed
     * @param skip the entry names the manifest's {@code skip_tools} leaves out
     */
    static List<InstalledTool.Entry> named(String toolMcpName, List<EntryPoint> entries, Collection<String> skip) {
        Set<String> skipped = new HashSet<>(skip);
        List<EntryPoint> kept = new ArrayList<>();
        Map<String, Integer> uses = new HashMap<>();
        for (EntryPoint e : entries) {
            if (!skipped.contains(e.name())) {
                kept.add(e);
                uses.merge(plain(toolMcpName, e.name()), 1, Integer::sum);
            }
        }
        List<InstalledTool.Entry> out = new ArrayList<>();
        for (EntryPoint e : kept) {
            String plain = plain(toolMcpName, e.name());
            String name = plain.length() <= MAX_NAME && uses.get(plain) == 1 ? plain
                    : plain.substring(0, Math.min(plain.length(), MAX_NAME - HASH_CHARS - 1)) + "_"
                            + hash(toolMcpName + "__" + e.name());
            out.add(new InstalledTool.Entry(e.name(), name, e.description(), e.inputSchemaJson()));
        }
        return out;
    }

    private static String plain(String toolMcpName, String entry) {
        String safe = entry.isEmpty() ? "_" : entry.replaceAll("[^A-Za-z0-9_-]", "_");
        return toolMcpName + "__" + safe;
    }

    private static String hash(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d).substring(0, HASH_CHARS);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
    }
}
