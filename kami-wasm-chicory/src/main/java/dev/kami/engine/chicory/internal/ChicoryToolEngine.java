package dev.kami.engine.chicory.internal;

import com.dylibso.chicory.compiler.InterpreterFallback;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import dev.kami.ModuleRejectedException;
import dev.kami.engine.chicory.component.ComponentParser;
import dev.kami.manifest.Abi;
import dev.kami.spi.CodeCache;
import dev.kami.spi.CompiledModule;
import dev.kami.spi.EngineConfig;
import dev.kami.spi.ModuleInfo;
import dev.kami.spi.ModuleSource;
import dev.kami.spi.ToolEngine;
import dev.kami.policy.ModuleLimits;
import dev.kami.policy.ScratchLimits;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
    private static final long MIB = 1024 * 1024;
    private static final Pattern TOO_LARGE_FUNCTION = Pattern.compile("func_(\\d+)");
    /** Compiles restarted to move one more function that is too large for the JVM to the interpreter. */
    private static final int MAX_RECOMPILES = 16;

    private final boolean compiled;
    private final Deadlines deadlines = new Deadlines();
    private final HttpGateway http;
    private final long maxCopyBytes;
    private final ScratchLimits scratch;
    private final ModuleLimits moduleLimits;
    /** One compile at a time, engine-wide: the memory a compile takes is at most one module's (ADR 0107). */
    private final ExecutorService compiler = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "kami-compile");
        t.setDaemon(true);
        return t;
    });
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
        this.scratch = scratchLimits(config);
        this.moduleLimits = moduleLimits(config);
        this.http = new HttpGateway(maxResponse, timeout, (int) Math.min(Integer.MAX_VALUE, maxRequests));
    }

    private static ScratchLimits scratchLimits(EngineConfig c) {
        ScratchLimits d = ScratchLimits.defaults();
        return new ScratchLimits(positive(c, FS_MAX_SCRATCH_BYTES, d.maxBytes()), integer(c, "fs.maxFiles", d.maxFiles()),
                integer(c, "fs.maxDirectories", d.maxDirectories()), integer(c, "fs.maxPathLength", d.maxPathLength()),
                integer(c, "fs.maxDepth", d.maxDepth()), integer(c, "fs.maxOpenFiles", d.maxOpenFiles()));
    }

    private static ModuleLimits moduleLimits(EngineConfig c) {
        ModuleLimits d = ModuleLimits.defaults();
        return ModuleLimits.builder()
                .maxFunctions(integer(c, "module.maxFunctions", d.maxFunctions()))
                .maxImports(integer(c, "module.maxImports", d.maxImports()))
                .maxExports(integer(c, "module.maxExports", d.maxExports()))
                .maxTypes(integer(c, "module.maxTypes", d.maxTypes()))
                .maxParams(integer(c, "module.maxParams", d.maxParams()))
                .maxGlobals(integer(c, "module.maxGlobals", d.maxGlobals()))
                .maxTables(integer(c, "module.maxTables", d.maxTables()))
                .maxElementSegments(integer(c, "module.maxElementSegments", d.maxElementSegments()))
                .maxDataSegments(integer(c, "module.maxDataSegments", d.maxDataSegments()))
                .maxFunctionBodyBytes(integer(c, "module.maxFunctionBodyBytes", d.maxFunctionBodyBytes()))
                .maxLocals(integer(c, "module.maxLocals", d.maxLocals()))
                .maxCodeBytes(integer(c, "module.maxCodeBytes", d.maxCodeBytes()))
                .interpretAboveBytes(integer(c, "compile.interpretAboveBytes", d.interpretAboveBytes()))
                .compileTimeoutMs(positive(c, "compile.timeoutMs", d.compileTimeoutMs()))
                .build();
    }

    private static int integer(EngineConfig config, String name, int fallback) {
        long v = positive(config, name, fallback);
        if (v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("engine option " + name + "=" + v + " is above " + Integer.MAX_VALUE);
        }
        return (int) v;
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
            return budgeted("(inspected component)",
                    () -> ComponentCompiledModule.inspect("(inspected component)", wasm));
        }
        return budgeted("(inspected module)", () -> ModuleAnalyzer.analyze("(inspected module)", wasm, null,
                moduleLimits)).info();
    }

    @Override
    public ModuleInfo inspect(String toolId, byte[] wasm) {
        Objects.requireNonNull(toolId, "toolId");
        Objects.requireNonNull(wasm, "wasm");
        checkOpen();
        if (ComponentParser.isComponent(wasm)) {
            return budgeted(toolId, () -> ComponentCompiledModule.inspect(toolId, wasm));
        }
        return budgeted(toolId, () -> ModuleAnalyzer.analyze(toolId, wasm, null, moduleLimits)).info();
    }

    @Override
    public CompiledModule compile(ModuleSource source) {
        return compile(source, CodeCache.none());
    }

    /**
     * Compiles, or in compiled mode loads the classes this engine compiled from the same module
     * earlier from {@code cache} (see {@link ChicoryCodeCache} for the key). Components are
     * compiled without the cache.
     */
    @Override
    public CompiledModule compile(ModuleSource source, CodeCache cache) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(cache, "cache");
        checkOpen();
        String toolId = source.toolId();
        if (ComponentParser.isComponent(source.bytes())) {
            // every core module of the component meets the same structural limits and heap budget
            return budgeted(toolId, () -> ComponentCompiledModule.compile(this, source, compiled, scratch,
                    core -> {
                        ModuleStructure structure = ModuleStructure.check(toolId, core, moduleLimits);
                        if (compiled) {
                            requireHeap(toolId, structure);
                        }
                    }));
        }
        if (source.abi() == Abi.COMPONENT) {
            throw new ModuleRejectedException("the manifest of tool '" + toolId + "' declares abi = "
                    + "\"component\" but its .wasm file is a core module, not a WebAssembly component; build it "
                    + "for wasm32-wasip2 (or wrap it with `wasm-tools component new`), or declare its core ABI");
        }
        long start = System.nanoTime();
        Compiled done = budgeted(toolId, () -> {
            if (compiled) {
                requireHeap(toolId, ModuleStructure.check(toolId, ModuleAnalyzer.requireMagic(toolId, source.bytes()),
                        moduleLimits));
            }
            ModuleAnalyzer.Analysis analysis = ModuleAnalyzer.analyze(toolId, source.bytes(), source.abi(),
                    moduleLimits);
            return compiled ? machineFactory(toolId, analysis, cache) : new Compiled(analysis, null, 0, false);
        });
        ModuleAnalyzer.Analysis analysis = done.analysis();
        Function<Instance, Machine> factory = done.factory();
        if (analysis.kamiImports().contains("http_request")) {
            http.warmUp(); // the HTTP client's first use (TLS setup) is slow: pay it here, not in a call
        }
        if (!compiled) {
            return new ChicoryCompiledModule(this, analysis, null, 4L * source.bytes().length, false);
        }
        LOG.debug("{} tool '{}' ({} bytes, sha256 {}) in {} ms", done.fromCache() ? "loaded compiled" : "compiled",
                toolId, source.bytes().length, source.sha256(), (System.nanoTime() - start) / 1_000_000);
        return new ChicoryCompiledModule(this, analysis, factory,
                ChicoryCodeCache.estimatedSize(source.bytes().length, done.classBytes()), done.fromCache());
    }

    /**
     * What the compile thread hands back: the checked module and, in compiled mode, its machine
     * factory, the size of its classes (as Chicory packs them) and whether they came from the cache.
     */
    private record Compiled(ModuleAnalyzer.Analysis analysis, Function<Instance, Machine> factory, long classBytes,
            boolean fromCache) {
    }

    /**
     * Compiles to JVM bytecode. Bodies above {@code compile.interpretAboveBytes} are given to the
     * interpreter up front; a function the JVM still finds too large (its 64 KiB method limit) is
     * added to them and the compile restarted, a bounded number of times.
     */
    private Compiled machineFactory(String toolId, ModuleAnalyzer.Analysis analysis, CodeCache cache) {
        Set<Integer> interpreted = new TreeSet<>(analysis.structure().largeFunctions());
        // the compile is a function of the module and the options asked for first: the functions
        // added by a restart below follow from them, so the code is kept under the first request
        ChicoryCodeCache adapter = new ChicoryCodeCache(cache, ChicoryCodeCache.key(interpreted));
        for (int attempt = 0; ; attempt++) {
            try {
                MachineFactoryCompiler.Builder builder = MachineFactoryCompiler.builder(analysis.module())
                        .withCache(adapter);
                if (interpreted.isEmpty()) {
                    builder.withInterpreterFallback(InterpreterFallback.SILENT);
                } else {
                    builder.withInterpreterFallback(InterpreterFallback.FAIL).withInterpretedFunctions(interpreted);
                }
                Function<Instance, Machine> factory = builder.compile();
                if (!interpreted.isEmpty()) {
                    LOG.debug("tool '{}': functions {} run on the interpreter (too large to compile)", toolId,
                            interpreted);
                }
                return new Compiled(analysis, factory, adapter.classBytes(), adapter.hit());
            } catch (RuntimeException | LinkageError e) {
                if (adapter.hit()) {
                    // stored code that passed its digest check yet does not load: compile afresh
                    LOG.warn("tool '{}': the cached compiled code does not load ({}); compiling the module again",
                            toolId, Messages.hostText(e));
                    adapter = adapter.bypass();
                    continue;
                }
                Integer tooLarge = tooLargeFunction(e);
                if (tooLarge != null && !interpreted.isEmpty() && attempt < MAX_RECOMPILES
                        && interpreted.add(tooLarge)) {
                    continue;
                }
                throw new ModuleRejectedException("module of tool '" + toolId + "' cannot be compiled to JVM "
                        + "bytecode: " + Messages.hostText(e) + ". Try the interpreter (engine option "
                        + "mode=interpreter)", e);
            }
        }
    }

    /**
     * Refuses, before parsing, a module whose compile would take more than half of the JVM's
     * maximum heap by the measured cost model: the rest belongs to the calls running meanwhile.
     */
    private static void requireHeap(String toolId, ModuleStructure structure) {
        long need = structure.compileHeapEstimate();
        long max = Runtime.getRuntime().maxMemory();
        if (max != Long.MAX_VALUE && need > max / 2) {
            throw new ModuleRejectedException("module of tool '" + toolId + "' would take about " + need / MIB
                    + " MiB of heap to compile (" + structure.codeBytes() + " bytes of code, " + structure.functions()
                    + " functions), more than half of the JVM's maximum heap of " + max / MIB + " MiB. Give the JVM "
                    + "more heap (-Xmx) or run it on the interpreter (engine option mode=interpreter)");
        }
    }

    private static Integer tooLargeFunction(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c.getClass().getSimpleName().equals("MethodTooLargeException") && c.getMessage() != null) {
                Matcher m = TOO_LARGE_FUNCTION.matcher(c.getMessage());
                if (m.find()) {
                    return Integer.valueOf(m.group(1));
                }
            }
        }
        return null;
    }

    /**
     * Runs the parse and compile of one module on the engine's compile thread, within
     * {@code compile.timeoutMs}. Past it the caller is refused at once; Chicory's compiler cannot
     * be interrupted, so the abandoned work finishes in the background, bounded by the structural
     * limits checked first, and its result is dropped (docs/adr/0107).
     */
    private <T> T budgeted(String toolId, Callable<T> work) {
        long timeoutMs = moduleLimits.compileTimeoutMs();
        Future<T> future;
        try {
            future = compiler.submit(work);
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException("the Chicory engine is closed");
        }
        try {
            return future.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new ModuleRejectedException("module of tool '" + toolId + "' took longer than " + timeoutMs
                    + " ms to parse and compile (compile.timeoutMs), so it was refused. Lower its size, or raise "
                    + "HostPolicy.modules(..).compileTimeoutMs if the module is trusted");
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new ModuleRejectedException("compiling the module of tool '" + toolId + "' was interrupted");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof OutOfMemoryError) {
                throw new ModuleRejectedException("the host ran out of heap compiling the module of tool '" + toolId
                        + "'; lower the module limits (HostPolicy.modules(..)) or give the JVM more heap", cause);
            }
            throw new ModuleRejectedException("module of tool '" + toolId + "' cannot be compiled: "
                    + Messages.hostText(cause), cause);
        }
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
            compiler.shutdownNow();
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

    ScratchLimits scratch() {
        return scratch;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the Chicory engine is closed");
        }
    }
}
