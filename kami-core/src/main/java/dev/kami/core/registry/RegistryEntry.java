package dev.kami.core.registry;

import java.util.Locale;
import java.util.Objects;

/**
 * One tool in a registry index, in the original KAMI's format: metadata only; the package itself
 * is fetched from {@link #source()} (GitHub shorthand {@code owner/repo@tag}, an {@code https://}
 * URL, or a path) by {@code kami install}.
 *
 * @param id the tool id ({@code dev.kami.echo})
 * @param name the tool's human name
 * @param version the tool's version (SemVer)
 * @param description what the tool does
 * @param source where {@code kami install} gets the package
 * @param wasmSha256 the module's SHA-256, lowercase hex
 * @param signature the Ed25519 signature in hex, or null when unsigned
 * @param signerPublicKey the signer's raw public key in hex, or null when unsigned
 */
public record RegistryEntry(String id, String name, String version, String description, String source,
        String wasmSha256, String signature, String signerPublicKey) {
    /** Validates: id, name, version and source are required; signature and key go together. */
    public RegistryEntry {
        id = required(id, "id");
        name = required(name, "name");
        version = required(version, "version");
        source = required(source, "source");
        description = Objects.requireNonNullElse(description, "");
        wasmSha256 = wasmSha256 == null ? null : wasmSha256.toLowerCase(Locale.ROOT);
        if ((signature == null) != (signerPublicKey == null)) {
            throw new IllegalArgumentException("registry entry " + id
                    + " gives only one of signature and signer_public_key; give both or neither");
        }
    }

    /** @return whether the entry carries a signature */
    public boolean signed() {
        return signature != null;
    }

    /**
     * @param query words to look for; every word must appear (case-insensitive) in the id, name or
     *     description
     * @return whether the entry matches; a blank query matches every entry
     */
    public boolean matches(String query) {
        String hay = (id + " " + name + " " + description).toLowerCase(Locale.ROOT);
        for (String word : query.toLowerCase(Locale.ROOT).trim().split("\\s+")) {
            if (!word.isEmpty() && !hay.contains(word)) {
                return false;
            }
        }
        return true;
    }

    private static String required(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("registry entry has no '" + field + "'; every entry needs id, name,"
                    + " version and source");
        }
        return value;
    }
}
