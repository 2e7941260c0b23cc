package dev.kami.spi;

import dev.kami.manifest.Abi;
import java.util.Objects;

/**
 * A module to compile.
 *
 * @param toolId the tool it belongs to, for messages
 * @param bytes the module's bytes (not copied: do not change them)
 * @param sha256 the bytes' SHA-256, lowercase hex
 * @param abi the declared ABI, or {@code null} to detect it from the exports
 */
public record ModuleSource(String toolId, byte[] bytes, String sha256, Abi abi) {
    /** Validates. */
    public ModuleSource {
        Objects.requireNonNull(toolId, "toolId");
        Objects.requireNonNull(bytes, "bytes");
        Objects.requireNonNull(sha256, "sha256");
    }
}
