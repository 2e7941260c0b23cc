package dev.kami;

import dev.kami.manifest.Abi;
import dev.kami.manifest.ToolId;
import dev.kami.manifest.ToolManifest;
import dev.kami.policy.EffectivePermissions;
import dev.kami.policy.Grants;
import dev.kami.spi.ToolRecord;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * An installed tool as the host sees it: its manifest, its registry record, what the operator
 * granted and what a call gets. A snapshot; immutable.
 *
 * @param manifest the parsed {@code tool.toml}
 * @param record the registry row (digest, signature, enabled, pin, times)
 * @param grants what the operator granted
 * @param effective request ∩ grants ∩ policy ceiling: what a call gets now
 * @param abi the ABI the module implements (declared or detected)
 * @param entry the one tool of a module offering several (an Extism plugin's tools, ADR 0120) this
 *     snapshot stands for, or null for the module's only tool
 */
public record InstalledTool(ToolManifest manifest, ToolRecord record, Grants grants, EffectivePermissions effective,
        Abi abi, Entry entry) {

    /**
     * One tool of a plugin offering several.
     *
     * @param name the plugin's name for it
     * @param mcpName its client-safe MCP name, {@code <tool mcp name>__<name>} made to match
     *     {@code ^[a-zA-Z0-9_-]{1,64}$}
     * @param description what it does
     * @param inputSchemaJson its JSON Schema for the arguments, or null when it gives none
     */
    public record Entry(String name, String mcpName, String description, String inputSchemaJson) {
        /** Validates. */
        public Entry {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(mcpName, "mcpName");
            description = description == null ? "" : description;
        }
    }

    /** A tool whose module offers one tool. */
    public InstalledTool(ToolManifest manifest, ToolRecord record, Grants grants, EffectivePermissions effective,
            Abi abi) {
        this(manifest, record, grants, effective, abi, null);
    }

    /** @return a copy standing for one tool of the plugin */
    public InstalledTool withEntry(Entry e) {
        return new InstalledTool(manifest, record, grants, effective, abi, e);
    }

    /** Validates. */
    public InstalledTool {
        Objects.requireNonNull(manifest, "manifest");
        Objects.requireNonNull(record, "record");
        Objects.requireNonNull(grants, "grants");
        Objects.requireNonNull(effective, "effective");
        Objects.requireNonNull(abi, "abi");
    }

    /** @return the tool id */
    public ToolId id() {
        return manifest.id();
    }

    /**
     * @return what the tool does, as served to models (MCP {@code tools/list}, agent frameworks):
     *     the manifest's {@code [mcp] description}, or, when the manifest gives none, the module's
     *     own (a component's {@code describe()}, stored at install in the record)
     */
    public String description() {
        if (entry != null && !entry.description().isBlank()) {
            return entry.description();
        }
        return manifest.description().isEmpty() ? record.description() : manifest.description();
    }

    /** @return the name MCP clients see ({@code ^[a-zA-Z0-9_-]{1,64}$}) */
    public String mcpName() {
        return entry != null ? entry.mcpName() : record.mcpName();
    }

    /** @return the JSON Schema of the arguments */
    public String inputSchema() {
        if (entry != null && entry.inputSchemaJson() != null) {
            return entry.inputSchemaJson();
        }
        return manifest.effectiveInputSchema();
    }

    /** @return whether calls are allowed */
    public boolean enabled() {
        return record.enabled();
    }

    /**
     * Selects tools by globs over MCP names or tool ids: {@code *} matches any run of characters,
     * {@code ?} one character; {@code dev_kami_*} and {@code dev.kami.*} both match
     * {@code dev.kami.echo}.
     *
     * @param globs at least one glob
     * @return a predicate true for tools whose MCP name or id matches one of the globs
     * @throws IllegalArgumentException if no glob is given
     */
    public static Predicate<InstalledTool> matchingAny(String... globs) {
        if (globs.length == 0) {
            throw new IllegalArgumentException("give at least one glob, e.g. \"dev_kami_*\"");
        }
        Predicate<InstalledTool> any = t -> false;
        for (String glob : globs) {
            Pattern p = globPattern(Objects.requireNonNull(glob, "glob"));
            any = any.or(t -> p.matcher(t.mcpName()).matches() || p.matcher(t.id().toString()).matches());
        }
        return any;
    }

    private static Pattern globPattern(String glob) {
        StringBuilder re = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> re.append(".*");
                case '?' -> re.append('.');
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString());
    }
}
