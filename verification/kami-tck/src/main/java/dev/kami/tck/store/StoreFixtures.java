package dev.kami.tck.store;

import dev.kami.manifest.ToolId;
import dev.kami.manifest.ToolVersion;
import dev.kami.spi.ToolRecord;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Random;

/**
 * Records and modules for store tests: deterministic, valid, and distinct where they should be.
 * Stateless; usable from any thread and from store tests outside the contract (crash tests).
 */
public final class StoreFixtures {
    /** A fixed instant, to the millisecond, so round trips compare exactly. */
    public static final Instant T0 = Instant.parse("2026-01-02T03:04:05.678Z");

    private StoreFixtures() {
    }

    /** @return a small module whose bytes depend only on {@code seed} (not a valid wasm; stores do not care) */
    public static byte[] module(String seed) {
        return ("\0asm\1\0\0\0 kami test module " + seed).getBytes(StandardCharsets.UTF_8);
    }

    /** @return {@code size} pseudo-random bytes determined by {@code seed} */
    public static byte[] module(long seed, int size) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /** @return the lowercase hex SHA-256 of the bytes */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return an enabled, unsigned, unpinned record for the id, version and module, installed at {@link #T0} */
    public static ToolRecord record(String id, String version, byte[] module) {
        return record(id, version, module, T0);
    }

    /** @return an enabled, unsigned, unpinned record installed and updated at {@code at} */
    public static ToolRecord record(String id, String version, byte[] module, Instant at) {
        ToolId toolId = ToolId.of(id);
        Instant t = at.truncatedTo(ChronoUnit.MILLIS);
        return new ToolRecord(toolId, toolId.value().substring(toolId.value().lastIndexOf('.') + 1),
                ToolVersion.parse(version), "Test tool " + id, toolId.mcpName(), manifest(id, version),
                sha256(module), module.length, null, null, true, null, "/packages/" + id, t, t);
    }

    /** @return a record differing from {@code r} only by its MCP name */
    public static ToolRecord withMcpName(ToolRecord r, String mcpName) {
        return new ToolRecord(r.id(), r.name(), r.version(), r.description(), mcpName, r.manifestToml(),
                r.moduleSha256(), r.moduleSize(), r.signature(), r.signerKey(), r.enabled(), r.pinnedVersion(),
                r.source(), r.installedAt(), r.updatedAt());
    }

    /** @return a minimal tool.toml text */
    public static String manifest(String id, String version) {
        return "[tool]\nid = \"" + id + "\"\nname = \"test\"\nversion = \"" + version + "\"\nwasm = \"tool.wasm\"\n\n"
                + "[mcp]\ndescription = \"Test tool " + id + "\"\n";
    }
}
