package dev.kami.engine.chicory.internal;

import com.dylibso.chicory.runtime.ChicoryInterruptedException;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.TableInstance;
import com.dylibso.chicory.wasi.WasiExitException;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.Table;
import com.dylibso.chicory.wasm.types.TableLimits;
import dev.kami.LogEntry;
import dev.kami.ToolErrorKind;
import dev.kami.engine.chicory.extism.ExtismAbi;
import dev.kami.engine.chicory.extism.ExtismCall;
import dev.kami.engine.chicory.extism.ExtismHost;
import dev.kami.manifest.Abi;
import dev.kami.spi.CompiledModule;
import dev.kami.spi.EngineResult;
import dev.kami.spi.EntryPoint;
import dev.kami.spi.Invocation;
import dev.kami.spi.ModuleInfo;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A module compiled once (or parsed once, in interpreter mode), invoked many times: every
 * {@link #invoke} builds a fresh {@link Instance} from the shared machine factory, runs the call on
 * the calling thread under its deadline, caps and sandbox, and turns whatever happens into an
 * {@link EngineResult}. Thread-safe: nothing mutable is shared between calls.
 */
final class ChicoryCompiledModule implements CompiledModule {
    private static final Logger LOG = LoggerFactory.getLogger(ChicoryCompiledModule.class);
    private static final Logger GUEST_LOG = LoggerFactory.getLogger("dev.kami.guest");
    private static final int STDERR_TAIL = 2048;
    private static final long PAGE = 65536;

    private final ChicoryToolEngine engine;
    private final ModuleAnalyzer.Analysis analysis;
    /** Compiled mode: the factory made once by MachineFactoryCompiler; interpreter mode: null. */
    private final Function<Instance, Machine> machineFactory;
    private final long estimatedSize;
    private final boolean fromCodeCache;
    private final ExtismCall.ToolNames extismToolNames = new ExtismCall.ToolNames();

    ChicoryCompiledModule(ChicoryToolEngine engine, ModuleAnalyzer.Analysis analysis,
            Function<Instance, Machine> machineFactory, long estimatedSize, boolean fromCodeCache) {
        this.engine = engine;
        this.analysis = analysis;
        this.machineFactory = machineFactory;
        this.estimatedSize = estimatedSize;
        this.fromCodeCache = fromCodeCache;
    }

    @Override
    public boolean fromCodeCache() {
        return fromCodeCache;
    }

    @Override
    public ModuleInfo info() {
        return analysis.info();
    }

    @Override
    public long estimatedSizeBytes() {
        return estimatedSize;
    }

    /**
     * An Extism plugin's tools, listed on a fresh instance under the invocation's limits (ADR
     * 0120 section 7); empty for every other ABI, and when listing fails (logged).
     */
    @Override
    public List<EntryPoint> entries(Invocation invocation) {
        if (analysis.info().abi() != Abi.EXTISM) {
            return List.of();
        }
        EngineResult listed = invoke(new Invocation(invocation.toolId(),
                ("{\"" + ExtismCall.LIST_KEY + "\": true}").getBytes(StandardCharsets.UTF_8),
                invocation.permissions(), invocation.environment(), invocation.deadlineNanos()));
        if (!listed.success()) {
            LOG.warn("the tools of Extism plugin '{}' cannot be listed: {}", invocation.toolId(), listed.message());
            return List.of();
        }
        try {
            return ExtismCall.entriesOf(listed.output());
        } catch (IllegalArgumentException e) {
            LOG.warn("the tools of Extism plugin '{}' cannot be listed: {}", invocation.toolId(), e.getMessage());
            return List.of();
        }
    }

    @Override
    public EngineResult invoke(Invocation invocation) {
        CallState call = new CallState(invocation);
        if (engine.isClosed()) {
            return EngineResult.failure(ToolErrorKind.REJECTED, "the Chicory engine is closed; tool '"
                    + call.toolId + "' was not run", List.of());
        }
        if (Thread.currentThread().isInterrupted()) {
            return failure(call, ToolErrorKind.CANCELLED, CallMessages.cancelledMessage(call));
        }
        long remaining = invocation.remainingNanos();
        if (remaining <= 0) {
            return failure(call, ToolErrorKind.TIMEOUT, CallMessages.timeoutMessage(call));
        }
        int capPages = invocation.permissions().maxMemoryMb() * 16;
        if (analysis.declaredMemory().initialPages() > capPages) {
            return failure(call, ToolErrorKind.MEMORY_LIMIT, "tool '" + call.toolId + "' declares "
                    + analysis.declaredMemory().initialPages() + " pages ("
                    + analysis.declaredMemory().initialPages() / 16 + " MiB) of initial memory, above its limit of "
                    + invocation.permissions().maxMemoryMb() + " MiB (max_memory_mb)");
        }
        Deadlines.Guard guard;
        try {
            guard = engine.deadlines().arm(remaining);
        } catch (RejectedExecutionException e) {
            return EngineResult.failure(ToolErrorKind.REJECTED, "the Chicory engine is closed; tool '"
                    + call.toolId + "' was not run", List.of());
        }
        WasiSandbox wasi = null;
        GuestMemory[] memory = new GuestMemory[1];
        EngineResult result;
        try {
            if (analysis.importsWasi()) {
                wasi = WasiSandbox.create(call, engine.maxCopyBytes(), engine.scratch());
            }
            result = run(call, wasi, capPages, memory);
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            result = classify(call, e, guard, memory[0]);
        } finally {
            guard.disarm();
            if (wasi != null) {
                try {
                    wasi.close();
                } catch (RuntimeException e) {
                    GUEST_LOG.debug("closing WASI of tool '{}' failed", call.toolId, e);
                }
            }
        }
        if (result.errorKind() == ToolErrorKind.CANCELLED) {
            Thread.currentThread().interrupt(); // the caller's interrupt stays visible to the caller
        }
        return result;
    }

    private EngineResult run(CallState call, WasiSandbox wasi, int capPages, GuestMemory[] memoryOut) {
        MemoryLimits declared = analysis.declaredMemory();
        MemoryLimits limits = new MemoryLimits(declared.initialPages(),
                Math.min(declared.maximumPages(), capPages));
        ExtismCall extism = analysis.info().abi() == Abi.EXTISM ? new ExtismCall(analysis.module(),
                ExtismAbi.detect(analysis.info().exports()), extismHost(call), extismToolNames) : null;
        Instance.Builder builder = Instance.builder(analysis.module())
                .withImportValues(imports(call, wasi, extism))
                .withMemoryLimits(limits)
                .withMemoryFactory(l -> {
                    GuestMemory m = new GuestMemory(l);
                    memoryOut[0] = m;
                    return m;
                })
                .withTableFactory(ChicoryCompiledModule::privateTable)
                .withStart(false); // _start is called below, where its exit code is read
        if (machineFactory != null) {
            builder.withMachineFactory(machineFactory);
        } else {
            builder.withUnsafeExecutionListener((instruction, stack) -> call.burnFuel());
        }
        Instance instance = builder.build();
        Memory memory = instance.memory();
        if (analysis.info().abi() == Abi.KAMI_V1) {
            return runKamiV1(call, instance, memory);
        }
        if (extism != null) {
            ExtismCall.Outcome outcome = extism.run(instance, analysis.hasInitialize(), call.invocation.input(),
                    call.invocation.entry());
            if (call.limitHit != null) {
                return failure(call, ToolErrorKind.OUTPUT_TOO_LARGE, call.overflowMessage(call.limitHit));
            }
            return outcome.kind() == null ? EngineResult.success(outcome.output(), call.logs(), fuel(call))
                    : failure(call, outcome.kind(), outcome.message());
        }
        return runCommand(call, instance);
    }

    /**
     * Gives the instance a table with limits of its own, capped at
     * {@value ModuleAnalyzer#MAX_TABLE_ELEMENTS} elements: Chicory's {@code table.grow} updates the
     * limits object of the {@link Table} it was built from, which belongs to the module shared by
     * every call, so growth would otherwise leak into the next instance.
     */
    private static TableInstance privateTable(Table declared, int initialRef) {
        TableLimits limits = declared.limits();
        TableLimits own = new TableLimits(limits.min(), Math.min(limits.max(), ModuleAnalyzer.MAX_TABLE_ELEMENTS));
        return new TableInstance(new Table(declared.elementType(), own, declared.initialize()), initialRef);
    }

    private EngineResult runKamiV1(CallState call, Instance instance, Memory memory) {
        if (analysis.hasInitialize()) {
            instance.export("_initialize").apply();
        }
        byte[] input = call.invocation.input();
        long ptr = instance.export("kami_alloc").apply(input.length)[0] & 0xffffffffL;
        long size = (long) memory.pages() * PAGE;
        if (ptr + input.length > size) {
            GuestMemory capped = (GuestMemory) memory;
            if (capped.growRefused()) {
                return failure(call, ToolErrorKind.MEMORY_LIMIT, "tool '" + call.toolId + "' could not allocate "
                        + input.length + " bytes for its input within its memory limit of "
                        + call.invocation.permissions().maxMemoryMb() + " MiB (max_memory_mb)");
            }
            return failure(call, ToolErrorKind.INVALID_OUTPUT, "tool '" + call.toolId + "' broke the kami-v1 ABI: "
                    + "kami_alloc(" + input.length + ") returned pointer " + ptr + ", outside its memory of " + size
                    + " bytes");
        }
        memory.write((int) ptr, input);
        int status;
        try {
            status = (int) instance.export("kami_run").apply(ptr, input.length)[0];
        } catch (RuntimeException e) {
            // a reactor that calls proc_exit(n) ends the call as if kami_run returned n
            WasiExitException exit = CallMessages.find(e, WasiExitException.class);
            if (exit == null) {
                throw e;
            }
            status = exit.exitCode();
        }
        if (call.limitHit != null) {
            return failure(call, ToolErrorKind.OUTPUT_TOO_LARGE, call.overflowMessage(call.limitHit));
        }
        byte[] out = call.output.toByteArray();
        if (status != 0) {
            String text = new String(out, StandardCharsets.UTF_8);
            return new EngineResult(ToolErrorKind.TOOL_ERROR, out, "tool '" + call.toolId + "' reported an error "
                    + "(kami_run returned " + status + "): " + CallMessages.shorten(text.isBlank() ? "(no message)" : text),
                    call.logs(), fuel(call));
        }
        if (!isUtf8(out)) {
            return failure(call, ToolErrorKind.INVALID_OUTPUT, "tool '" + call.toolId + "' produced output that is "
                    + "not valid UTF-8 (" + out.length + " bytes); the kami-v1 ABI requires UTF-8 text");
        }
        return EngineResult.success(out, call.logs(), fuel(call));
    }

    private EngineResult runCommand(CallState call, Instance instance) {
        int exit = 0;
        try {
            instance.export("_start").apply();
        } catch (RuntimeException e) {
            WasiExitException exitException = CallMessages.find(e, WasiExitException.class);
            if (exitException == null) {
                throw e;
            }
            exit = exitException.exitCode();
        }
        if (call.limitHit != null) {
            return failure(call, ToolErrorKind.OUTPUT_TOO_LARGE, call.overflowMessage(call.limitHit));
        }
        if (exit != 0) {
            byte[] tail = call.stderr.tail(STDERR_TAIL);
            String text = new String(tail, StandardCharsets.UTF_8);
            return new EngineResult(ToolErrorKind.NON_ZERO_EXIT, text.getBytes(StandardCharsets.UTF_8),
                    "tool '" + call.toolId + "' exited with code " + exit + ": "
                            + (text.isBlank() ? "(nothing on stderr)" : text.strip()),
                    call.logs(), fuel(call));
        }
        byte[] out = call.stdout.toByteArray();
        if (!isUtf8(out)) {
            return failure(call, ToolErrorKind.INVALID_OUTPUT, "tool '" + call.toolId + "' wrote output that is not "
                    + "valid UTF-8 to stdout (" + out.length + " bytes)");
        }
        return EngineResult.success(out, call.logs(), fuel(call));
    }

    /** The engine's services for one Extism call (docs/adr/0120): config = the granted environment. */
    private ExtismHost extismHost(CallState call) {
        return new ExtismHost() {
            @Override
            public String toolId() {
                return call.toolId;
            }

            @Override
            public Map<String, String> config() {
                return call.invocation.environment();
            }

            @Override
            public long maxOutputBytes() {
                return call.maxOutputBytes;
            }

            @Override
            public long maxMemoryBytes() {
                return call.invocation.permissions().maxMemoryMb() * 1024L * 1024L;
            }

            @Override
            public byte[] http(byte[] requestJson) {
                return engine.http().handle(call, requestJson);
            }

            @Override
            public void log(int level, byte[] message) {
                call.log(level, message);
            }

            @Override
            public RuntimeException abort(ToolErrorKind kind, String message) {
                return new GuestAbort(kind, message);
            }
        };
    }

    private ImportValues imports(CallState call, WasiSandbox wasi, ExtismCall extism) {
        List<ImportFunction> functions = new ArrayList<>();
        if (extism != null) {
            functions.addAll(extism.functions());
        }
        for (String name : analysis.kamiImports()) {
            functions.add(kamiFunction(call, name));
        }
        if (wasi != null) {
            for (HostFunction f : wasi.functions()) {
                functions.add(f);
            }
        }
        return ImportValues.builder().withFunctions(functions).build();
    }

    private HostFunction kamiFunction(CallState call, String name) {
        FunctionType type = ModuleAnalyzer.KAMI_IMPORTS.get(name);
        return switch (name) {
            case "output" -> new HostFunction(ModuleAnalyzer.KAMI, name, type, (instance, args) -> {
                int ptr = (int) args[0];
                long len = args[1] & 0xffffffffL;
                if (call.output.wouldOverflow(len)) {
                    call.output.overflow();
                }
                call.output.write(instance.memory().readBytes(ptr, (int) len), 0, (int) len);
                return null;
            });
            case "log" -> new HostFunction(ModuleAnalyzer.KAMI, name, type, (instance, args) -> {
                long len = args[2] & 0xffffffffL;
                if (len > call.maxOutputBytes) {
                    throw call.tooLarge("logs (kami.log)");
                }
                byte[] bytes = instance.memory().readBytes((int) args[1], (int) len);
                call.log((int) args[0], bytes);
                if (GUEST_LOG.isDebugEnabled()) {
                    LogEntry last = call.logs().get(call.logs().size() - 1);
                    GUEST_LOG.debug("[{}] {} {}", call.toolId, last.levelName(), last.message());
                }
                return null;
            });
            case "http_request" -> new HostFunction(ModuleAnalyzer.KAMI, name, type, (instance, args) -> {
                byte[] request = instance.memory().readBytes((int) args[0], (int) (args[1] & 0xffffffffL));
                call.pendingHttpResponse = engine.http().handle(call, request);
                return new long[] {call.pendingHttpResponse.length};
            });
            case "http_response" -> new HostFunction(ModuleAnalyzer.KAMI, name, type, (instance, args) -> {
                byte[] pending = call.pendingHttpResponse;
                if (pending == null) {
                    return new long[] {0};
                }
                instance.memory().write((int) args[0], pending);
                call.pendingHttpResponse = null;
                return new long[] {pending.length};
            });
            default -> throw new IllegalStateException("no host function kami." + name);
        };
    }

    /** Maps anything thrown during a call to a failed result; Chicory's exceptions stop here. */
    private EngineResult classify(CallState call, Throwable t, Deadlines.Guard guard, GuestMemory memory) {
        GuestAbort abort = CallMessages.find(t, GuestAbort.class);
        if (abort != null) {
            return failure(call, abort.kind(), abort.getMessage());
        }
        if (call.limitHit != null) {
            return failure(call, ToolErrorKind.OUTPUT_TOO_LARGE, call.overflowMessage(call.limitHit));
        }
        if (CallMessages.find(t, StackOverflowError.class) != null || CallMessages.messageContains(t, "call stack exhausted")) {
            return failure(call, ToolErrorKind.STACK_EXHAUSTED, "tool '" + call.toolId + "' exhausted the call "
                    + "stack (recursion deeper than the worker thread's stack allows; the limit is the worker's "
                    + "stack size, 16 MiB by default)");
        }
        if (guard.fired() || CallMessages.find(t, ChicoryInterruptedException.class) != null
                || CallMessages.find(t, InterruptedException.class) != null) {
            if (guard.fired() || call.invocation.remainingNanos() <= 0) {
                return failure(call, ToolErrorKind.TIMEOUT, CallMessages.timeoutMessage(call));
            }
            return failure(call, ToolErrorKind.CANCELLED, CallMessages.cancelledMessage(call));
        }
        if (t instanceof OutOfMemoryError) {
            return failure(call, ToolErrorKind.INTERNAL, "the host ran out of heap while running tool '"
                    + call.toolId + "' (memory limit " + call.invocation.permissions().maxMemoryMb()
                    + " MiB per call); lower max_memory_mb or the number of workers");
        }
        String detail = Messages.hostText(t);
        int mb = call.invocation.permissions().maxMemoryMb();
        if (memory != null && memory.growRefused()) {
            return failure(call, ToolErrorKind.MEMORY_LIMIT, "tool '" + call.toolId + "' hit its memory limit of "
                    + mb + " MiB (max_memory_mb): memory.grow was refused, then it trapped (" + detail + ")");
        }
        if (CallMessages.messageContains(t, "out of bounds memory access")) {
            long size = memory == null ? 0 : (long) memory.pages() * PAGE;
            return failure(call, ToolErrorKind.OUT_OF_BOUNDS, "tool '" + call.toolId + "' accessed memory out of "
                    + "bounds (its memory is " + size + " bytes, limit " + mb + " MiB): " + detail);
        }
        if (CallMessages.messageContains(t, "integer divide by zero") || CallMessages.messageContains(t, "integer overflow")) {
            return failure(call, ToolErrorKind.DIVIDE_BY_ZERO, "tool '" + call.toolId + "' trapped on "
                    + (CallMessages.messageContains(t, "overflow") ? "integer overflow" : "integer divide by zero") + ": " + detail);
        }
        if (t instanceof RuntimeException) {
            return failure(call, ToolErrorKind.TRAP, "tool '" + call.toolId + "' trapped: " + detail);
        }
        return failure(call, ToolErrorKind.INTERNAL, "the engine failed while running tool '" + call.toolId + "': "
                + Messages.hostText(t));
    }

    private EngineResult failure(CallState call, ToolErrorKind kind, String message) {
        return new EngineResult(kind, new byte[0], message, call.logs(), fuel(call));
    }

    private long fuel(CallState call) {
        return machineFactory == null ? call.fuel : -1;
    }

    private static boolean isUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

}
