package dev.kami.core.internal;

import dev.kami.core.signing.ToolSignatures;
import dev.kami.spi.CodeCache;
import dev.kami.spi.CompiledCode;
import dev.kami.spi.ToolStore;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The compiled-code cache of one module, kept in the registry next to the module's blob. Each
 * entry carries an HMAC-SHA256 of its bytes under the home's {@link CodeCacheKey}, recorded when
 * they were written, and the key's id in its entry key; {@link #get} returns bytes only when
 * they still authenticate, and forgets the module's entries when they do not, so damaged,
 * truncated or rewritten code means a fresh compile, never a load (docs/SECURITY_MODEL.md).
 * Store failures are logged, never thrown: the cache is an optimisation. Thread-safe.
 */
final class StoreCodeCache implements CodeCache {
    private static final Logger LOG = LoggerFactory.getLogger(StoreCodeCache.class);

    private final ToolStore store;
    private final CodeCacheKey mac;
    private final String moduleSha256;
    /** Where code goes whose module is not stored yet (compiled during an install, before the insert). */
    private final Consumer<CompiledCode> unstored;

    StoreCodeCache(ToolStore store, CodeCacheKey mac, String moduleSha256, Consumer<CompiledCode> unstored) {
        this.store = Objects.requireNonNull(store, "store");
        this.mac = Objects.requireNonNull(mac, "mac");
        this.moduleSha256 = Objects.requireNonNull(moduleSha256, "moduleSha256");
        this.unstored = Objects.requireNonNull(unstored, "unstored");
    }

    @Override
    public Optional<byte[]> get(String key) {
        Objects.requireNonNull(key, "key");
        Optional<CompiledCode> entry;
        try {
            entry = store.readCompiled(moduleSha256, entryKey(key));
        } catch (RuntimeException e) {
            LOG.warn("compiled code of module {} cannot be read from the registry ({}); compiling it", moduleSha256,
                    e.getMessage());
            return Optional.empty();
        }
        if (entry.isEmpty()) {
            return Optional.empty();
        }
        CompiledCode c = entry.get();
        if (!mac.verifies(c.code(), c.codeSha256()) || !c.moduleSha256().equals(moduleSha256)
                || !c.key().equals(entryKey(key))) {
            LOG.warn("compiled code of module {} ({}) in the registry does not match the HMAC recorded when it was"
                    + " written (sha256 of the bytes now {}); it was changed outside this KAMI home, or by another key."
                    + " It is not loaded: the module is compiled again", moduleSha256, key,
                    ToolSignatures.sha256Hex(c.code()));
            try {
                store.removeCompiled(moduleSha256);
            } catch (RuntimeException e) {
                LOG.debug("cannot remove the damaged compiled code of module {}", moduleSha256, e);
            }
            return Optional.empty();
        }
        return Optional.of(c.code());
    }

    @Override
    public void discard(String key) {
        Objects.requireNonNull(key, "key");
        try {
            store.removeCompiled(moduleSha256);
        } catch (RuntimeException e) {
            LOG.debug("cannot remove the compiled code of module {} that does not load", moduleSha256, e);
        }
    }

    /** @return the engine's key with this home's key id: homes with other keys keep entries of their own */
    private String entryKey(String key) {
        return key + ";mac=" + mac.id();
    }

    @Override
    public void put(String key, byte[] code) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(code, "code");
        CompiledCode entry = new CompiledCode(moduleSha256, entryKey(key), mac.mac(code), code);
        try {
            if (store.hasBlob(moduleSha256)) {
                store.writeCompiled(entry);
            } else {
                unstored.accept(entry);
            }
        } catch (RuntimeException e) {
            LOG.warn("compiled code of module {} cannot be kept in the registry ({}); it is compiled again in the"
                    + " next process", moduleSha256, e.getMessage());
        }
    }
}
