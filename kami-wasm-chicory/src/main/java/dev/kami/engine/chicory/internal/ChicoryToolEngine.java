package dev.kami.engine.chicory.internal;

import com.dylibso.chicory.compiler.InterpreterFallback;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import dev.kami.ModuleRejectedException;
import dev.kami.engine.chicory.component.ComponentParser;
import dev.kami.manifest.Abi;
import dev.kami.spi.CompiledModule;
import dev.kami.spi.EngineConfig;
import dev.kami.spi.ModuleInfo;
import dev.kami.spi.ModuleSource;
import dev.kami.spi.ToolEngine;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Chicory {@link ToolEngine}. In {@code compiled} mode (default) each module is translated to
 * JVM bytecode once, by {@link MachineFactoryCompiler}, and that factory serves every instance; in
 * {@code interpreter} mode modules run on Chicory's interpreter, which can count fuel.
 * Thread-safe.
 */
public final class ChicoryToolEngine implements ToolEngine {
    /** Engine option: the most bytes copied from a read-only granted directory per call (default 64 MiB). */
    public static final String FS_MAX_COPY_BYTES = "fs.maxCopyBytes";

    /** Engine option: the most bytes a {@code sandbox} scratch directory holds per call (default 64 MiB). */
    public static final String FS_MAX_SCRATCH_BYTES = "fs.maxScratchBytes";

    private static final Logger LOG = LoggerFactory.getLogger(ChicoryToolEngine.class);

    private final boolean compiled;
    private final Deadlines deadlines = new Deadlines();
    private final HttpGateway http;
    private final long maxCopyBytes;
    private final long maxScratchBytes;
    private volatile boolean closed;

    /**
     * @throws IllegalArgumentException for an unknown {@code mode} or a malformed number option
     */
    public ChicoryToolEngine(EngineConfig config) {
        Objects.requireNonNull(config, "config");
        String mode = config.option(EngineConfig.MODE, "compiled").trim().toLowerCase(Locale.ROOT);
        if (!mode.equals("compiled") && !mode.equals("interpreter")) {
            throw new IllegalArgumentException("engine option mode='" + mode + "' is not known; use 'compiled' "
                    + "(default) or 'interpreter'");
        }
        this.compiled = mode.equals("compiled");
        long maxResponse = positive(config, EngineConfig.HTTP_MAX_RESPONSE_BYTES, 4L * 1024 * 1024);
        long timeout = positive(config, EngineConfig.HTTP_TIMEOUT_MS, 10_000);
        long maxRequests = positive(config, EngineConfig.HTTP_MAX_REQUESTS, 16);
        this.maxCopyBytes = positive(config, FS_MAX_COPY_BYTES, 64L * 1024 * 1024);
        this.maxScratchBytes = positive(config, FS_MAX_SCRATCH_BYTES, 64L * 1024 * 1024);
        this.http = new HttpGateway(maxResponse, timeout, (int) Math.min(Integer.MAX_VALUE, maxRequests));
    }

    private static long positive(EngineConfig config, String name, long fallback) {
        long v = config.longOption(name, fallback);
        if (v <= 0) {
            throw new IllegalArgumentException("engine option " + name + "=" + v + " must be positive");
        }
        return v;
    }

    @Override
    public String id() {
        return "chicory";
    }

    /** @return {@code compiled} or {@code interpreter} */
    public String mode() {
        return compiled ? "compiled" : "interpreter";
    }

    @Override
    public ModuleInfo inspect(byte[] wasm) {
        Objects.requireNonNull(wasm, "wasm");
        checkOpen();
        if (ComponentParser.isComponent(wasm)) {
            return ComponentCompiledModule.inspect("(inspected component)", wasm);
        }
        return ModuleAnalyzer.analyze("(inspected module)", wasm, null).info();
    }

    @Override
    public ModuleInfo inspect(String toolId, byte[] wasm) {
        Objects.requireNonNull(toolId, "toolId");
        Objects.requireNonNull(wasm, "wasm");
        checkOpen();
        if (ComponentParser.isComponent(wasm)) {
            return ComponentCompiledModule.inspect(toolId, wasm);
        }
        return ModuleAnalyzer.analyze(toolId, wasm, null).info();
    }

    @Override
    public CompiledModule compile(ModuleSource source) {
        Objects.requireNonNull(source, "source");
        checkOpen();
        if (ComponentParser.isComponent(source.bytes())) {
            // no structural limits per core module on this engine version (main: ModuleStructure.check)
            return ComponentCompiledModule.compile(this, source, compiled, maxScratchBytes, bytes -> { });
        }
        if (source.abi() == Abi.COMPONENT) {
            throw new ModuleRejectedException("the manifest of tool '" + source.toolId() + "' declares abi = "
                    + "\"component\" but its .wasm file is a core module, not a WebAssembly component; build it "
                    + "for wasm32-wasip2 (or wrap it with `wasm-tools component new`), or declare its core ABI");
        }
        ModuleAnalyzer.Analysis analysis = ModuleAnalyzer.analyze(source.toolId(), source.bytes(), source.abi());
        if (analysis.kamiImports().contains("http_request")) {
            http.warmUp(); // the HTTP client's first use (TLS setup) is slow: pay it here, not in a call
        }
        if (!compiled) {
            return new ChicoryCompiledModule(this, analysis, null, 4L * source.bytes().length);
        }
        long start = System.nanoTime();
        Function<Instance, Machine> factory;
        try {
            factory = MachineFactoryCompiler.builder(analysis.module())
                    .withInterpreterFallback(InterpreterFallback.SILENT)
                    .compile();
        } catch (RuntimeException | LinkageError e) {
            throw new ModuleRejectedException("module of tool '" + source.toolId() + "' cannot be compiled to JVM "
                    + "bytecode: " + e.getMessage() + ". Try the interpreter (engine option mode=interpreter)", e);
        }
        LOG.debug("compiled tool '{}' ({} bytes, sha256 {}) in {} ms", source.toolId(), source.bytes().length,
                source.sha256(), (System.nanoTime() - start) / 1_000_000);
        // generated classes are several times the module's size
        return new ChicoryCompiledModule(this, analysis, factory, 12L * source.bytes().length + 16 * 1024);
    }

    @Override
    public boolean supportsFuel() {
        return !compiled;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            deadlines.close();
            http.close();
        }
    }

    boolean isClosed() {
        return closed;
    }

    Deadlines deadlines() {
        return deadlines;
    }

    HttpGateway http() {
        return http;
    }

    long maxCopyBytes() {
        return maxCopyBytes;
    }

    long maxScratchBytes() {
        return maxScratchBytes;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the Chicory engine is closed");
        }
    }
}
