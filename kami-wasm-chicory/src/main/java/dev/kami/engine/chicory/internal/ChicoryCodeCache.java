package dev.kami.engine.chicory.internal;

import com.dylibso.chicory.compiler.Cache;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import dev.kami.spi.CodeCache;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chicory's compiler {@link Cache} over KAMI's {@link CodeCache} of one module. Chicory names an
 * entry by the module's digest alone; this adapter ignores that name (the {@link CodeCache} is
 * bound to the module already) and files the classes under {@link #key}, which holds everything
 * else the generated classes depend on: the Chicory version that made them and the compiler
 * options KAMI asked for (interpreter fallback and the functions left to the interpreter). A
 * different Chicory, or other options, gives another key, hence a miss and a fresh compile.
 * Used by one compile at a time.
 */
final class ChicoryCodeCache implements Cache {
    private static final Logger LOG = LoggerFactory.getLogger(ChicoryCodeCache.class);
    /** Bumped when KAMI changes what it asks of the compiler in a way the options below do not show. */
    private static final int LAYOUT = 1;
    /** The Chicory compiler's version, from its jar; null when it cannot be told. */
    static final String CHICORY_VERSION = chicoryVersion();

    private final CodeCache cache;
    private final String key;
    private boolean hit;
    private long classBytes;

    ChicoryCodeCache(CodeCache cache, String key) {
        this.cache = key == null ? CodeCache.none() : cache;
        this.key = key;
    }

    /**
     * @param interpreted the functions KAMI asks the compiler to leave to the interpreter
     * @return the key of the classes compiled with these options by this Chicory; null when the
     *     Chicory version cannot be told, so that nothing is stored or loaded
     */
    static String key(Set<Integer> interpreted) {
        if (CHICORY_VERSION == null) {
            return null;
        }
        String options = "layout=" + LAYOUT + ";fallback=" + (interpreted.isEmpty() ? "silent" : "fail")
                + ";interpreted=" + interpreted.stream().sorted().map(String::valueOf).collect(Collectors.joining(","));
        return "chicory-" + CHICORY_VERSION + ";" + (options.length() <= 120 ? options : "options-sha256="
                + sha256(options));
    }

    @Override
    public byte[] get(String chicoryKey) {
        if (key == null) {
            return null;
        }
        Optional<byte[]> code = cache.get(key);
        hit = code.isPresent();
        code.ifPresent(c -> classBytes = c.length);
        return code.orElse(null);
    }

    @Override
    public void putIfAbsent(String chicoryKey, byte[] data) throws IOException {
        classBytes = data.length;
        if (key != null) {
            cache.put(key, data);
        }
    }

    /** @return whether the last lookup found code (the compile loaded it instead of compiling) */
    boolean hit() {
        return hit;
    }

    /** @return the size of the classes as Chicory packs them (a jar), once known; else 0 */
    long classBytes() {
        return classBytes;
    }

    /**
     * Drops the stored code that did not load and returns an adapter that loads nothing but
     * offers what is compiled now, which replaces it.
     */
    ChicoryCodeCache bypass() {
        if (key != null) {
            cache.discard(key);
        }
        CodeCache store = cache;
        return new ChicoryCodeCache(new CodeCache() {
            @Override
            public Optional<byte[]> get(String k) {
                return Optional.empty();
            }

            @Override
            public void put(String k, byte[] code) {
                store.put(k, code);
            }
        }, key);
    }

    /**
     * The memory a compiled module holds, for the in-memory cache's weigher: its loaded classes
     * (about three times their packed size, measured with Chicory 1.7.5) and its parsed module
     * (about twice the module's bytes), plus a fixed 16 KiB for the factory and instance plumbing.
     * Before the packed size is known, twelve times the module's size.
     */
    static long estimatedSize(long moduleBytes, long classBytes) {
        if (classBytes <= 0) {
            return 12L * moduleBytes + 16 * 1024;
        }
        return 3L * classBytes + 2L * moduleBytes + 16 * 1024;
    }

    private static String chicoryVersion() {
        try (InputStream in = MachineFactoryCompiler.class.getResourceAsStream(
                "/META-INF/maven/com.dylibso.chicory/compiler/pom.properties")) {
            if (in == null) {
                LOG.warn("the Chicory compiler's version cannot be read (no pom.properties in its jar): compiled "
                        + "modules are not kept in the registry's code cache");
                return null;
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version");
            return v == null || v.isBlank() ? null : v.strip();
        } catch (IOException e) {
            LOG.warn("the Chicory compiler's version cannot be read ({}): compiled modules are not cached", e.toString());
            return null;
        }
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
