package dev.kami;

import dev.kami.manifest.Abi;
import dev.kami.manifest.ToolId;
import dev.kami.manifest.ToolManifest;
import dev.kami.policy.EffectivePermissions;
import dev.kami.policy.Grants;
import dev.kami.spi.ToolRecord;
import java.util.Objects;

/**
 * An installed tool as the host sees it: its manifest, its registry record, what the operator
 * granted and what a call gets. A snapshot; immutable.
 *
 * @param manifest the parsed {@code tool.toml}
 * @param record the registry row (digest, signature, enabled, pin, times)
 * @param grants what the operator granted
 * @param effective request ∩ grants ∩ policy ceiling: what a call gets now
 * @param abi the ABI the module implements (declared or detected)
 */
public record InstalledTool(ToolManifest manifest, ToolRecord record, Grants grants, EffectivePermissions effective,
        Abi abi) {
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

    /** @return the name MCP clients see ({@code ^[a-zA-Z0-9_-]{1,64}$}) */
    public String mcpName() {
        return record.mcpName();
    }

    /** @return the JSON Schema of the arguments */
    public String inputSchema() {
        return manifest.effectiveInputSchema();
    }

    /** @return whether calls are allowed */
    public boolean enabled() {
        return record.enabled();
    }
}
