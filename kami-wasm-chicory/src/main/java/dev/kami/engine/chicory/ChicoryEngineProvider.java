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
 * directory shown read-only to one call); the scratch quotas of one call's {@code /data}
 * ({@link dev.kami.policy.ScratchLimits}): {@code fs.maxScratchBytes} (64 MiB), {@code fs.maxFiles}
 * (10,000), {@code fs.maxDirectories} (1,000), {@code fs.maxPathLength} (4,096), {@code fs.maxDepth}
 * (32), {@code fs.maxOpenFiles} (128); the module limits checked before parsing and the compile
 * budget ({@link dev.kami.policy.ModuleLimits}): {@code module.maxFunctions} (20,000) and the other
 * {@code module.*} options, {@code compile.interpretAboveBytes} (64 KiB), {@code compile.timeoutMs}
 * (20,000). {@link dev.kami.policy.HostPolicy#engineOptions()} renders a policy's quotas and limits
 * as these options.
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
