package dev.kami.mcp.testkit;

import dev.kami.BusyException;
import dev.kami.CallOptions;
import dev.kami.CancellationToken;
import dev.kami.InstallOptions;
import dev.kami.InstalledTool;
import dev.kami.Kami;
import dev.kami.KamiListener;
import dev.kami.MetricsSnapshot;
import dev.kami.Registration;
import dev.kami.ToolChange;
import dev.kami.ToolErrorKind;
import dev.kami.ToolNotFoundException;
import dev.kami.ToolResult;
import dev.kami.manifest.Abi;
import dev.kami.manifest.ArgumentType;
import dev.kami.manifest.ToolAnnotations;
import dev.kami.manifest.ToolArgument;
import dev.kami.manifest.ToolId;
import dev.kami.manifest.ToolManifest;
import dev.kami.manifest.ToolVersion;
import dev.kami.policy.EffectivePermissions;
import dev.kami.policy.Grants;
import dev.kami.policy.HostPolicy;
import dev.kami.policy.Permission;
import dev.kami.spi.Server;
import dev.kami.spi.ToolRecord;
import dev.kami.spi.TransportConfig;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A hand-written {@link Kami} for tests: deterministic tools, no WebAssembly. Tools:
 * {@code dev.test.echo} (returns {@code {"message": ...}} as JSON), {@code dev.test.noargs}
 * (plain text), {@code dev.test.slow} (loops until cancelled, honouring the token),
 * {@code dev.test.fail} (a tool error), {@code dev.test.busy} (refused as busy),
 * {@code dev.test.hidden} (disabled) and {@code dev.test.install} (installs a new tool, firing a
 * list change).
 */
public final class FakeKami implements Kami {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** Behaviour of a fake tool: arguments and the call's token in, result out. */
    public interface Behaviour extends BiFunction<JsonNode, CancellationToken, ToolResult> {
    }

    private final Map<String, InstalledTool> tools = new ConcurrentHashMap<>();
    private final Map<String, Behaviour> behaviours = new ConcurrentHashMap<>();
    private final List<KamiListener> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService workers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fake-kami-worker");
        t.setDaemon(true);
        return t;
    });
    private final AtomicInteger installs = new AtomicInteger();
    /** Nanos when the slow tool last noticed its cancellation (0 if never). */
    public volatile long slowStoppedAtNanos;

    /** @return a fake with the standard test tools */
    public static FakeKami standard() {
        FakeKami k = new FakeKami();
        k.add(tool("dev.test.echo", "Echo", "Returns the message it was given",
                List.of(new ToolArgument("message", ArgumentType.STRING, "what to echo", true)), null, null,
                new ToolAnnotations(true, false, true, false), true),
                (args, token) -> structured("{\"message\":" + args.get("message").toString() + "}"));
        k.add(tool("dev.test.noargs", null, "Says pong", List.of(), null, null, ToolAnnotations.NONE, true),
                (args, token) -> ToolResult.success("pong"));
        k.add(tool("dev.test.slow", null, "Loops until cancelled", List.of(), null, null, ToolAnnotations.NONE, true),
                k::slow);
        k.add(tool("dev.test.fail", null, "Always fails", List.of(), null, null, ToolAnnotations.NONE, true),
                (args, token) -> ToolResult.error(ToolErrorKind.TOOL_ERROR, "the tool failed on purpose: try dev_test_echo"));
        k.add(tool("dev.test.busy", null, "Always refused as busy", List.of(), null, null, ToolAnnotations.NONE, true),
                (args, token) -> {
                    throw new BusyException("all 2 workers are busy and the queue wait of 30s passed");
                });
        k.add(tool("dev.test.hidden", null, "Disabled", List.of(), null, null, ToolAnnotations.NONE, false),
                (args, token) -> ToolResult.success("should never run"));
        k.add(tool("dev.test.schema", "Schema", "Takes a full JSON Schema", List.of(),
                "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\",\"minimum\":1}},\"required\":[\"n\"],"
                        + "\"additionalProperties\":false}",
                "{\"type\":\"object\",\"properties\":{\"double\":{\"type\":\"integer\"}}}", ToolAnnotations.NONE, true),
                (args, token) -> structured("{\"double\":" + args.get("n").asLong() * 2 + "}"));
        k.add(tool("dev.test.install", null, "Installs dev.test.new<N> (fires a list change)", List.of(), null, null,
                ToolAnnotations.NONE, true), (args, token) -> {
                    String id = "dev.test.new" + k.installs.incrementAndGet();
                    k.install(tool(id, null, "Installed at runtime", List.of(), null, null, ToolAnnotations.NONE, true),
                            (a, t) -> ToolResult.success("new"));
                    return ToolResult.success("installed " + id);
                });
        return k;
    }

    private static ToolResult structured(String json) {
        return new ToolResult(false, null, json, json, List.of(), null);
    }

    private ToolResult slow(JsonNode args, CancellationToken token) {
        Thread me = Thread.currentThread();
        Registration r = token.onCancel(me::interrupt);
        try {
            long end = System.nanoTime() + 30_000_000_000L;
            while (System.nanoTime() < end) {
                if (token.isCancelled() || Thread.interrupted()) {
                    slowStoppedAtNanos = System.nanoTime();
                    return ToolResult.error(ToolErrorKind.CANCELLED, "cancelled by the caller");
                }
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    slowStoppedAtNanos = System.nanoTime();
                    return ToolResult.error(ToolErrorKind.CANCELLED, "cancelled by the caller");
                }
            }
            return ToolResult.error(ToolErrorKind.TIMEOUT, "the call ran past its 30000 ms deadline");
        } finally {
            r.close();
        }
    }

    /** @return an installed-tool snapshot for a fake tool */
    public static InstalledTool tool(String id, String title, String description, List<ToolArgument> args,
            String inputSchema, String outputSchema, ToolAnnotations annotations, boolean enabled) {
        ToolId tid = ToolId.of(id);
        ToolManifest m = new ToolManifest(tid, id.substring(id.lastIndexOf('.') + 1), ToolVersion.parse("1.0.0"),
                "tool.wasm", Abi.KAMI_V1, title, description, args, inputSchema, outputSchema, annotations, null);
        Instant now = Instant.now();
        ToolRecord rec = new ToolRecord(tid, m.name(), m.version(), description, tid.mcpName(), "[tool]",
                "0".repeat(64), 1, null, null, enabled, null, "test", now, now);
        return new InstalledTool(m, rec, Grants.none(), EffectivePermissions.denyAll(64, 5000), Abi.KAMI_V1);
    }

    /** Adds a tool without telling listeners. */
    public void add(InstalledTool t, Behaviour b) {
        tools.put(t.id().value(), t);
        behaviours.put(t.id().value(), b);
    }

    /** Adds a tool and tells listeners it was installed. */
    public void install(InstalledTool t, Behaviour b) {
        add(t, b);
        fire(new ToolChange(t.id(), ToolChange.Kind.INSTALLED));
    }

    private void fire(ToolChange c) {
        for (KamiListener l : listeners) {
            l.toolsChanged(c);
        }
    }

    private InstalledTool lookup(String tool) {
        InstalledTool t = tools.get(tool);
        if (t != null) {
            return t;
        }
        for (InstalledTool x : tools.values()) {
            if (x.mcpName().equals(tool)) {
                return x;
            }
        }
        return null;
    }

    @Override
    public InstalledTool install(Path packagePath) {
        throw new UnsupportedOperationException("fake");
    }

    @Override
    public InstalledTool install(String source, InstallOptions options) {
        throw new UnsupportedOperationException("fake");
    }

    @Override
    public InstalledTool update(String tool, String source, InstallOptions options) {
        throw new UnsupportedOperationException("fake");
    }

    @Override
    public InstalledTool validate(Path packagePath) {
        throw new UnsupportedOperationException("fake");
    }

    @Override
    public List<InstalledTool> list() {
        List<InstalledTool> l = new ArrayList<>(tools.values());
        l.sort(Comparator.comparing(t -> t.id().value()));
        return l;
    }

    @Override
    public Optional<InstalledTool> find(String tool) {
        return Optional.ofNullable(lookup(tool));
    }

    @Override
    public InstalledTool tool(String tool) {
        InstalledTool t = lookup(tool);
        if (t == null) {
            throw new ToolNotFoundException("no tool " + tool);
        }
        return t;
    }

    @Override
    public boolean uninstall(String tool) {
        InstalledTool t = lookup(tool);
        if (t == null) {
            return false;
        }
        tools.remove(t.id().value());
        fire(new ToolChange(t.id(), ToolChange.Kind.REMOVED));
        return true;
    }

    @Override
    public void enable(String tool) {
        setEnabled(tool, true);
    }

    @Override
    public void disable(String tool) {
        setEnabled(tool, false);
    }

    private void setEnabled(String tool, boolean e) {
        InstalledTool t = tool(tool);
        InstalledTool n = new InstalledTool(t.manifest(), t.record().withEnabled(e, Instant.now()), t.grants(),
                t.effective(), t.abi());
        tools.put(t.id().value(), n);
        fire(new ToolChange(t.id(), e ? ToolChange.Kind.ENABLED : ToolChange.Kind.DISABLED));
    }

    @Override
    public void pin(String tool, String version) {
        throw new UnsupportedOperationException("fake");
    }

    @Override
    public Grants grant(String tool, Permission... permissions) {
        throw new UnsupportedOperationException("fake");
    }

    @Override
    public Grants revoke(String tool, Permission... permissions) {
        throw new UnsupportedOperationException("fake");
    }

    @Override
    public InstalledTool verify(String tool) {
        return tool(tool);
    }

    @Override
    public ToolResult call(String tool, String argumentsJson, CallOptions options) {
        return callAsync(tool, argumentsJson, options).join();
    }

    @Override
    public CompletableFuture<ToolResult> callAsync(String tool, String argumentsJson, CallOptions options) {
        InstalledTool t = lookup(tool);
        if (t == null || !t.enabled()) {
            return CompletableFuture.failedFuture(new ToolNotFoundException("no enabled tool " + tool));
        }
        Behaviour b = behaviours.get(t.id().value());
        CancellationToken token = options.cancellation() != null ? options.cancellation() : new CancellationToken();
        JsonNode args = JSON.readTree(argumentsJson);
        return CompletableFuture.supplyAsync(() -> b.apply(args, token), workers);
    }

    @Override
    public ToolResult run(Path packageOrWasm, String argumentsJson, CallOptions options) {
        throw new UnsupportedOperationException("fake");
    }

    @Override
    public Server serve(String transportId, TransportConfig config) {
        throw new UnsupportedOperationException("fake");
    }

    @Override
    public Registration subscribe(KamiListener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    @Override
    public MetricsSnapshot metrics() {
        return new MetricsSnapshot(Instant.now(), Map.of(), 0, 0, 0, 0, 0, 0, 0);
    }

    @Override
    public HostPolicy policy() {
        return HostPolicy.defaults();
    }

    @Override
    public String engineDescription() {
        return "fake";
    }

    @Override
    public void close() {
        workers.shutdownNow();
    }
}
