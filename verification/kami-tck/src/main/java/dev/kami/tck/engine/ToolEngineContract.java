package dev.kami.tck.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.sun.net.httpserver.HttpServer;
import dev.kami.ModuleRejectedException;
import dev.kami.ToolErrorKind;
import dev.kami.manifest.Abi;
import dev.kami.manifest.FsAccess;
import dev.kami.policy.EffectivePermissions;
import dev.kami.policy.ScratchLimits;
import dev.kami.spi.CompiledModule;
import dev.kami.spi.EngineConfig;
import dev.kami.spi.EngineResult;
import dev.kami.spi.Invocation;
import dev.kami.spi.ModuleInfo;
import dev.kami.spi.ModuleSource;
import dev.kami.spi.ToolEngine;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract every {@link ToolEngine} must pass: the guest ABI of {@code docs/ABI.md}, the
 * sandbox and limits of the security model, and the hostile {@link EngineFixtures} (endless loop,
 * deep recursion, memory bomb, floods, escapes, forbidden hosts). Each hostile test asserts the
 * exact {@link ToolErrorKind}, that the call ended within its deadline plus a generous margin
 * ({@link #marginMillis()}), and that the next call on the same worker thread succeeds.
 *
 * <p>Subclass once per engine configuration:
 *
 * <pre>{@code
 * class ChicoryCompiledEngineTest extends ToolEngineContract {
 *     protected ToolEngine createEngine(EngineConfig config) { return new ChicoryEngineProvider().create(config); }
 *     protected boolean expectsFuel() { return false; }
 * }
 * }</pre>
 *
 * <p>Calls run on worker threads the contract creates with a known stack ({@link #stackBytes()}),
 * as a host's worker pool would.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class ToolEngineContract {
    /** The HTTP body cap the contract configures, small enough to test. */
    protected static final long HTTP_MAX_RESPONSE_BYTES = 64 * 1024;
    /** The per-call request cap the contract configures. */
    protected static final int HTTP_MAX_REQUESTS = 4;
    /**
     * The scratch quotas the contract configures, small enough to hit quickly: 4 MiB, 200 files,
     * 50 directories, paths of 512 bytes, 8 levels, 16 open descriptors.
     */
    protected static final ScratchLimits SCRATCH = new ScratchLimits(4L * 1024 * 1024, 200, 50, 512, 8, 16);

    private ToolEngine engine;
    private ExecutorService worker;
    private final Map<String, CompiledModule> compiled = new ConcurrentHashMap<>();
    private final AtomicInteger threads = new AtomicInteger();
    private HttpServer server;
    private final AtomicInteger bigHits = new AtomicInteger();
    /** Every error text the engine gave the contract: none may name a Java class. */
    private final List<String> errorTexts = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * @param config engine options the contract needs ({@link EngineConfig#HTTP_MAX_RESPONSE_BYTES},
     *     {@link EngineConfig#HTTP_MAX_REQUESTS}); add the engine's own
     * @return a new engine under test
     */
    protected abstract ToolEngine createEngine(EngineConfig config);

    /** @return whether this engine configuration enforces {@code max_fuel} */
    protected abstract boolean expectsFuel();

    /** @return the stack size of the worker threads (16 MiB, the host's default) */
    protected long stackBytes() {
        return 16L * 1024 * 1024;
    }

    /** @return how late past its deadline a stopped call may return (generous: machines are shared) */
    protected long marginMillis() {
        return 1500;
    }

    /** @return the engine under test */
    protected final ToolEngine engine() {
        return engine;
    }

    @BeforeAll
    final void startEngine() throws IOException {
        Map<String, String> options = new java.util.HashMap<>(SCRATCH.engineOptions());
        options.putAll(Map.of(
                EngineConfig.HTTP_MAX_RESPONSE_BYTES, Long.toString(HTTP_MAX_RESPONSE_BYTES),
                EngineConfig.HTTP_MAX_REQUESTS, Integer.toString(HTTP_MAX_REQUESTS),
                EngineConfig.HTTP_TIMEOUT_MS, "5000"));
        engine = createEngine(new EngineConfig(options));
        worker = Executors.newSingleThreadExecutor(this::newWorker);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/hello", ex -> respond(ex, 200, "hello over http"));
        server.createContext("/redirect-out", ex -> {
            ex.getResponseHeaders().add("Location", "http://evil.example/steal");
            respond(ex, 302, "");
        });
        server.createContext("/redirect-in", ex -> {
            ex.getResponseHeaders().add("Location", "/hello");
            respond(ex, 302, "");
        });
        server.createContext("/loop", ex -> {
            ex.getResponseHeaders().add("Location", "/loop");
            respond(ex, 307, "");
        });
        server.createContext("/big", ex -> {
            bigHits.incrementAndGet();
            respond(ex, 200, "x".repeat((int) HTTP_MAX_RESPONSE_BYTES * 2));
        });
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "kami-tck-http");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    /** After every test of the class: no error text the engine gave named a Java class. */
    @AfterAll
    final void everyErrorTextIsFreeOfJavaClassNames() {
        errorTexts.forEach(ToolEngineContract::assertNamesNoJavaClass);
    }

    @AfterAll
    final void stopEngine() throws InterruptedException {
        if (server != null) {
            server.stop(0);
        }
        if (worker != null) {
            worker.shutdownNow();
            worker.awaitTermination(10, TimeUnit.SECONDS);
        }
        if (engine != null) {
            engine.close();
        }
    }

    private static void respond(com.sun.net.httpserver.HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "text/plain");
        ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private Thread newWorker(Runnable r) {
        Thread t = new Thread(null, r, "kami-tck-worker-" + threads.incrementAndGet(), stackBytes());
        t.setDaemon(true);
        return t;
    }

    // ------------------------------------------------------------------ helpers

    /** A call's result and how long it took, on which thread, and whether that thread was left interrupted. */
    protected record Timed(EngineResult result, long millis, boolean leftInterrupted) {
        /** @return the output as text */
        public String text() {
            return new String(result.output(), StandardCharsets.UTF_8);
        }
    }

    /** @return the fixture compiled once per contract instance */
    protected final CompiledModule module(String fixture) {
        return compiled.computeIfAbsent(fixture, f -> engine.compile(source(f, EngineFixtures.bytes(f), null)));
    }

    /** @return a module source with the tool id {@code dev.kami.tck.<fixture>} */
    protected static ModuleSource source(String fixture, byte[] bytes, Abi abi) {
        return new ModuleSource(toolId(fixture), bytes, sha256(bytes), abi);
    }

    /** @return the tool id the contract uses for a fixture */
    protected static String toolId(String fixture) {
        return "dev.kami.tck." + fixture;
    }

    /** @return deny-all permissions: 16 MiB, 2 s, 1 MiB output */
    protected static EffectivePermissions perms() {
        return EffectivePermissions.denyAll(16, 2000);
    }

    /** Runs one call on the contract's worker thread. */
    protected final Timed call(String fixture, String input, EffectivePermissions permissions) {
        return call(fixture, input.getBytes(StandardCharsets.UTF_8), permissions, Map.of());
    }

    /** Runs one call on the contract's worker thread. */
    protected final Timed call(String fixture, byte[] input, EffectivePermissions permissions,
            Map<String, String> env) {
        CompiledModule m = module(fixture);
        return onWorker(() -> {
            Invocation inv = new Invocation(toolId(fixture), input, permissions, env,
                    System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(permissions.maxExecutionMs()));
            return timed(m, inv);
        });
    }

    private Timed timed(CompiledModule m, Invocation inv) {
        long start = System.nanoTime();
        EngineResult r = m.invoke(inv);
        if (r.message() != null) {
            errorTexts.add(r.message());
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        boolean interrupted = Thread.interrupted();
        return new Timed(r, millis, interrupted);
    }

    private <T> T onWorker(java.util.concurrent.Callable<T> task) {
        try {
            return worker.submit(task).get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the call did not complete on the worker: " + e, e);
        }
    }

    /** Asserts a failure of the given kind, naming the tool, within the deadline plus the margin. */
    protected final void assertFailure(Timed t, String fixture, ToolErrorKind kind, EffectivePermissions p) {
        assertThat(t.result().errorKind()).as("error kind; message: %s", t.result().message()).isEqualTo(kind);
        assertThat(t.result().message()).contains(toolId(fixture));
        assertThat(t.millis()).as("call duration (ms) against deadline %d ms", p.maxExecutionMs())
                .isLessThan(p.maxExecutionMs() + marginMillis());
        assertThat(t.leftInterrupted()).as("a failed call must not leave its worker interrupted").isFalse();
        assertNextCallSucceeds();
    }

    /** Asserts that echo works on the worker thread (a failure never affects the next call). */
    protected final void assertNextCallSucceeds() {
        Timed next = call("echo", "{\"next\":true}", perms());
        assertThat(next.result().success()).as("next call: %s", next.result().message()).isTrue();
        assertThat(next.text()).isEqualTo("{\"next\":true}");
    }

    /**
     * Runs an install-time step that must be refused, and returns the refusal (its message is
     * checked for Java class names with the others).
     */
    protected final ModuleRejectedException refusal(Runnable step) {
        try {
            step.run();
        } catch (ModuleRejectedException e) {
            errorTexts.add(e.getMessage());
            return e;
        }
        throw new AssertionError("expected the module to be refused");
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------ inspect and compile

    @Test
    void everyFixtureShipsItsSourceAndItsModule() {
        for (String name : EngineFixtures.NAMES) {
            assertThat(EngineFixtures.source(name)).as(name + ".wat").contains("(module");
            assertThat(EngineFixtures.bytes(name)).as(name + ".wasm").startsWith(0, 'a', 's', 'm');
        }
    }

    @Test
    void engineReportsFuelSupportAsConfigured() {
        assertThat(engine.supportsFuel()).isEqualTo(expectsFuel());
    }

    @Test
    void inspectReportsAbiImportsExportsAndMemory() {
        ModuleInfo echo = engine.inspect(EngineFixtures.bytes("echo"));
        assertThat(echo.abi()).isEqualTo(Abi.KAMI_V1);
        assertThat(echo.imports()).containsExactly("kami.output");
        assertThat(echo.exports()).contains("memory", "kami_alloc", "kami_run", "kami_describe");
        assertThat(echo.hasDescribe()).isTrue();
        assertThat(echo.minMemoryPages()).isEqualTo(2);
        assertThat(echo.maxMemoryPages()).isEqualTo(-1);

        ModuleInfo hello = engine.inspect(EngineFixtures.bytes("wasi-hello"));
        assertThat(hello.abi()).isEqualTo(Abi.WASI_COMMAND);
        assertThat(hello.imports()).containsExactly("wasi_snapshot_preview1.fd_write");
        assertThat(hello.hasDescribe()).isFalse();
    }

    @Test
    void oversizedDeclaredMinimumIsVisibleAtInspectAndRefusedAtInvoke() {
        assertThat(engine.inspect(EngineFixtures.bytes("big-minimum")).minMemoryPages()).isEqualTo(2048);
        EffectivePermissions p = EffectivePermissions.denyAll(64, 2000);
        Timed t = call("big-minimum", "{}", p);
        assertFailure(t, "big-minimum", ToolErrorKind.MEMORY_LIMIT, p);
        assertThat(t.result().message()).contains("64 MiB");
    }

    @Test
    void unknownImportsAreRefusedWithTheirList() {
        assertThat(refusal(() -> engine.compile(
                source("unknown-import", EngineFixtures.bytes("unknown-import"), null))))
                .hasMessageContaining("env.launch_missiles")
                .hasMessageContaining("kami.exec")
                .hasMessageContaining(toolId("unknown-import"));
        assertThat(refusal(() -> engine.inspect(EngineFixtures.bytes("unknown-import"))))
                .hasMessageContaining("env.launch_missiles");
        assertNextCallSucceeds();
    }

    @Test
    void malformedBytesAreRefused() {
        byte[] junk = "this is not a wasm module at all".getBytes(StandardCharsets.UTF_8);
        assertThat(refusal(() -> engine.compile(source("junk", junk, null))))
                .hasMessageContaining(toolId("junk"));
        assertThat(refusal(() -> engine.inspect(new byte[0]))).hasMessageContaining("0 bytes");
        assertThat(refusal(() -> engine.inspect(toolId("junk"), junk)))
                .as("inspect names the tool in its refusal")
                .hasMessageContaining(toolId("junk"));
        assertNextCallSucceeds();
    }

    @Test
    void truncatedBytesAreRefused() {
        byte[] echo = EngineFixtures.bytes("echo");
        for (int len : new int[] {8, 20, echo.length / 2, echo.length - 1}) {
            byte[] cut = Arrays.copyOf(echo, len);
            assertThat(refusal(() -> engine.compile(source("truncated", cut, null))))
                    .as("truncated to %d of %d bytes", len, echo.length)
                    .hasMessageContaining(toolId("truncated"));
        }
        assertNextCallSucceeds();
    }

    @Test
    void moduleWithoutAbiIsRefused() {
        assertThat(refusal(() -> engine.compile(source("no-abi", EngineFixtures.bytes("no-abi"), null))))
                .hasMessageContaining("kami_run")
                .hasMessageContaining("_start");
    }

    @Test
    void wrongExportSignatureIsRefused() {
        assertThat(refusal(() -> engine.compile(source("bad-signature", EngineFixtures.bytes("bad-signature"), null))))
                .hasMessageContaining("kami_run");
    }

    @Test
    void declaredAbiTheExportsDoNotImplementIsRefused() {
        assertThat(refusal(() -> engine.compile(source("echo", EngineFixtures.bytes("echo"), Abi.WASI_COMMAND))))
                .hasMessageContaining("wasi-command")
                .hasMessageContaining("_start");
        assertThat(refusal(() -> engine.compile(source("wasi-hello", EngineFixtures.bytes("wasi-hello"), Abi.KAMI_V1))))
                .hasMessageContaining("kami_run");
    }

    @Test
    void aClosedEngineRefusesWorkAndClosesOnce() {
        ToolEngine other = createEngine(EngineConfig.defaults());
        CompiledModule echo = other.compile(source("echo", EngineFixtures.bytes("echo"), null));
        assertThat(echo.invoke(Invocation.of(toolId("echo"), new byte[0], perms())).success()).isTrue();
        other.close();
        other.close();
        EngineResult after = echo.invoke(Invocation.of(toolId("echo"), new byte[0], perms()));
        assertThat(after.errorKind()).isEqualTo(ToolErrorKind.REJECTED);
        assertThatThrownBy(() -> other.compile(source("echo", EngineFixtures.bytes("echo"), null)))
                .isInstanceOf(IllegalStateException.class);
        assertNextCallSucceeds();
    }

    // ------------------------------------------------------------------ the ABIs

    @Test
    void echoReturnsItsInput() {
        Timed t = call("echo", "{\"message\":\"héllo\"}", perms());
        assertThat(t.result().success()).as(t.result().message()).isTrue();
        assertThat(t.text()).isEqualTo("{\"message\":\"héllo\"}");
        assertThat(t.result().message()).isNull();
    }

    @Test
    void emptyInputIsAllowed() {
        Timed t = call("echo", "", perms());
        assertThat(t.result().success()).as(t.result().message()).isTrue();
        assertThat(t.result().output()).isEmpty();
    }

    @Test
    void wasiCommandWritesItsOutputToStdout() {
        Timed t = call("wasi-hello", "{}", perms());
        assertThat(t.result().success()).as(t.result().message()).isTrue();
        assertThat(t.text()).isEqualTo("hello from wasi-command");
    }

    @Test
    void wasiCommandReadsItsInputFromStdin() {
        Timed t = call("wasi-echo", "{\"a\":[1,2,3]}", perms());
        assertThat(t.result().success()).as(t.result().message()).isTrue();
        assertThat(t.text()).isEqualTo("{\"a\":[1,2,3]}");
    }

    @Test
    void wasiCommandNonZeroExitCarriesTheStderrTail() {
        Timed t = call("wasi-fail", "{}", perms());
        assertFailure(t, "wasi-fail", ToolErrorKind.NON_ZERO_EXIT, perms());
        assertThat(t.result().message()).contains("code 3").contains("something went wrong");
    }

    @Test
    void logsAreCaptured() {
        Timed t = call("log", "{}", perms());
        assertThat(t.result().success()).as(t.result().message()).isTrue();
        assertThat(t.text()).isEqualTo("ok");
        assertThat(t.result().logs()).extracting(l -> l.level() + ":" + l.message())
                .containsExactly("2:hello log", "4:second line");
    }

    @Test
    void nonZeroStatusIsAToolErrorWithTheGuestsMessage() {
        Timed t = call("traps", "e", perms());
        assertFailure(t, "traps", ToolErrorKind.TOOL_ERROR, perms());
        assertThat(t.result().message()).contains("bad input: expected x").contains("7");
        assertThat(new String(t.result().output(), StandardCharsets.UTF_8)).isEqualTo("bad input: expected x");
    }

    @Test
    void invalidUtf8OutputIsRefused() {
        assertFailure(call("traps", "i", perms()), "traps", ToolErrorKind.INVALID_OUTPUT, perms());
    }

    @Test
    void allocatorPointingOutsideMemoryBreaksTheAbi() {
        assertFailure(call("bad-alloc", "{}", perms()), "bad-alloc", ToolErrorKind.INVALID_OUTPUT, perms());
    }

    @Test
    void everyCallSeesAFreshInstanceAcrossThreads() throws Exception {
        CompiledModule counter = module("counter");
        ExecutorService pool = Executors.newFixedThreadPool(8, this::newWorker);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                results.add(pool.submit(() -> {
                    EngineResult r = counter.invoke(Invocation.of(toolId("counter"), new byte[0], perms()));
                    return r.success() ? new String(r.output(), StandardCharsets.UTF_8) : r.message();
                }));
            }
            for (Future<String> f : results) {
                assertThat(f.get(60, TimeUnit.SECONDS)).as("counter and _initialize flag").isEqualTo("11");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void tableGrowthIsCappedAndDoesNotLeakIntoTheNextInstance() {
        for (int i = 0; i < 3; i++) {
            Timed t = call("table-grow", "{}", perms());
            assertThat(t.result().success()).as(t.result().message()).isTrue();
            assertThat(t.text()).as("call %d: initial table size and refused 10M-entry grow", i).isEqualTo("1c");
        }
    }

    @Test
    void tenMebibyteInputRoundTrips() {
        byte[] big = new byte[10 * 1024 * 1024];
        Arrays.fill(big, (byte) 'a');
        EffectivePermissions p = perms().withLimits(64, 10_000, 0, 16L * 1024 * 1024);
        Timed t = call("echo", big, p, Map.of());
        assertThat(t.result().success()).as(t.result().message()).isTrue();
        assertThat(t.result().output()).hasSize(big.length);
        assertThat(t.result().output()[big.length - 1]).isEqualTo((byte) 'a');
    }

    @Test
    void tenMebibyteInputOverTheOutputCapIsTooLarge() {
        byte[] big = new byte[10 * 1024 * 1024];
        EffectivePermissions p = perms().withLimits(64, 10_000, 0, 1024 * 1024);
        Timed t = call("echo", big, p, Map.of());
        assertFailure(t, "echo", ToolErrorKind.OUTPUT_TOO_LARGE, p);
        assertThat(t.result().message()).contains("output").contains("1048576");
    }

    @Test
    void tenMebibyteInputOverTheMemoryCapIsAMemoryLimit() {
        byte[] big = new byte[10 * 1024 * 1024];
        EffectivePermissions p = perms().withLimits(4, 10_000, 0, 16L * 1024 * 1024);
        Timed t = call("echo", big, p, Map.of());
        assertFailure(t, "echo", ToolErrorKind.MEMORY_LIMIT, p);
    }

    // ------------------------------------------------------------------ CPU, stack, memory

    @Test
    void infiniteLoopTimesOutAtItsDeadline() {
        EffectivePermissions p = perms().withLimits(16, 200, 0, 1024 * 1024);
        Timed t = call("loop", "{}", p);
        assertFailure(t, "loop", ToolErrorKind.TIMEOUT, p);
        assertThat(t.millis()).isGreaterThanOrEqualTo(150);
        assertThat(t.result().message()).contains("200 ms");
    }

    @Test
    void loopWithAConditionalBackEdgeTimesOutAtItsDeadline() {
        EffectivePermissions p = perms().withLimits(16, 200, 0, 1024 * 1024);
        Timed t = call("loop-br-if", "{}", p);
        assertFailure(t, "loop-br-if", ToolErrorKind.TIMEOUT, p);
    }

    @Test
    void interruptBeforeTheDeadlineCancelsTheCall() throws Exception {
        CompiledModule loop = module("loop");
        EffectivePermissions p = perms().withLimits(16, 20_000, 0, 1024 * 1024);
        AtomicReference<Thread> running = new AtomicReference<>();
        Future<Timed> f = worker.submit(() -> {
            running.set(Thread.currentThread());
            return timed(loop, Invocation.of(toolId("loop"), new byte[0], p));
        });
        while (running.get() == null) {
            Thread.sleep(5);
        }
        Thread.sleep(200);
        long interruptedAt = System.nanoTime();
        running.get().interrupt();
        Timed t = f.get(30, TimeUnit.SECONDS);
        long afterInterrupt = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - interruptedAt);
        assertThat(t.result().errorKind()).as(t.result().message()).isEqualTo(ToolErrorKind.CANCELLED);
        assertThat(t.result().message()).contains(toolId("loop"));
        assertThat(afterInterrupt).as("ms from the interrupt to the result").isLessThan(marginMillis());
        assertThat(t.millis()).isLessThan(p.maxExecutionMs());
        assertThat(t.leftInterrupted()).as("the caller's interrupt stays visible").isTrue();
        assertNextCallSucceeds();
    }

    @Test
    void deadlineAlreadyPassedIsATimeout() {
        Timed t = onWorker(() -> timed(module("echo"), new Invocation(toolId("echo"), new byte[0], perms(),
                Map.of(), System.nanoTime() - 1)));
        assertThat(t.result().errorKind()).isEqualTo(ToolErrorKind.TIMEOUT);
    }

    @Test
    void aLateDeadlineNeverInterruptsTheNextTask() throws Exception {
        EffectivePermissions p = perms().withLimits(16, 50, 0, 1024 * 1024);
        for (int i = 0; i < 20; i++) {
            Timed t = call("cpu", "{}", p);
            assertThat(t.leftInterrupted()).isFalse();
        }
        Thread.sleep(100);
        assertThat(onWorker(() -> Thread.currentThread().isInterrupted())).isFalse();
    }

    @Test
    void deepRecursionExhaustsTheStack() {
        EffectivePermissions p = perms().withLimits(16, 10_000, 0, 1024 * 1024);
        assertFailure(call("recursion", "{}", p), "recursion", ToolErrorKind.STACK_EXHAUSTED, p);
    }

    @Test
    void memoryGrowBombHitsTheMemoryLimit() {
        EffectivePermissions p = perms().withLimits(16, 5000, 0, 1024 * 1024);
        Timed t = call("grow-bomb", "{}", p);
        assertFailure(t, "grow-bomb", ToolErrorKind.MEMORY_LIMIT, p);
        assertThat(t.result().message()).contains("16 MiB");
    }

    @Test
    void trapsAreReportedByKind() {
        assertFailure(call("traps", "u", perms()), "traps", ToolErrorKind.TRAP, perms());
        assertFailure(call("traps", "o", perms()), "traps", ToolErrorKind.OUT_OF_BOUNDS, perms());
        assertFailure(call("traps", "d", perms()), "traps", ToolErrorKind.DIVIDE_BY_ZERO, perms());
        assertFailure(call("traps", "v", perms()), "traps", ToolErrorKind.DIVIDE_BY_ZERO, perms());
        Timed ok = call("traps", "-", perms());
        assertThat(ok.text()).isEqualTo("ok");
    }

    @Test
    void linearMemoryKeepsWebAssemblySemantics() {
        for (int i = 0; i < 2; i++) { // the second call: data.drop in the first must not leak into it
            Timed t = call("memory-ops", "-", perms());
            assertThat(t.result().success()).as(t.result().message()).isTrue();
            assertThat(t.text()).as("call %d: one mark per check in memory-ops.wat, '.' = passed", i)
                    .isEqualTo("........");
        }
    }

    @Test
    void memoryAccessesPastTheEndTrapAsOutOfBounds() {
        for (String op : List.of("a", "f", "c", "i", "g", "n")) {
            Timed t = call("memory-ops", op, perms());
            assertFailure(t, "memory-ops", ToolErrorKind.OUT_OF_BOUNDS, perms());
        }
        assertThat(call("memory-ops", "-", perms()).text()).isEqualTo("........");
    }

    @Test
    void fuelIsCountedAndEnforcedWhereSupported() {
        EffectivePermissions unlimited = perms().withLimits(16, 20_000, 0, 1024 * 1024);
        Timed free = call("cpu", "{}", unlimited);
        assertThat(free.result().success()).as(free.result().message()).isTrue();
        EffectivePermissions budget = perms().withLimits(16, 20_000, 1000, 1024 * 1024);
        Timed limited = call("cpu", "{}", budget);
        if (expectsFuel()) {
            assertThat(free.result().fuelUsed()).isGreaterThan(100_000);
            assertFailure(limited, "cpu", ToolErrorKind.FUEL_EXHAUSTED, budget);
            assertThat(limited.result().message()).contains("1000");
            Timed loop = call("loop", "{}", budget);
            assertFailure(loop, "loop", ToolErrorKind.FUEL_EXHAUSTED, budget);
        } else {
            assertThat(free.result().fuelUsed()).isEqualTo(-1);
            assertThat(limited.result().success()).as("max_fuel is not enforced without fuel support").isTrue();
        }
    }

    // ------------------------------------------------------------------ output caps

    @Test
    void outputFloodIsTooLarge() {
        EffectivePermissions p = perms().withLimits(16, 5000, 0, 256 * 1024);
        Timed t = call("output-flood", "{}", p);
        assertFailure(t, "output-flood", ToolErrorKind.OUTPUT_TOO_LARGE, p);
        assertThat(t.result().message()).contains("output").contains("262144");
    }

    @Test
    void stdoutFloodIsTooLarge() {
        EffectivePermissions p = perms().withLimits(16, 5000, 0, 256 * 1024);
        Timed t = call("stdout-flood", "{}", p);
        assertFailure(t, "stdout-flood", ToolErrorKind.OUTPUT_TOO_LARGE, p);
        assertThat(t.result().message()).contains("stdout");
    }

    @Test
    void stderrFloodIsTooLarge() {
        EffectivePermissions p = perms().withLimits(16, 5000, 0, 256 * 1024);
        Timed t = call("stderr-flood", "{}", p);
        assertFailure(t, "stderr-flood", ToolErrorKind.OUTPUT_TOO_LARGE, p);
        assertThat(t.result().message()).contains("stderr");
    }

    @Test
    void logFloodIsTooLarge() {
        EffectivePermissions p = perms().withLimits(16, 5000, 0, 256 * 1024);
        Timed t = call("log-flood", "{}", p);
        assertFailure(t, "log-flood", ToolErrorKind.OUTPUT_TOO_LARGE, p);
        assertThat(t.result().message()).contains("log");
    }

    // ------------------------------------------------------------------ environment and arguments

    @Test
    void onlyGrantedEnvironmentVariablesAreVisible() {
        EffectivePermissions p = perms().withEnv(List.of("KAMI_TCK_GRANTED"));
        Timed t = call("env", new byte[0], p, Map.of("KAMI_TCK_GRANTED", "visible", "KAMI_TCK_SECRET", "hidden"));
        assertThat(t.result().success()).as(t.result().message()).isTrue();
        String env = t.text().substring(0, t.text().indexOf('|'));
        assertThat(env).contains("KAMI_TCK_GRANTED=visible").doesNotContain("KAMI_TCK_SECRET").doesNotContain("hidden");
        assertThat(env).doesNotContain("PATH=").doesNotContain("HOME=");
    }

    @Test
    void nonGrantedEnvironmentVariableIsNotVisible() {
        Timed t = call("env", new byte[0], perms(), Map.of("KAMI_TCK_SECRET", "hidden"));
        assertThat(t.result().success()).as(t.result().message()).isTrue();
        assertThat(t.text()).doesNotContain("KAMI_TCK_SECRET").startsWith("|");
    }

    @Test
    void theOnlyArgumentIsTheToolName() {
        Timed t = call("env", "{}", perms());
        assertThat(t.text().substring(t.text().indexOf('|') + 1)).isEqualTo(toolId("env") + "\0");
    }

    // ------------------------------------------------------------------ file system

    private Timed fs(String op, EffectivePermissions p) {
        return call("fs", op, p);
    }

    @Test
    void noDirectoryIsPreopenedWithoutAGrant() {
        Timed t = fs("rhello.txt", perms());
        assertThat(t.result().success()).as(t.result().message()).isTrue();
        assertThat(t.text()).startsWith("ERR"); // EBADF: fd 3 does not exist
    }

    @Test
    void readOnlyGrantShowsTheDirectoryAndRefusesWrites(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("hello.txt"), "granted content");
        Files.createDirectories(dir.resolve("sub"));
        Files.writeString(dir.resolve("sub/deep.txt"), "deep content");
        EffectivePermissions p = perms().withFs(FsAccess.READ_ONLY, dir);
        assertThat(fs("rhello.txt", p).text()).isEqualTo("OK:granted content");
        assertThat(fs("rsub/deep.txt", p).text()).isEqualTo("OK:deep content");
        assertThat(fs("whello.txt", p).text()).isEqualTo("ERR69"); // EROFS
        assertThat(fs("wnew.txt", p).text()).isEqualTo("ERR69");
        assertThat(fs("mnewdir", p).text()).isEqualTo("ERR69");
        assertThat(Files.readString(dir.resolve("hello.txt"))).isEqualTo("granted content");
        assertThat(dir.resolve("new.txt")).doesNotExist();
        assertThat(dir.resolve("newdir")).doesNotExist();
    }

    @Test
    void sandboxWritesWorkAndAreGoneByTheNextCall() {
        EffectivePermissions p = perms().withFs(FsAccess.SANDBOX, null);
        assertThat(fs("wnote.txt", p).text()).isEqualTo("OK:written");
        assertThat(fs("rnote.txt", p).text()).isEqualTo("ERR44"); // ENOENT: a fresh scratch per call
    }

    @Test
    void sandboxScratchIsBounded() {
        EffectivePermissions p = perms().withLimits(16, 20_000, 0, 1024 * 1024).withFs(FsAccess.SANDBOX, null);
        Timed t = fs("fbig.bin", p);
        assertThat(t.result().success()).as("a full scratch is an error the guest sees: %s", t.result().message())
                .isTrue();
        assertThat(t.text()).as("ENOSPC, not EIO").isEqualTo("ERR51");
        assertNextCallSucceeds();
    }

    @Test
    void pathsCannotEscapeTheGrantedDirectory(@TempDir Path tmp) throws IOException {
        Path granted = Files.createDirectories(tmp.resolve("granted"));
        Path secret = Files.writeString(tmp.resolve("secret.txt"), "top secret");
        Files.writeString(granted.resolve("ok.txt"), "fine");
        try {
            Files.createSymbolicLink(granted.resolve("escape"), secret);
        } catch (UnsupportedOperationException | IOException e) {
            // no symlinks on this file system: the host-link case is skipped below
        }
        for (EffectivePermissions p : List.of(perms().withFs(FsAccess.READ_ONLY, granted),
                perms().withFs(FsAccess.SANDBOX, null))) {
            assertThat(fs("r../secret.txt", p).text()).as("dot-dot, %s", p.fsAccess()).startsWith("ERR");
            assertThat(fs("r../../../../../../etc/passwd", p).text()).as("dot-dot to /etc").startsWith("ERR");
            assertThat(fs("r" + secret, p).text()).as("absolute path").startsWith("ERR");
            assertThat(fs("r/etc/passwd", p).text()).as("absolute /etc/passwd").startsWith("ERR");
            assertThat(fs("s" + secret, p).text()).as("guest symlink to an absolute path").startsWith("ERR");
            assertThat(fs("s../secret.txt", p).text()).as("guest symlink to ..").startsWith("ERR");
            assertThat(fs("w../planted.txt", p).text()).as("write outside").startsWith("ERR");
        }
        EffectivePermissions ro = perms().withFs(FsAccess.READ_ONLY, granted);
        assertThat(fs("rok.txt", ro).text()).isEqualTo("OK:fine");
        if (Files.isSymbolicLink(granted.resolve("escape"))) {
            assertThat(fs("rescape", ro).text()).as("host symlink pointing outside").startsWith("ERR");
        }
        assertThat(tmp.resolve("planted.txt")).doesNotExist();
        assertThat(Files.readString(secret)).isEqualTo("top secret");
    }

    // ------------------------------------------------------------------ outbound HTTP

    private String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    private Timed http(String request, List<String> grant) {
        return call("http", request, perms().withLimits(16, 10_000, 0, 1024 * 1024).withNet(grant));
    }

    // ------------------------------------------------------------------ scratch quotas

    private Timed quota(String op) {
        return call("fs-quota", op, perms().withFs(FsAccess.SANDBOX, null));
    }

    @Test
    void fileCountBombStopsAtTheFileQuotaWithEdquot() {
        Timed t = quota("f");
        assertThat(t.result().success()).as(t.result().message()).isTrue();
        assertThat(t.text()).isEqualTo(SCRATCH.maxFiles() + " ERR19"); // EDQUOT
        assertNextCallSucceeds();
    }

    @Test
    void directoryBombStopsAtTheDirectoryQuotaWithEdquot() {
        assertThat(quota("d").text()).isEqualTo(SCRATCH.maxDirectories() + " ERR19");
    }

    @Test
    void nestingStopsAtTheDepthLimitWithEnametoolong() {
        assertThat(quota("p").text()).isEqualTo(SCRATCH.maxDepth() + " ERR37");
    }

    @Test
    void descriptorBombStopsAtTheOpenFileQuotaWithEmfile() {
        assertThat(quota("o").text()).isEqualTo(SCRATCH.maxOpenFiles() + " ERR33");
        assertNextCallSucceeds();
    }

    @Test
    void namesAndPathsAreBoundedWithEnametoolong() {
        assertThat(quota("n" + "x".repeat(255)).text()).as("NAME_MAX is allowed").isEqualTo("1 ERR00");
        assertThat(quota("n" + "x".repeat(256)).text()).as("a name over 255 bytes").isEqualTo("0 ERR37");
        String longPath = ("y".repeat(100) + "/").repeat(6) + "z"; // "/data/" + 607 bytes > 512
        assertThat(quota("n" + longPath).text()).as("a path over the limit").isEqualTo("0 ERR37");
    }

    @Test
    void quotasCountThisCallOnly() {
        assertThat(quota("f").text()).isEqualTo(SCRATCH.maxFiles() + " ERR19");
        assertThat(quota("f").text()).as("the next call has a fresh scratch and a fresh count")
                .isEqualTo(SCRATCH.maxFiles() + " ERR19");
    }

    @Test
    void writingFarPastTheEndIsAnErrnoNotATrap() {
        Timed t = quota("w");
        assertThat(t.result().success()).as(t.result().message()).isTrue();
        assertThat(t.text()).isEqualTo("0 ERR22"); // EFBIG
    }

    @Test
    void deletingGivesQuotaBack() {
        assertThat(quota("c").text()).as("1,000 create-delete cycles under a quota of %d files", SCRATCH.maxFiles())
                .isEqualTo("1000 ERR00");
    }

    @Test
    void aGrantedDirectoryThatIsGoneFailsTheCallWithTheReason(@TempDir Path tmp) {
        Path gone = tmp.resolve("gone");
        Timed t = stat("P", perms().withFs(FsAccess.READ_ONLY, gone));
        assertThat(t.result().errorKind()).isEqualTo(ToolErrorKind.INTERNAL);
        assertThat(t.result().message()).contains(gone.toString()).contains("does not exist");
        assertNamesNoJavaClass(t.result().message());
    }

    @Test
    void readOnlyCopyIsCountedAgainstTheFileQuota(@TempDir Path dir) throws IOException {
        for (int i = 0; i <= SCRATCH.maxFiles(); i++) {
            Files.writeString(dir.resolve("f" + i), "");
        }
        EffectivePermissions p = perms().withFs(FsAccess.READ_ONLY, dir);
        Timed t = call("fs-stat", "P", p);
        assertThat(t.result().errorKind()).isEqualTo(ToolErrorKind.INTERNAL);
        assertThat(t.result().message()).contains(SCRATCH.maxFiles() + " files").contains("fs.maxFiles");
        assertNextCallSucceeds();
    }

    // ------------------------------------------------------------------ listing and stat

    private Timed stat(String op, EffectivePermissions p) {
        return call("fs-stat", op, p);
    }

    @Test
    void readOnlyDirectoryCanBeListedAndStatted(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("hello.txt"), "hello world");
        Files.createDirectories(dir.resolve("sub"));
        Files.writeString(dir.resolve("sub/deep.txt"), "deep");
        EffectivePermissions p = perms().withFs(FsAccess.READ_ONLY, dir);
        assertThat(stat("P", p).text()).as("fd_filestat_get on the preopen").isEqualTo("OK type=3");
        assertThat(stat("Shello.txt", p).text()).isEqualTo("OK type=4 size=11");
        assertThat(stat("Ssub", p).text()).startsWith("OK type=3");
        assertThat(stat("Fhello.txt", p).text()).isEqualTo("OK type=4 size=11");
        assertThat(stat("L", p).text()).isEqualTo("OK .,..,hello.txt,sub");
        assertThat(stat("Lsub", p).text()).isEqualTo("OK .,..,deep.txt");
        assertThat(stat("Smissing.txt", p).text()).isEqualTo("ERR44"); // ENOENT
        assertThat(stat("R", p).text()).as("reading the directory as a file").isEqualTo("ERR31"); // EISDIR
    }

    @Test
    void sandboxScratchCanBeListedAndStatted() {
        EffectivePermissions p = perms().withFs(FsAccess.SANDBOX, null);
        assertThat(stat("P", p).text()).isEqualTo("OK type=3");
        assertThat(stat("L", p).text()).isEqualTo("OK .,..");
        assertThat(stat("Snothing", p).text()).isEqualTo("ERR44");
    }

    @Test
    void previewOneFileCallsWorkInTheSandbox() {
        Timed t = call("fs-ops", "", perms().withFs(FsAccess.SANDBOX, null));
        assertThat(t.text()).isEqualTo("mkdir=0 open=0 write=0 seek=0 tell=1 fdstat=4 close=0 rename=0 size=5 "
                + "symlink=0 readlink=1 unlink=0 rmdir=0 gone=44 ");
    }

    @Test
    void previewOneFileCallsThatWriteAreRefusedReadOnly(@TempDir Path dir) {
        assertThat(call("fs-ops", "", perms().withFs(FsAccess.READ_ONLY, dir)).text()).isEqualTo("mkdir=69 ");
    }

    @Test
    void withoutAGrantThereIsNoDescriptorToStat() {
        Timed t = stat("P", perms());
        assertThat(t.result().success()).as(t.result().message()).isTrue();
        assertThat(t.text()).isEqualTo("ERR08"); // EBADF
    }

    // ------------------------------------------------------------------ compile bombs

    @Test
    void moduleOfTwoHundredThousandFunctionsIsRefusedBeforeCompiling() {
        byte[] bomb = CompileBombs.manyFunctions(200_000);
        ModuleRejectedException e = refusal(() -> engine.compile(source("function-bomb", bomb, null)));
        assertThat(e).hasMessageContaining(toolId("function-bomb")).hasMessageContaining("200002 functions")
                .hasMessageContaining("limit of 20000").hasMessageContaining("module.maxFunctions");
        assertThat(refusal(() -> engine.inspect(bomb))).hasMessageContaining("200002 functions");
        assertNextCallSucceeds();
    }

    @Test
    void oneHugeFunctionIsRefusedBeforeCompiling() {
        byte[] bomb = CompileBombs.oneLargeFunction(160_000); // a 1.1 MB body
        ModuleRejectedException e = refusal(() -> engine.compile(source("huge-function", bomb, null)));
        assertThat(e).hasMessageContaining("function 1 has a body of 1120006 bytes")
                .hasMessageContaining("module.maxFunctionBodyBytes");
        assertNextCallSucceeds();
    }

    @Test
    void aLargeFunctionUnderTheLimitStillRuns() {
        byte[] large = CompileBombs.oneLargeFunction(20_000); // 140 KB: interpreted rather than compiled
        CompiledModule m = engine.compile(source("large-function", large, null));
        EngineResult r = onWorker(() -> timed(m, Invocation.of(toolId("large-function"), new byte[0], perms())))
                .result();
        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.TOOL_ERROR);
        assertThat(r.message()).contains("kami_run returned 20000");
    }

    @Test
    void noErrorTextNamesAJavaClass() {
        // provoke the usual failures, then read every error text the contract has seen so far
        stat("R", perms().withFs(FsAccess.SANDBOX, null));
        quota("f");
        call("traps", "u", perms());
        refusal(() -> engine.compile(source("junk", "junk".getBytes(StandardCharsets.UTF_8), null)));
        assertThat(errorTexts).isNotEmpty();
        for (String text : errorTexts) {
            assertNamesNoJavaClass(text);
        }
    }

    private static void assertNamesNoJavaClass(String text) {
        String withoutToolIds = text.replaceAll("dev\\.kami\\.tck\\.[a-z0-9-]+", "<tool>");
        assertThat(withoutToolIds).as("error text: %s", text).doesNotContain("java.", "com.", "dev.kami");
    }

    @Test
    void httpToAGrantedLoopbackIpLiteralWorks() {
        Timed t = http("{\"url\":\"" + url("/hello") + "\"}", List.of("127.0.0.1"));
        assertThat(t.result().success()).as(t.result().message()).isTrue();
        assertThat(t.text()).contains("\"status\":200").contains("hello over http").contains("text/plain");
    }

    @Test
    void httpRedirectWithinTheGrantIsFollowed() {
        Timed t = http("{\"url\":\"" + url("/redirect-in") + "\"}", List.of("127.0.0.1"));
        assertThat(t.text()).contains("\"status\":200").contains("hello over http");
    }

    @Test
    void httpRedirectToANonGrantedHostIsRefused() {
        Timed t = http("{\"url\":\"" + url("/redirect-out") + "\"}", List.of("127.0.0.1"));
        assertThat(t.result().success()).as(t.result().message()).isTrue();
        assertThat(t.text()).contains("\"error\":\"denied\"").contains("evil.example").contains("redirect");
    }

    @Test
    void httpToANonGrantedHostIsDenied() {
        Timed t = http("{\"url\":\"https://evil.example/x\"}", List.of("api.github.com"));
        assertThat(t.text()).contains("\"error\":\"denied\"").contains("evil.example");
        Timed none = http("{\"url\":\"https://api.github.com/\"}", List.of());
        assertThat(none.text()).contains("\"error\":\"denied\"");
        assertNextCallSucceeds();
    }

    @Test
    void httpToLoopbackIsDeniedUnlessItsLiteralIsGranted() {
        assertThat(http("{\"url\":\"" + url("/hello") + "\"}", List.of("*")).text())
                .contains("\"error\":\"denied\"").contains("loopback");
        assertThat(http("{\"url\":\"" + url("/hello") + "\"}", List.of("api.github.com")).text())
                .contains("\"error\":\"denied\"");
        String viaName = "{\"url\":\"http://localhost:" + server.getAddress().getPort() + "/hello\"}";
        assertThat(http(viaName, List.of("localhost")).text()).contains("\"error\":\"denied\"").contains("loopback");
        assertThat(http("{\"url\":\"http://[::1]:1/\"}", List.of("*")).text()).contains("\"error\":\"denied\"");
        assertNextCallSucceeds();
    }

    @Test
    void httpToTheMetadataAddressIsDenied() {
        Timed t = http("{\"url\":\"http://169.254.169.254/latest/meta-data/\"}", List.of("*"));
        assertThat(t.text()).contains("\"error\":\"denied\"").contains("169.254.169.254");
        Timed priv = http("{\"url\":\"http://10.1.2.3/\"}", List.of("*"));
        assertThat(priv.text()).contains("\"error\":\"denied\"").contains("private");
        assertNextCallSucceeds();
    }

    @Test
    void httpResponseSizeAndRequestCountAreBounded() {
        int before = bigHits.get();
        assertThat(http("{\"url\":\"" + url("/big") + "\"}", List.of("127.0.0.1")).text())
                .contains("\"error\":\"too_large\"");
        assertThat(bigHits.get()).isEqualTo(before + 1);
        assertThat(http("{\"url\":\"" + url("/loop") + "\"}", List.of("127.0.0.1")).text())
                .contains("\"error\":\"limit\"").contains(Integer.toString(HTTP_MAX_REQUESTS));
        assertThat(http("{\"url\":\"ftp://127.0.0.1/\"}", List.of("*")).text()).contains("invalid_request");
        assertThat(http("not json", List.of("*")).text()).contains("invalid_request");
        assertThat(http("{\"url\":\"" + url("/hello") + "\",\"method\":\"TRACE\"}", List.of("127.0.0.1")).text())
                .contains("invalid_request");
    }
}
