package dev.kami.spi;

import java.util.Objects;

/**
 * One entry of the compiled-code cache as a {@link ToolStore} keeps it: the code an engine made
 * from one module under one key, and the SHA-256 recorded when it was written. The store keeps
 * the three columns as given; the core checks {@code codeSha256} against {@code code} before it
 * hands the bytes to an engine.
 *
 * @param moduleSha256 the module the code was compiled from (64 hex digits); the entry goes with it
 * @param key what the code depends on besides the module (engine, compiler version and options)
 * @param codeSha256 SHA-256 of {@code code} (64 lower-case hex digits) when it was written
 * @param code the compiled code, as the engine produced it
 */
public record CompiledCode(String moduleSha256, String key, String codeSha256, byte[] code) {
    /** Validates. */
    public CompiledCode {
        Objects.requireNonNull(moduleSha256, "moduleSha256");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(codeSha256, "codeSha256");
        Objects.requireNonNull(code, "code");
        if (key.isEmpty() || key.length() > 200) {
            throw new IllegalArgumentException("compiled-code key must be 1 to 200 characters, got " + key.length());
        }
    }
}
