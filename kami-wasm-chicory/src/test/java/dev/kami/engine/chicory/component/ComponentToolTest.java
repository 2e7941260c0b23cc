package dev.kami.engine.chicory.component;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kami.ModuleRejectedException;
import dev.kami.ToolErrorKind;
import dev.kami.engine.chicory.ChicoryEngineProvider;
import dev.kami.manifest.Abi;
import dev.kami.policy.EffectivePermissions;
import dev.kami.spi.CompiledModule;
import dev.kami.spi.EngineConfig;
import dev.kami.spi.EngineResult;
import dev.kami.spi.Invocation;
import dev.kami.spi.ModuleInfo;
import dev.kami.spi.ModuleSource;
import dev.kami.spi.ToolEngine;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** kami:tool components end to end through the Chicory engine, compiled and interpreted. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ComponentToolTest {
    private ToolEngine engine;

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
    }

    private CompiledModule compile(String mode, String fixture) {
        engine = new ChicoryEngineProvider().create(new EngineConfig(Map.of(EngineConfig.MODE, mode)));
        byte[] bytes = ComponentParserTest.fixture(fixture);
        return engine.compile(new ModuleSource(fixture, bytes, "0".repeat(64), null));
    }

    private static EngineResult run(CompiledModule m, String input, EffectivePermissions p) {
        return m.invoke(Invocation.of("c-echo", input.getBytes(StandardCharsets.UTF_8), p));
    }

    @ParameterizedTest
    @ValueSource(strings = {"compiled", "interpreter"})
    void aCComponentMadeWithThePreview1AdapterEchoesLogsAndWritesStderr(String mode) {
        CompiledModule m = compile(mode, "c-echo.wasm");
        ModuleInfo info = m.info();
        assertThat(info.abi()).isEqualTo(Abi.COMPONENT);
        assertThat(info.exports()).containsExactly("kami:tool/tool@0.1.0#run", "kami:tool/tool@0.1.0#describe");
        assertThat(info.imports()).contains("kami:tool/host@0.1.0", "wasi:io/streams@0.2.3");
        EngineResult r = run(m, "{\"message\":\"héllo\"}", EffectivePermissions.denyAll(16, 5000));
        assertThat(r.message()).isNull();
        assertThat(new String(r.output(), StandardCharsets.UTF_8)).isEqualTo("{\"message\":\"héllo\"}");
        assertThat(r.logs()).hasSize(1);
        assertThat(r.logs().get(0).level()).isEqualTo(2);
        assertThat(r.logs().get(0).message()).isEqualTo("c-echo: run called");
        // a second call is a fresh instantiation: same result, one log line again
        EngineResult again = run(m, "[1,2]", EffectivePermissions.denyAll(16, 5000));
        assertThat(new String(again.output(), StandardCharsets.UTF_8)).isEqualTo("[1,2]");
        assertThat(again.logs()).hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"compiled", "interpreter"})
    void anErrResultIsAToolErrorWithItsMessage(String mode) {
        CompiledModule m = compile(mode, "c-echo.wasm");
        EngineResult r = run(m, "\"fail\"", EffectivePermissions.denyAll(16, 5000));
        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.TOOL_ERROR);
        assertThat(r.message()).isEqualTo("tool 'c-echo' reported an error: asked to fail");
    }

    @ParameterizedTest
    @ValueSource(strings = {"compiled"})
    void theWallClockComesThroughWasi02(String mode) {
        CompiledModule m = compile(mode, "c-echo.wasm");
        EngineResult r = run(m, "\"clock\"", EffectivePermissions.denyAll(16, 5000));
        assertThat(new String(r.output(), StandardCharsets.UTF_8)).isEqualTo("{\"after2020\":true}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"compiled", "interpreter"})
    void anEndlessLoopStopsAtTheDeadline(String mode) {
        CompiledModule m = compile(mode, "c-echo.wasm");
        EngineResult r = run(m, "\"spin\"", EffectivePermissions.denyAll(16, 300));
        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.TIMEOUT);
        assertThat(r.message()).isEqualTo("tool 'c-echo' ran past its deadline of 300 ms (max_execution_ms) and was "
                + "stopped");
    }

    @ParameterizedTest
    @ValueSource(strings = {"compiled", "interpreter"})
    void aCallerInterruptBeforeTheDeadlineCancelsTheCall(String mode) throws Exception {
        CompiledModule m = compile(mode, "c-echo.wasm");
        java.util.concurrent.atomic.AtomicReference<EngineResult> result = new java.util.concurrent.atomic
                .AtomicReference<>();
        java.util.concurrent.atomic.AtomicBoolean stillInterrupted = new java.util.concurrent.atomic.AtomicBoolean();
        Thread worker = new Thread(() -> {
            result.set(run(m, "\"spin\"", EffectivePermissions.denyAll(16, 60_000)));
            stillInterrupted.set(Thread.currentThread().isInterrupted());
        });
        worker.start();
        Thread.sleep(500);
        worker.interrupt();
        worker.join(30_000);
        assertThat(worker.isAlive()).isFalse();
        assertThat(result.get().errorKind()).isEqualTo(ToolErrorKind.CANCELLED);
        assertThat(result.get().message()).isEqualTo("tool 'c-echo' was cancelled by the caller before its deadline "
                + "of 60000 ms (max_execution_ms)");
        assertThat(stillInterrupted.get()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"compiled"})
    void memoryGrowthStopsAtTheCap(String mode) {
        CompiledModule m = compile(mode, "c-echo.wasm");
        EngineResult r = run(m, "\"grow\"", EffectivePermissions.denyAll(4, 5000));
        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.MEMORY_LIMIT);
        assertThat(r.message()).startsWith("tool 'c-echo' hit its memory limit of 4 MiB (max_memory_mb)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"compiled", "interpreter"})
    void hostileComponentsAreContainedByTheirLimits(String mode) {
        CompiledModule m = compile(mode, "c-echo.wasm");
        EffectivePermissions small = EffectivePermissions.denyAll(16, 10_000).withLimits(16, 10_000, 0, 64 * 1024);
        EngineResult flood = run(m, "\"flood\"", small);
        assertThat(flood.errorKind()).isEqualTo(ToolErrorKind.OUTPUT_TOO_LARGE);
        assertThat(flood.message()).isEqualTo("tool 'c-echo' wrote more than 65536 bytes to stderr "
                + "(max_output_bytes = 65536)");
        EngineResult logs = run(m, "\"logs\"", small);
        assertThat(logs.errorKind()).isEqualTo(ToolErrorKind.OUTPUT_TOO_LARGE);
        assertThat(logs.message()).isEqualTo("tool 'c-echo' wrote more than 65536 bytes to logs (kami.log) "
                + "(max_output_bytes = 65536)");
        EngineResult big = run(m, "\"big\"", small);
        assertThat(big.errorKind()).isEqualTo(ToolErrorKind.OUTPUT_TOO_LARGE);
        assertThat(big.message()).isEqualTo("tool 'c-echo' wrote more than 65536 bytes to its result (run) "
                + "(max_output_bytes = 65536)");
        // each level logs a line: with the default caps the shadow stack (64 KiB) runs out first
        EngineResult deep = run(m, "\"deep\"", EffectivePermissions.denyAll(16, 10_000));
        assertThat(deep.errorKind()).as(deep.message()).isIn(ToolErrorKind.STACK_EXHAUSTED,
                ToolErrorKind.OUT_OF_BOUNDS);
        // and the next call is unaffected
        assertThat(new String(run(m, "{}", small).output(), StandardCharsets.UTF_8)).isEqualTo("{}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"interpreter"})
    void fuelCountsEveryCoreInstanceInTheInterpreter(String mode) {
        CompiledModule m = compile(mode, "c-echo.wasm");
        EngineResult r = run(m, "{}", EffectivePermissions.denyAll(16, 10_000));
        assertThat(r.fuelUsed()).isGreaterThan(1000);
        EngineResult starved = run(m, "\"spin\"", EffectivePermissions.denyAll(16, 10_000)
                .withLimits(16, 10_000, 100_000, 1024 * 1024));
        assertThat(starved.errorKind()).isEqualTo(ToolErrorKind.FUEL_EXHAUSTED);
        assertThat(starved.message()).isEqualTo("tool 'c-echo' used up its instruction budget of 100000 "
                + "instructions (max_fuel)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"compiled"})
    void concurrentCallsOfOneComponentEachGetTheirOwnInstantiation(String mode) throws Exception {
        CompiledModule m = compile(mode, "c-echo.wasm");
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            java.util.List<java.util.concurrent.Future<String>> results = new java.util.ArrayList<>();
            for (int i = 0; i < 40; i++) {
                String input = "{\"n\":" + i + "}";
                results.add(pool.submit(() -> new String(run(m, input, EffectivePermissions.denyAll(16, 10_000))
                        .output(), StandardCharsets.UTF_8)));
            }
            for (int i = 0; i < 40; i++) {
                assertThat(results.get(i).get(60, TimeUnit.SECONDS)).isEqualTo("{\"n\":" + i + "}");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"compiled"})
    void inspectReadsAComponentWithoutCompilingIt(String mode) {
        engine = new ChicoryEngineProvider().create(new EngineConfig(Map.of(EngineConfig.MODE, mode)));
        ModuleInfo info = engine.inspect("js-upper", ComponentParserTest.fixture("js-upper.wasm.gz"));
        assertThat(info.abi()).isEqualTo(Abi.COMPONENT);
        assertThat(info.imports()).containsExactly("kami:tool/host@0.1.0");
        assertThat(info.exports()).containsExactly("kami:tool/tool@0.1.0#run", "kami:tool/tool@0.1.0#describe");
        assertThat(info.hasDescribe()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"compiled", "interpreter"})
    void describeGivesTheDescriptionFieldOfTheOriginalsJsonOrThePlainText(String mode) {
        CompiledModule json = compile(mode, "c-echo.wasm");
        assertThat(json.describe(Invocation.of("c-echo", new byte[0], EffectivePermissions.denyAll(16, 5000))))
                .isEqualTo("Echoes its input (C component)");
        engine.close();
        CompiledModule plain = compile(mode, "c-bench-echo.wasm");
        assertThat(plain.describe(Invocation.of("c-bench-echo", new byte[0], EffectivePermissions.denyAll(16, 5000))))
                .isEqualTo("Echoes its input back unchanged (C component, benchmark fixture)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"compiled"})
    void inspectGivesTheComponentsWorldAsWit(String mode) throws Exception {
        engine = new ChicoryEngineProvider().create(new EngineConfig(Map.of(EngineConfig.MODE, mode)));
        ModuleInfo info = engine.inspect("c-echo", ComponentParserTest.fixture("c-echo.wasm"));
        assertThat(info.world()).startsWith("world kami-tool {\n")
                .contains("  import kami:tool/host@0.1.0 {\n"
                        + "    type log-level = enum { trace, debug, info, warn, error };\n"
                        + "    log: func(level: log-level, message: string);\n  }\n")
                .contains("    [method]descriptor.stat: func(self: borrow<descriptor>) -> result<descriptor-stat, "
                        + "error-code>;\n")
                .contains("  import wasi:io/streams@0.2.3 {\n")
                .contains("    resource output-stream;\n")
                .contains("    [method]output-stream.blocking-write-and-flush: func(self: borrow<output-stream>, "
                        + "contents: list<u8>) -> result<_, stream-error>;\n")
                .endsWith("  export kami:tool/tool@0.1.0 {\n"
                        + "    run: func(input: string) -> result<string, string>;\n"
                        + "    describe: func() -> string;\n  }\n}");
        ModuleInfo core = engine.inspect("echo", java.nio.file.Files.readAllBytes(
                java.nio.file.Path.of("..", "samples", "tools", "echo", "echo.wasm")));
        assertThat(core.abi()).isEqualTo(Abi.KAMI_V1);
        assertThat(core.world()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"compiled"})
    void importsKamiDoesNotProvideAreRefusedAtInstallWithTheList(String mode) {
        assertThatThrownBy(() -> compile(mode, "edge.wasm")).isInstanceOf(ModuleRejectedException.class)
                .hasMessageStartingWith("component of tool 'edge.wasm' imports what KAMI does not provide: "
                        + "test:edge/host#shout. A kami:tool component may import kami:tool/host@0.1.x (log) and the "
                        + "WASI 0.2.x interfaces");
    }

    @ParameterizedTest
    @ValueSource(strings = {"compiled"})
    void aCoreModuleDeclaredAsComponentIsRefused(String mode) {
        engine = new ChicoryEngineProvider().create(new EngineConfig(Map.of(EngineConfig.MODE, mode)));
        byte[] core = {0, 'a', 's', 'm', 1, 0, 0, 0};
        assertThatThrownBy(() -> engine.compile(new ModuleSource("t", core, "0".repeat(64), Abi.COMPONENT)))
                .isInstanceOf(ModuleRejectedException.class)
                .hasMessageStartingWith("the manifest of tool 't' declares abi = \"component\" but its .wasm file is "
                        + "a core module");
        byte[] comp = ComponentParserTest.fixture("c-echo.wasm");
        assertThatThrownBy(() -> engine.compile(new ModuleSource("t", comp, "0".repeat(64), Abi.KAMI_V1)))
                .isInstanceOf(ModuleRejectedException.class)
                .hasMessageStartingWith("the manifest of tool 't' declares abi = \"kami-v1\" but its .wasm file is a "
                        + "WebAssembly component");
    }
}
