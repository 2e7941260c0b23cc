package dev.kami.engine.chicory.extism;

import dev.kami.engine.chicory.ChicoryEngineProvider;
import dev.kami.policy.EffectivePermissions;
import dev.kami.spi.CompiledModule;
import dev.kami.spi.EngineConfig;
import dev.kami.spi.EngineResult;
import dev.kami.spi.Invocation;
import dev.kami.spi.ModuleSource;
import dev.kami.spi.ToolEngine;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** One Chicory engine in a given mode, its compiled Extism fixtures, and a worker thread to call on. */
final class ExtismEngineHarness implements AutoCloseable {
    private final ToolEngine engine;
    private final Map<String, CompiledModule> modules = new HashMap<>();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(null, r, "extism-test-worker", 16L * 1024 * 1024);
        t.setDaemon(true);
        return t;
    });

    ExtismEngineHarness(String mode) {
        this.engine = new ChicoryEngineProvider().create(new EngineConfig(Map.of(EngineConfig.MODE, mode)));
    }

    ToolEngine engine() {
        return engine;
    }

    static ModuleSource source(String plugin) {
        byte[] b = ExtismFixtures.bytes(plugin + ".wasm");
        return new ModuleSource("test." + plugin, b, ExtismFixtures.sha256(b), null);
    }

    CompiledModule module(String plugin) {
        return modules.computeIfAbsent(plugin, p -> engine.compile(source(p)));
    }

    static EffectivePermissions perms() {
        return EffectivePermissions.denyAll(16, 5000);
    }

    EngineResult call(String plugin, String input) {
        return call(plugin, input, perms(), Map.of());
    }

    EngineResult call(String plugin, String input, EffectivePermissions permissions, Map<String, String> config) {
        CompiledModule m = module(plugin);
        try {
            return worker.submit(() -> m.invoke(new Invocation("test." + plugin,
                    input.getBytes(StandardCharsets.UTF_8), permissions, config,
                    System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(permissions.maxExecutionMs()))))
                    .get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the call did not complete: " + e, e);
        }
    }

    static String text(EngineResult r) {
        return new String(r.output(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        worker.shutdownNow();
        engine.close();
    }
}
