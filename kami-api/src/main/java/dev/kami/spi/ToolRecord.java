package dev.kami.spi;

import dev.kami.manifest.ToolId;
import dev.kami.manifest.ToolVersion;
import java.time.Instant;
import java.util.Objects;

/**
 * A tool's row in the registry. The manifest is kept as its original TOML text; the module as a
 * content-addressed blob under {@link #moduleSha256()}. Immutable.
 *
 * @param id the tool id
 * @param name the human name
 * @param version the installed version
 * @param description the MCP description
 * @param mcpName the unique name MCP clients see
 * @param manifestToml the {@code tool.toml} text as installed
 * @param moduleSha256 the module's SHA-256, lowercase hex
 * @param moduleSize the module's size in bytes
 * @param signature the Ed25519 signature in hex, or {@code null} when unsigned
 * @param signerKey the signer's raw public key in hex, or {@code null} when unsigned
 * @param enabled whether calls are allowed
 * @param pinnedVersion the version updates are held at, or {@code null}
 * @param source where it was installed from (path, URL, {@code owner/repo@tag})
 * @param installedAt when first installed
 * @param updatedAt when last changed
 */
public record ToolRecord(ToolId id, String name, ToolVersion version, String description, String mcpName,
        String manifestToml, String moduleSha256, long moduleSize, String signature, String signerKey,
        boolean enabled, String pinnedVersion, String source, Instant installedAt, Instant updatedAt) {

    /** Validates. */
    public ToolRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(mcpName, "mcpName");
        Objects.requireNonNull(manifestToml, "manifestToml");
        Objects.requireNonNull(moduleSha256, "moduleSha256");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(installedAt, "installedAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
        if (!moduleSha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("moduleSha256 must be 64 lowercase hex characters, got '" + moduleSha256 + "'");
        }
        if (!mcpName.matches("[a-zA-Z0-9_-]{1,64}")) {
            throw new IllegalArgumentException("MCP name '" + mcpName + "' does not match ^[a-zA-Z0-9_-]{1,64}$");
        }
        if ((signature == null) != (signerKey == null)) {
            throw new IllegalArgumentException("signature and signerKey go together");
        }
    }

    /** @return a copy with another enabled flag and update time */
    public ToolRecord withEnabled(boolean e, Instant at) {
        return new ToolRecord(id, name, version, description, mcpName, manifestToml, moduleSha256, moduleSize,
                signature, signerKey, e, pinnedVersion, source, installedAt, at);
    }

    /** @return a copy with another pin and update time */
    public ToolRecord withPinnedVersion(String pin, Instant at) {
        return new ToolRecord(id, name, version, description, mcpName, manifestToml, moduleSha256, moduleSize,
                signature, signerKey, enabled, pin, source, installedAt, at);
    }

    /** @return whether the tool carries a signature */
    public boolean signed() {
        return signature != null;
    }
}
