package dev.kami.spi;

import java.util.Objects;
import java.util.Optional;

/**
 * Where an engine keeps the code it compiled from one module, so that another process (a CLI run,
 * a restart, another node of a shared registry) loads it instead of compiling again. The core
 * hands one to {@link ToolEngine#compile(ModuleSource, CodeCache)}, bound to that module; the
 * engine names each entry by a key that says everything the code depends on besides the module
 * (engine and compiler version, compiler options).
 *
 * <p>The core backs it with the {@link ToolStore} ({@link ToolStore#readCompiled}): it records a
 * SHA-256 of the bytes when they are written and returns them only when they still match, so an
 * engine gets either the bytes it stored or nothing. What that check does and does not defend
 * against is in docs/SECURITY_MODEL.md ("The compiled-code cache").
 *
 * <p>Thread-safe. Failures of the backing store are not thrown: a {@code get} that cannot read
 * returns empty and a {@code put} that cannot write is dropped (logged), as a cache should.
 *
 * <pre>{@code
 * Optional<byte[]> code = cache.get("chicory-1.7.5;fallback=silent");
 * if (code.isEmpty()) { byte[] fresh = compile(); cache.put("chicory-1.7.5;fallback=silent", fresh); }
 * }</pre>
 */
public interface CodeCache {

    /**
     * @param key what the code depends on besides the module (at most 200 characters)
     * @return the bytes stored under this key for this module, digest-checked; empty when none are
     *     stored, when they no longer match their recorded digest, or when the store cannot be read
     */
    Optional<byte[]> get(String key);

    /**
     * Offers compiled code for this module under {@code key}; an entry already stored is kept.
     *
     * @param key as in {@link #get}
     * @param code the bytes; the cache copies nothing, so do not change them afterwards
     */
    void put(String key, byte[] code);

    /**
     * Drops what is stored under {@code key} for this module: the engine found that it does not
     * load, so that a fresh {@link #put} replaces it. The default does nothing.
     */
    default void discard(String key) {
    }

    /** @return a cache that stores nothing (every {@code get} is empty) */
    static CodeCache none() {
        return None.INSTANCE;
    }

    /** The cache that keeps nothing. */
    enum None implements CodeCache {
        INSTANCE;

        @Override
        public Optional<byte[]> get(String key) {
            Objects.requireNonNull(key, "key");
            return Optional.empty();
        }

        @Override
        public void put(String key, byte[] code) {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(code, "code");
        }
    }
}
