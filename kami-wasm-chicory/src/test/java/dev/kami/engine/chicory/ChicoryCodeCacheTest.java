package dev.kami.engine.chicory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kami.policy.EffectivePermissions;
import dev.kami.spi.CodeCache;
import dev.kami.spi.CompiledModule;
import dev.kami.spi.EngineConfig;
import dev.kami.spi.EngineResult;
import dev.kami.spi.Invocation;
import dev.kami.spi.ModuleSource;
import dev.kami.spi.ToolEngine;
import dev.kami.tck.engine.CompileBombs;
import dev.kami.tck.engine.EngineFixtures;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The compiled classes go to and come from the {@link CodeCache} the core hands the engine. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ChicoryCodeCacheTest {

    /** A cache in memory, as the registry keeps it: bytes by key, and a record of what was asked. */
    static final class MapCache implements CodeCache {
        final Map<String, byte[]> entries = new ConcurrentHashMap<>();
        int gets;

        @Override
        public Optional<byte[]> get(String key) {
            gets++;
            return Optional.ofNullable(entries.get(key));
        }

        @Override
        public void put(String key, byte[] code) {
            entries.putIfAbsent(key, code);
        }

        @Override
        public void discard(String key) {
            entries.remove(key);
        }
    }

    private static ToolEngine engine() {
        return new ChicoryEngineProvider().create(new EngineConfig(Map.of()));
    }

    private static String echo(CompiledModule m) {
        EngineResult r = m.invoke(Invocation.of("echo", "{\"message\":\"hi\"}".getBytes(StandardCharsets.UTF_8),
                EffectivePermissions.denyAll(16, 30_000)));
        assertThat(r.errorKind()).as(r.message()).isNull();
        return new String(r.output(), StandardCharsets.UTF_8);
    }

    @Test
    void classesCompiledInOneEngineAreLoadedByAnotherWithoutCompiling() {
        MapCache cache = new MapCache();
        byte[] wasm = EngineFixtures.bytes("echo");
        String first;
        try (ToolEngine a = engine()) {
            CompiledModule m = a.compile(new ModuleSource("echo", wasm, "sha-echo", null), cache);
            assertThat(m.fromCodeCache()).isFalse();
            first = echo(m);
        }
        assertThat(cache.entries).hasSize(1);
        String key = cache.entries.keySet().iterator().next();
        assertThat(key).startsWith("chicory-1.7.5;").contains("fallback=silent");
        assertThat(cache.entries.get(key)).as("a jar of classes").startsWith(0x50, 0x4b);

        try (ToolEngine b = engine()) { // a restart: a new engine, the same registry
            CompiledModule m = b.compile(new ModuleSource("echo", wasm, "sha-echo", null), cache);
            assertThat(m.fromCodeCache()).isTrue();
            assertThat(echo(m)).isEqualTo(first).contains("hi");
            assertThat(m.estimatedSizeBytes()).isGreaterThan(3L * cache.entries.get(key).length);
        }
    }

    @Test
    void storedBytesThatDoNotLoadMeanAFreshCompileNeverAFailure() {
        MapCache cache = new MapCache();
        byte[] wasm = EngineFixtures.bytes("echo");
        try (ToolEngine a = engine()) {
            a.compile(new ModuleSource("echo", wasm, "sha-echo", null), cache);
        }
        String key = cache.entries.keySet().iterator().next();
        cache.entries.put(key, "not a jar of classes".getBytes(StandardCharsets.UTF_8));
        try (ToolEngine b = engine()) {
            CompiledModule m = b.compile(new ModuleSource("echo", wasm, "sha-echo", null), cache);
            assertThat(m.fromCodeCache()).isFalse();
            assertThat(echo(m)).contains("hi");
        }
        assertThat(cache.entries.get(key)).as("replaced by the fresh compile").startsWith(0x50, 0x4b);
        try (ToolEngine c = engine()) {
            assertThat(c.compile(new ModuleSource("echo", wasm, "sha-echo", null), cache).fromCodeCache()).isTrue();
        }
    }

    @Test
    void theKeyNamesTheFunctionsLeftToTheInterpreter() {
        MapCache cache = new MapCache();
        // kami_run's body (84 KB) is above compile.interpretAboveBytes: it goes to the interpreter
        byte[] wasm = CompileBombs.oneLargeFunction(12_000);
        try (ToolEngine a = engine()) {
            assertThat(a.compile(new ModuleSource("large", wasm, "sha-large", null), cache).fromCodeCache()).isFalse();
        }
        assertThat(cache.entries.keySet()).singleElement().satisfies(k -> assertThat(k)
                .startsWith("chicory-1.7.5;").containsPattern("fallback=fail;interpreted=\\d+$"));
        try (ToolEngine b = engine()) {
            CompiledModule m = b.compile(new ModuleSource("large", wasm, "sha-large", null), cache);
            assertThat(m.fromCodeCache()).isTrue();
            EngineResult r = m.invoke(Invocation.of("large", new byte[0], EffectivePermissions.denyAll(16, 30_000)));
            assertThat(r.message()).contains("kami_run returned 12000");
        }
    }

    @Test
    void theInterpreterModeNeitherAsksNorOffers() {
        MapCache cache = new MapCache();
        try (ToolEngine e = new ChicoryEngineProvider().create(new EngineConfig(Map.of("mode", "interpreter")))) {
            CompiledModule m = e.compile(new ModuleSource("echo", EngineFixtures.bytes("echo"), "sha", null), cache);
            assertThat(echo(m)).contains("hi");
        }
        assertThat(cache.gets).isZero();
        assertThat(cache.entries).isEmpty();
    }
}
