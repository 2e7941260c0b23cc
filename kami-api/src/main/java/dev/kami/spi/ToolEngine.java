package dev.kami.spi;

/**
 * Runs WebAssembly tools: compiles a module once ({@link #compile}) and invokes it many times
 * under limits ({@link CompiledModule#invoke}). Thread-safe. Contract:
 * {@code dev.kami.tck.engine.ToolEngineContract}.
 */
public interface ToolEngine extends AutoCloseable {

    /** @return the provider id */
    String id();

    /**
     * Reads a module without compiling it: ABI, imports, exports, declared memory.
     *
     * @throws dev.kami.ModuleRejectedException if the bytes are not a valid module, no ABI is
     *     found, or imports nobody provides (listed in the message)
     */
    ModuleInfo inspect(byte[] wasm);

    /**
     * As {@link #inspect(byte[])}, naming the tool in any refusal. Engines should override it;
     * the default ignores the id.
     *
     * @param toolId the tool the module belongs to, for messages
     * @throws dev.kami.ModuleRejectedException as {@link #inspect(byte[])}
     */
    default ModuleInfo inspect(String toolId, byte[] wasm) {
        return inspect(wasm);
    }

    /**
     * Compiles a module for repeated invocation. Expensive (hundreds of milliseconds); callers
     * cache the result by SHA-256.
     *
     * @throws dev.kami.ModuleRejectedException as {@link #inspect}
     */
    CompiledModule compile(ModuleSource source);

    /**
     * As {@link #compile(ModuleSource)}, first looking in {@code cache} for code this engine
     * compiled from the same module earlier (in this or another process) and offering it what it
     * compiles. Engines that can load compiled code override it; the default ignores the cache.
     *
     * @param cache the compiled-code cache of this module; {@link CodeCache#none()} for none
     * @throws dev.kami.ModuleRejectedException as {@link #compile(ModuleSource)}
     */
    default CompiledModule compile(ModuleSource source, CodeCache cache) {
        return compile(source);
    }

    /** @return whether {@code max_fuel} is enforced in the current mode */
    boolean supportsFuel();

    /** Releases engine-wide resources (HTTP client, timers); idempotent. */
    @Override
    void close();
}
