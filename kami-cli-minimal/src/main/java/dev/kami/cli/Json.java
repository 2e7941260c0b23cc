package dev.kami.cli;

import dev.kami.InstalledTool;
import dev.kami.LogEntry;
import dev.kami.ToolResult;
import dev.kami.manifest.SecurityRequest;
import dev.kami.policy.EffectivePermissions;
import dev.kami.spi.ToolRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** The shapes {@code --json} prints, and their text forms. */
final class Json {
    private static final ObjectMapper MAPPER = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private Json() {
    }

    static String write(Object value) {
        return MAPPER.writeValueAsString(value);
    }

    /** @return the JSON text as a tree, or the text itself when it is not JSON */
    static Object tree(String json) {
        if (json == null) {
            return null;
        }
        try {
            JsonNode n = MAPPER.readTree(json);
            return n == null ? json : n;
        } catch (JacksonException e) {
            return json;
        }
    }

    static Map<String, Object> summary(InstalledTool t) {
        ToolRecord r = t.record();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", t.id().value());
        m.put("name", r.name());
        m.put("version", r.version().toString());
        m.put("enabled", r.enabled());
        m.put("signed", r.signed());
        m.put("mcp_name", t.mcpName());
        m.put("description", r.description());
        m.put("pinned_version", r.pinnedVersion());
        if (t.entry() != null && !t.mcpName().equals(r.mcpName())) {
            m.put("entry", t.entry().name()); // one tool of a plugin offering several (ADR 0120)
            m.put("description", t.description());
        }
        return m;
    }

    static Map<String, Object> full(InstalledTool t, String engine) {
        ToolRecord r = t.record();
        Map<String, Object> m = summary(t);
        m.put("title", t.manifest().title());
        m.put("abi", t.abi().label());
        m.put("wasm", t.manifest().wasm());
        m.put("wasm_sha256", r.moduleSha256());
        m.put("wasm_size", r.moduleSize());
        m.put("signature", r.signature());
        m.put("signer_public_key", r.signerKey());
        m.put("source", r.source());
        m.put("installed_at", r.installedAt().toString());
        m.put("updated_at", r.updatedAt().toString());
        m.put("requested", requested(t.manifest().security()));
        m.put("grants", t.grants().texts());
        m.put("effective", effective(t.effective()));
        m.put("engine", engine);
        m.put("fuel_note", fuelNote(t.effective(), engine));
        m.put("input_schema", tree(t.inputSchema()));
        m.put("output_schema", tree(t.manifest().outputSchema()));
        m.put("manifest", r.manifestToml());
        return m;
    }

    static Map<String, Object> requested(SecurityRequest s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("fs_access", s.fsAccess().label());
        m.put("net_allow_list", s.netAllowList());
        m.put("env_allow_list", s.envAllowList());
        m.put("max_memory_mb", s.maxMemoryMb());
        m.put("max_execution_ms", s.maxExecutionMs());
        m.put("max_fuel", s.maxFuel());
        m.put("max_output_bytes", s.maxOutputBytes());
        return m;
    }

    static Map<String, Object> effective(EffectivePermissions e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("fs_access", e.fsAccess().label());
        m.put("fs_directory", e.fsDirectory() == null ? null : e.fsDirectory().toString());
        m.put("net_allow_list", e.netAllowList());
        m.put("env_allow_list", e.envAllowList());
        m.put("max_memory_mb", e.maxMemoryMb());
        m.put("max_execution_ms", e.maxExecutionMs());
        m.put("max_fuel", e.maxFuel());
        m.put("max_output_bytes", e.maxOutputBytes());
        return m;
    }

    static String fuelNote(EffectivePermissions e, String engine) {
        boolean enforced = engine.contains("fuel enforced");
        if (e.maxFuel() == 0) {
            return "no instruction budget (max_fuel = 0); max_execution_ms bounds the time";
        }
        return enforced ? "max_fuel = " + e.maxFuel() + " is enforced by this engine"
                : "max_fuel = " + e.maxFuel() + " is NOT enforced by this engine (" + engine
                        + "); max_execution_ms bounds the time. Use [engine] mode = \"interpreter\" to count fuel";
    }

    /**
     * @return how a tool error's kind is spelled everywhere the CLI prints it, in text and in JSON:
     *     lowercase with underscores ({@code invalid_arguments}, {@code timeout})
     */
    static String kind(dev.kami.ToolErrorKind kind) {
        return kind.name().toLowerCase(java.util.Locale.ROOT);
    }

    static Map<String, Object> result(ToolResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("isError", r.isError());
        if (r.isError()) {
            m.put("errorKind", kind(r.errorKind()));
        }
        m.put("text", r.text());
        if (r.hasStructuredContent()) {
            m.put("structuredContent", tree(r.structuredJson()));
        }
        List<Map<String, Object>> logs = new ArrayList<>();
        for (LogEntry l : r.logs()) {
            logs.add(Map.of("level", String.valueOf(l.level()), "message", String.valueOf(l.message())));
        }
        m.put("logs", logs);
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("queued", r.timings().queued().toNanos() / 1e6);
        t.put("compile", r.timings().compile().toNanos() / 1e6);
        t.put("run", r.timings().run().toNanos() / 1e6);
        t.put("total", r.timings().total().toNanos() / 1e6);
        m.put("timings_ms", t);
        return m;
    }

    /** @return the requested permissions of tool {@code id} as lines a person can judge */
    static List<String> requestedLines(String id, SecurityRequest s) {
        List<String> out = new ArrayList<>();
        out.add("filesystem:  " + switch (s.fsAccess()) {
            case NONE -> "none";
            case SANDBOX -> "sandbox (a private scratch directory)";
            case READ_ONLY -> "read-only (a directory you grant: kami grant " + id + " fs:read-only:DIR)";
        });
        out.add("network:     " + (s.netAllowList().isEmpty() ? "none" : "HTTP to " + String.join(", ", s.netAllowList())));
        out.add("environment: " + (s.envAllowList().isEmpty() ? "none" : String.join(", ", s.envAllowList())));
        out.add("limits:      memory " + s.maxMemoryMb() + " MiB, time " + s.maxExecutionMs() + " ms, output "
                + s.maxOutputBytes() + " bytes" + (s.maxFuel() > 0 ? ", fuel " + s.maxFuel() : ""));
        return out;
    }

    static boolean requestsNothing(SecurityRequest s) {
        return s.fsAccess() == dev.kami.manifest.FsAccess.NONE && s.netAllowList().isEmpty()
                && s.envAllowList().isEmpty();
    }
}
