package dev.kami.engine.chicory;

import dev.kami.engine.chicory.internal.ChicoryToolEngine;
import dev.kami.spi.EngineConfig;
import dev.kami.spi.EngineProvider;
import dev.kami.spi.ToolEngine;

/**
 * The default engine: runs tools on <a href="https://chicory.dev">Chicory</a>, a pure-JVM
 * WebAssembly runtime, under the guest ABI of {@code docs/ABI.md}. Found by {@code ServiceLoader}
 * with id {@code chicory}.
 *
 * <p>Options ({@link EngineConfig}): {@code mode} = {@code compiled} (default: each module is
 * compiled to JVM bytecode once) or {@code interpreter} (slower, counts fuel for
 * {@code max_fuel}); {@code http.maxResponseBytes} (4 MiB), {@code http.timeoutMs} (10000),
 * {@code http.maxRequests} (16); {@code fs.maxCopyBytes} (64 MiB: the most bytes of a granted
 * directory shown read-only to one call); {@code fs.maxScratchBytes} (64 MiB: the most a
 * {@code sandbox} scratch directory holds).
 *
 * <pre>{@code
 * ToolEngine engine = new ChicoryEngineProvider().create(new EngineConfig(Map.of("mode", "interpreter")));
 * }</pre>
 *
 * <p>Stateless and thread-safe; each engine it creates owns a timer thread and, once a tool uses
 * outbound HTTP, an HTTP client: close engines you create.
 */
public final class ChicoryEngineProvider implements EngineProvider {
    /** The provider id. */
    public static final String ID = "chicory";

    /** Creates the provider (ServiceLoader needs a public no-argument constructor). */
    public ChicoryEngineProvider() {
    }

    @Override
    public String id() {
        return ID;
    }

    /**
     * @throws IllegalArgumentException for an unknown mode or a malformed option, naming it
     */
    @Override
    public ToolEngine create(EngineConfig config) {
        return new ChicoryToolEngine(config);
    }
}
