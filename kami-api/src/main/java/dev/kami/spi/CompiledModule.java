package dev.kami.spi;

/**
 * A compiled module, ready for many invocations, each on a fresh instance: no state survives
 * between calls. Thread-safe; invocations may run concurrently.
 */
public interface CompiledModule {

    /** @return what the module declares */
    ModuleInfo info();

    /** @return an estimate of the memory the compiled form holds, for cache weighing */
    long estimatedSizeBytes();

    /**
     * @return whether this module was loaded from the compiled-code cache ({@link CodeCache})
     *     rather than compiled; the default says no
     */
    default boolean fromCodeCache() {
        return false;
    }

    /**
     * Runs one call on the calling thread, on a fresh instance, under the invocation's
     * permissions and limits. Returns by the deadline plus a small margin. Never throws for
     * anything the guest does: traps, limits, timeouts and bad output come back as a failed
     * {@link EngineResult}. If the calling thread is interrupted (cancellation), the call ends
     * with {@code CANCELLED}, or {@code TIMEOUT} when the deadline has passed.
     */
    EngineResult invoke(Invocation invocation);

    /**
     * The module's own description of what it does, for MCP when the manifest gives none (a
     * component's {@code describe()}, docs/ABI.md). Runs guest code under the invocation's
     * permissions and limits, as {@link #invoke} does; never throws for anything the guest does.
     *
     * @param invocation the limits to run under (its input is ignored)
     * @return the description, or {@code null} when the module has none or producing it failed
     */
    default String describe(Invocation invocation) {
        return null;
    }

    /**
     * The entry points of a module that offers several tools (an Extism plugin's tools, ADR 0120
     * section 7), each called through {@link Invocation#entry()}. Runs guest code under the
     * invocation's permissions and limits, as {@link #invoke} does; never throws for anything the
     * guest does.
     *
     * @param invocation the limits to run under (its input and entry are ignored)
     * @return the entry points, in the module's order; empty when the module has one entry point
     *     only, or listing them failed
     */
    default java.util.List<EntryPoint> entries(Invocation invocation) {
        return java.util.List.of();
    }
}
