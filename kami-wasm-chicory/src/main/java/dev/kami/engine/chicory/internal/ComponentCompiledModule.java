package dev.kami.engine.chicory.internal;

import com.dylibso.chicory.runtime.ChicoryInterruptedException;
import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.kami.LogEntry;
import dev.kami.ModuleRejectedException;
import dev.kami.ToolErrorKind;
import dev.kami.engine.chicory.component.CType;
import dev.kami.engine.chicory.component.Component;
import dev.kami.engine.chicory.component.ComponentLinker;
import dev.kami.engine.chicory.component.ComponentMemoryLimit;
import dev.kami.engine.chicory.component.ComponentParser;
import dev.kami.engine.chicory.component.ComponentTrap;
import dev.kami.engine.chicory.component.KamiToolHost;
import dev.kami.engine.chicory.component.KamiToolWorld;
import dev.kami.engine.chicory.component.Variant;
import dev.kami.engine.chicory.component.wasi.FileSystemView;
import dev.kami.engine.chicory.component.wasi.WasiHttp;
import dev.kami.engine.chicory.component.wasi.WasiPreview2;
import dev.kami.manifest.Abi;
import dev.kami.manifest.FsAccess;
import dev.kami.policy.EffectivePermissions;
import dev.kami.policy.ScratchLimits;
import dev.kami.spi.CompiledModule;
import dev.kami.spi.EngineResult;
import dev.kami.spi.Invocation;
import dev.kami.spi.ModuleInfo;
import dev.kami.spi.ModuleSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@code kami:tool} component (the {@code component} ABI, docs/ABI.md), ready for many calls:
 * its core modules are compiled once ({@link ComponentLinker}); every {@link #invoke} instantiates
 * the whole component afresh and calls {@code run} under the call's deadline, memory cap (across
 * all the component's memories), output caps, WASI 0.2 world and, in interpreter mode, fuel.
 * Thread-safe: nothing mutable is shared between calls.
 */
final class ComponentCompiledModule implements CompiledModule {
    private static final Logger GUEST_LOG = LoggerFactory.getLogger("dev.kami.guest");
    private static final Logger LOG = LoggerFactory.getLogger(ComponentCompiledModule.class);

    private final ChicoryToolEngine engine;
    private final ComponentLinker linker;
    private final String toolExport;
    private final ModuleInfo info;
    private final boolean compiled;
    private final long estimatedSize;
    private final ScratchLimits scratch;

    ComponentCompiledModule(ChicoryToolEngine engine, ComponentLinker linker, boolean compiled, long size,
            ScratchLimits scratch) {
        this.engine = engine;
        this.linker = linker;
        this.compiled = compiled;
        this.scratch = scratch;
        this.toolExport = KamiToolWorld.toolExport(linker.component());
        this.info = info(linker);
        this.estimatedSize = (compiled ? 12L : 4L) * size + 16 * 1024;
    }

    /** @return the parsed, checked component (core modules not compiled) for {@code inspect} */
    static ModuleInfo inspect(String toolId, byte[] bytes) {
        Component c = ComponentParser.parse(toolId, bytes);
        KamiToolWorld.check(toolId, c);
        return info(new ComponentLinker(toolId, c, false));
    }

    /**
     * Parses and checks a component against the kami:tool world and compiles its core modules.
     *
     * @param scratch the quotas of a {@code sandbox} /data per call (bytes, files, directories, path
     *     length, depth, open descriptors), as for WASI preview 1
     * @param coreCheck checks each embedded core module's bytes before Chicory parses them (the
     *     engine's structural module limits); throws ModuleRejectedException
     * @throws ModuleRejectedException with what is wrong
     */
    static ComponentCompiledModule compile(ChicoryToolEngine engine, ModuleSource source, boolean compiled,
            ScratchLimits scratch, java.util.function.Consumer<byte[]> coreCheck) {
        if (source.abi() != null && source.abi() != Abi.COMPONENT) {
            throw new ModuleRejectedException("the manifest of tool '" + source.toolId() + "' declares abi = \""
                    + source.abi().label() + "\" but its .wasm file is a WebAssembly component; declare "
                    + "abi = \"component\" or leave abi out");
        }
        Component c = ComponentParser.parse(source.toolId(), source.bytes());
        KamiToolWorld.check(source.toolId(), c);
        if (c.imports().keySet().stream().anyMatch(n -> n.startsWith("wasi:http/"))) {
            engine.http().warmUp(); // the HTTP client's first use (TLS setup) is slow: pay it here
        }
        long start = System.nanoTime();
        c.coreModules().forEach(coreCheck);
        ComponentLinker linker = new ComponentLinker(source.toolId(), c, compiled);
        LOG.debug("prepared component tool '{}' ({} bytes, {} core modules) in {} ms", source.toolId(),
                source.bytes().length, c.coreModules().size(), (System.nanoTime() - start) / 1_000_000);
        return new ComponentCompiledModule(engine, linker, compiled, source.bytes().length, scratch);
    }

    static ModuleInfo info(ComponentLinker linker) {
        Component c = linker.component();
        List<String> exports = new ArrayList<>();
        c.exports().forEach((name, t) -> {
            if (t instanceof CType.InstanceT it) {
                it.exports().forEach((fn, ft) -> {
                    if (ft instanceof CType.FuncT) {
                        exports.add(name + "#" + fn);
                    }
                });
            } else {
                exports.add(name);
            }
        });
        return new ModuleInfo(Abi.COMPONENT, List.copyOf(c.imports().keySet()), exports, linker.initialPages(), -1,
                KamiToolWorld.toolExport(c) != null, KamiToolWorld.wit(c));
    }

    @Override
    public ModuleInfo info() {
        return info;
    }

    @Override
    public long estimatedSizeBytes() {
        return estimatedSize;
    }

    /**
     * The component's own description: {@code describe()}'s text, or, when that text is a JSON
     * object with a string {@code description} (what the original KAMI's tools return, e.g.
     * {@code {"name":"echo","description":"Echoes input back unchanged","version":"1.0.0"}}), that
     * string.
     *
     * @return the description, or null if describe() fails or gives blank text
     */
    @Override
    public String describe(Invocation invocation) {
        EngineResult r = call(invocation, true);
        if (!r.success()) {
            LOG.debug("describe() of component tool '{}' failed: {}", invocation.toolId(), r.message());
            return null;
        }
        String text = new String(r.output(), StandardCharsets.UTF_8).strip();
        if (text.startsWith("{")) {
            try {
                if (Json.parse(text) instanceof Map<?, ?> m && m.get("description") instanceof String d
                        && !d.isBlank()) {
                    return d.strip();
                }
            } catch (RuntimeException e) {
                LOG.debug("describe() of component tool '{}' is not JSON; its text is the description",
                        invocation.toolId());
            }
        }
        return text.isEmpty() ? null : text;
    }

    @Override
    public EngineResult invoke(Invocation invocation) {
        return call(invocation, false);
    }

    private EngineResult call(Invocation invocation, boolean describe) {
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
        String input;
        try {
            input = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(invocation.input())).toString();
        } catch (CharacterCodingException e) {
            return failure(call, ToolErrorKind.INVALID_ARGUMENTS, "the input of tool '" + call.toolId + "' is not "
                    + "valid UTF-8 (" + invocation.input().length + " bytes); run(input: string) takes text");
        }
        int capPages = invocation.permissions().maxMemoryMb() * 16;
        Deadlines.Guard guard;
        try {
            guard = engine.deadlines().arm(remaining);
        } catch (RejectedExecutionException e) {
            return EngineResult.failure(ToolErrorKind.REJECTED, "the Chicory engine is closed; tool '"
                    + call.toolId + "' was not run", List.of());
        }
        List<GuestMemory> memories = new ArrayList<>();
        ComponentLinker.Linked[] linkedOut = new ComponentLinker.Linked[1];
        FileSystem fs = null;
        EngineResult result;
        try {
            EffectivePermissions p = invocation.permissions();
            FileSystemView view = null;
            if (p.fsAccess() != FsAccess.NONE) {
                ScratchFileSystem quotas = fileSystem(call, p);
                fs = quotas;
                view = new FileSystemView(quotas.mount(), p.fsAccess() == FsAccess.READ_ONLY, scratch.maxOpenFiles(),
                        quotas::takeErrno);
            }
            Map<String, String> env = new TreeMap<>(invocation.environment());
            env.keySet().retainAll(Set.copyOf(p.envAllowList()));
            WasiPreview2 wasi = new WasiPreview2(new byte[0], call.stdout, call.stderr, env, List.of(call.toolId), view,
                    (method, url, headers, body) -> http(engine.http(), call, method, url, headers, body));
            KamiToolHost host = new KamiToolHost(wasi, (level, message) -> log(call, level, message));
            ComponentLinker.Options options = new ComponentLinker.Options(host, limits -> {
                GuestMemory m = new GuestMemory(limits);
                memories.add(m);
                return m;
            }, capPages, compiled ? null : (instruction, stack) -> call.burnFuel());
            ComponentLinker.Linked linked = linker.instantiate(options, linkedOut);
            if (describe) {
                String text = (String) linked.export(toolExport, "describe").invoke(List.of());
                return EngineResult.success(text.getBytes(StandardCharsets.UTF_8), call.logs(), fuel(call));
            }
            Variant v = (Variant) linked.export(toolExport, "run").invoke(List.of(input));
            result = outcome(call, v);
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            result = classify(call, e, guard, memories, linkedOut[0] != null && linkedOut[0].sharedBudgetRefused());
        } finally {
            guard.disarm();
            if (fs != null) {
                try {
                    fs.close();
                } catch (IOException e) {
                    GUEST_LOG.debug("closing the file system of tool '{}' failed", call.toolId, e);
                }
            }
        }
        if (result.errorKind() == ToolErrorKind.CANCELLED) {
            Thread.currentThread().interrupt();
        }
        return result;
    }

    /** wasi:http through the engine's gateway (the same grant checks as kami.http_request). */
    static WasiHttp.Response http(HttpGateway gateway, CallState call, String method, String url,
            Map<String, String> headers, byte[] body) {
        StringBuilder json = new StringBuilder("{\"method\":");
        Json.quote(json, method);
        json.append(",\"url\":");
        Json.quote(json, url);
        json.append(",\"headers\":{");
        boolean first = true;
        for (Map.Entry<String, String> h : headers.entrySet()) {
            if (!first) {
                json.append(',');
            }
            first = false;
            Json.quote(json, h.getKey());
            json.append(':');
            Json.quote(json, h.getValue());
        }
        json.append('}');
        if (body.length > 0) {
            json.append(",\"body\":");
            Json.quote(json, new String(body, StandardCharsets.UTF_8));
        }
        json.append('}');
        byte[] response = gateway.handle(call, json.toString().getBytes(StandardCharsets.UTF_8));
        Map<?, ?> r = (Map<?, ?>) Json.parse(new String(response, StandardCharsets.UTF_8));
        if (r.get("error") != null) {
            GUEST_LOG.debug("[{}] wasi:http {} {} refused: {} {}", call.toolId, method, url, r.get("error"),
                    r.get("message"));
            return new WasiHttp.Response(0, Map.of(), new byte[0], String.valueOf(r.get("error")),
                    String.valueOf(r.get("message")));
        }
        Map<String, String> out = new java.util.LinkedHashMap<>();
        if (r.get("headers") instanceof Map<?, ?> hs) {
            hs.forEach((k, v) -> out.put(String.valueOf(k), String.valueOf(v)));
        }
        String text = r.get("body") instanceof String b ? b : "";
        return new WasiHttp.Response(((Number) r.get("status")).intValue(), out,
                text.getBytes(StandardCharsets.UTF_8), null, null);
    }

    private EngineResult outcome(CallState call, Variant v) {
        if (call.limitHit != null) {
            return failure(call, ToolErrorKind.OUTPUT_TOO_LARGE, call.overflowMessage(call.limitHit));
        }
        String text = (String) v.value();
        byte[] out = text.getBytes(StandardCharsets.UTF_8);
        if (out.length > call.maxOutputBytes) {
            return failure(call, ToolErrorKind.OUTPUT_TOO_LARGE, call.overflowMessage("its result (run)"));
        }
        if (v.index() != 0) {
            return new EngineResult(ToolErrorKind.TOOL_ERROR, out, "tool '" + call.toolId + "' reported an error: "
                    + CallMessages.shorten(text.isBlank() ? "(no message)" : text), call.logs(), fuel(call));
        }
        return EngineResult.success(out, call.logs(), fuel(call));
    }

    private static void log(CallState call, int level, String message) {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > call.maxOutputBytes) {
            throw call.tooLarge("logs (host.log)");
        }
        call.log(level, bytes);
        if (GUEST_LOG.isDebugEnabled()) {
            LogEntry last = call.logs().get(call.logs().size() - 1);
            GUEST_LOG.debug("[{}] {} {}", call.toolId, last.levelName(), last.message());
        }
    }

    /**
     * The call's own in-memory file system behind the quota-keeping view, as for WASI preview 1
     * (docs/adr/0101, 0107): the same {@link ScratchLimits} hold for a component's /data.
     */
    private ScratchFileSystem fileSystem(CallState call, EffectivePermissions p) {
        boolean readOnly = p.fsAccess() == FsAccess.READ_ONLY;
        long maxSize = readOnly ? 2 * engine.maxCopyBytes() + 1024 * 1024 : scratch.maxBytes();
        FileSystem fs = Jimfs.newFileSystem(Configuration.unix().toBuilder()
                .setWorkingDirectory(FileSystemView.MOUNT).setMaxSize(maxSize)
                .setMaxCacheSize(0) // freed blocks go back to the heap, not to a per-call cache
                .build());
        Path mount = fs.getPath(FileSystemView.MOUNT);
        ScratchFileSystem quotas = new ScratchFileSystem(fs, mount, scratch);
        try {
            Files.createDirectories(mount);
            if (readOnly) {
                WasiSandbox.copyTree(call, p.fsDirectory(), mount, engine.maxCopyBytes(), scratch, quotas);
            }
        } catch (IOException | RuntimeException e) {
            try {
                fs.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw new GuestAbort(ToolErrorKind.INTERNAL, "cannot prepare /data for tool '" + call.toolId + "' from "
                    + p.fsDirectory() + ": " + e.getMessage() + ". Grant a readable directory (kami grant <tool> "
                    + "fs:read-only:<dir>) or revoke the grant");
        }
        return quotas;
    }

    private EngineResult classify(CallState call, Throwable t, Deadlines.Guard guard, List<GuestMemory> memories,
            boolean budgetRefused) {
        GuestAbort abort = CallMessages.find(t, GuestAbort.class);
        if (abort != null) {
            return failure(call, abort.kind(), abort.getMessage());
        }
        if (call.limitHit != null) {
            return failure(call, ToolErrorKind.OUTPUT_TOO_LARGE, call.overflowMessage(call.limitHit));
        }
        WasiPreview2.Exit exit = CallMessages.find(t, WasiPreview2.Exit.class);
        if (exit != null) {
            String tail = new String(call.stderr.tail(CallMessages.MESSAGE_MAX), StandardCharsets.UTF_8).strip();
            return failure(call, ToolErrorKind.NON_ZERO_EXIT, "tool '" + call.toolId + "' exited with code "
                    + exit.code() + " instead of returning from run: " + (tail.isEmpty() ? "(nothing on stderr)" : tail));
        }
        ComponentMemoryLimit limit = CallMessages.find(t, ComponentMemoryLimit.class);
        int mb = call.invocation.permissions().maxMemoryMb();
        if (limit != null) {
            return failure(call, ToolErrorKind.MEMORY_LIMIT, "tool '" + call.toolId + "': " + limit.getMessage());
        }
        if (CallMessages.find(t, StackOverflowError.class) != null || CallMessages.messageContains(t, "call stack exhausted")) {
            return failure(call, ToolErrorKind.STACK_EXHAUSTED, "tool '" + call.toolId + "' exhausted the call "
                    + "stack (recursion deeper than the worker thread's stack allows)");
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
                    + call.toolId + "' (memory limit " + mb + " MiB per call); lower max_memory_mb or the number of "
                    + "workers");
        }
        String detail = String.valueOf(t.getMessage());
        if (budgetRefused) {
            return failure(call, ToolErrorKind.MEMORY_LIMIT, "tool '" + call.toolId + "' hit its memory limit of "
                    + mb + " MiB (max_memory_mb) across all its memories: memory.grow was refused, then it trapped ("
                    + detail + ")");
        }
        for (GuestMemory m : memories) {
            if (m.growRefused()) {
                return failure(call, ToolErrorKind.MEMORY_LIMIT, "tool '" + call.toolId + "' hit its memory limit of "
                        + mb + " MiB (max_memory_mb): memory.grow was refused, then it trapped (" + detail + ")");
            }
        }
        ComponentTrap trap = CallMessages.find(t, ComponentTrap.class);
        if (trap != null) {
            return failure(call, ToolErrorKind.TRAP, "tool '" + call.toolId + "' broke the canonical ABI: "
                    + trap.getMessage());
        }
        if (CallMessages.messageContains(t, "out of bounds memory access")) {
            return failure(call, ToolErrorKind.OUT_OF_BOUNDS, "tool '" + call.toolId + "' accessed memory out of "
                    + "bounds: " + detail);
        }
        if (CallMessages.messageContains(t, "integer divide by zero") || CallMessages.messageContains(t, "integer overflow")) {
            return failure(call, ToolErrorKind.DIVIDE_BY_ZERO, "tool '" + call.toolId + "' trapped on "
                    + (CallMessages.messageContains(t, "overflow") ? "integer overflow" : "integer divide by zero") + ": " + detail);
        }
        if (t instanceof RuntimeException) {
            return failure(call, ToolErrorKind.TRAP, "tool '" + call.toolId + "' trapped: " + detail);
        }
        return failure(call, ToolErrorKind.INTERNAL, "the engine failed while running tool '" + call.toolId + "': "
                + t.getClass().getSimpleName());
    }

    private EngineResult failure(CallState call, ToolErrorKind kind, String message) {
        return new EngineResult(kind, new byte[0], message, call.logs(), fuel(call));
    }

    private long fuel(CallState call) {
        return compiled ? -1 : call.fuel;
    }

}
