package dev.kami.engine.chicory.extism;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kami.ToolErrorKind;
import dev.kami.policy.EffectivePermissions;
import dev.kami.spi.EngineResult;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The TCK's hostile fixtures in the Extism ABI, contained in both engine modes. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ExtismHostileTest {
    private static final ExtismEngineHarness COMPILED = new ExtismEngineHarness("compiled");
    private static final ExtismEngineHarness INTERPRETER = new ExtismEngineHarness("interpreter");

    private static ExtismEngineHarness engine(String mode) {
        return mode.equals("compiled") ? COMPILED : INTERPRETER;
    }

    @AfterAll
    static void close() {
        COMPILED.close();
        INTERPRETER.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"compiled", "interpreter"})
    void anInfiniteLoopTimesOut(String mode) {
        EffectivePermissions p = EffectivePermissions.denyAll(16, 300);
        EngineResult r = engine(mode).call("wat-loop", "{}", p, Map.of());
        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.TIMEOUT);
        assertThat(r.message()).isEqualTo("tool 'test.wat-loop' ran past its deadline of 300 ms (max_execution_ms) "
                + "and was stopped");
    }

    @ParameterizedTest
    @ValueSource(strings = {"compiled", "interpreter"})
    void aMemoryBombThroughAllocHitsTheMemoryLimit(String mode) {
        EngineResult r = engine(mode).call("wat-alloc-bomb", "{}");
        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.MEMORY_LIMIT);
        assertThat(r.message()).startsWith("tool 'test.wat-alloc-bomb' asked Extism's alloc for 1048576 bytes")
                .endsWith("above its memory limit of 16 MiB (max_memory_mb)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"compiled", "interpreter"})
    void anOutputFloodHitsTheOutputCap(String mode) {
        EngineResult r = engine(mode).call("wat-output-flood", "{}");
        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.OUTPUT_TOO_LARGE);
        assertThat(r.message()).isEqualTo("tool 'test.wat-output-flood' set an output of 8388608 bytes, more than "
                + "its limit of 1048576 bytes (max_output_bytes)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"compiled", "interpreter"})
    void aLogFloodHitsTheLogCap(String mode) {
        EngineResult r = engine(mode).call("wat-log-flood", "{\"$tool\":\"any\"}");
        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.OUTPUT_TOO_LARGE);
        assertThat(r.message()).isEqualTo("tool 'test.wat-log-flood' logged more than 10000 lines (kami.log allows "
                + "10000 lines and max_output_bytes = 1048576 bytes per call)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"compiled", "interpreter"})
    void aNotificationFloodIsStopped(String mode) {
        EngineResult r = engine(mode).call("wat-notify-flood", "{\"$tool\":\"any\"}");
        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.OUTPUT_TOO_LARGE);
        assertThat(r.message()).isEqualTo("tool 'test.wat-notify-flood' sent more than 1000 MCP notifications in one "
                + "call");
    }

    @ParameterizedTest
    @ValueSource(strings = {"compiled", "interpreter"})
    void httpToAPrivateAddressIsAnErrorThePluginSees(String mode) {
        EngineResult r = engine(mode).call("wat-http-private", "{}",
                ExtismEngineHarness.perms().withNet(List.of("localhost")), Map.of());
        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.TOOL_ERROR);
        assertThat(r.message()).startsWith("tool 'test.wat-http-private' reported an error (call returned 1): "
                + "{\"error\":\"denied\",\"message\":\"host 'localhost' resolves to a loopback address");
        assertThat(r.logs()).anySatisfy(l -> assertThat(l.message()).startsWith("extism http_request refused (denied)"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"compiled", "interpreter"})
    void theEngineStillServesAfterTheHostileCalls(String mode) {
        engine(mode).call("wat-alloc-bomb", "{}");
        EngineResult r = engine(mode).call("as-v1", "{\"$tool\":\"upper\",\"arguments\":{\"text\":\"ok\"}}");
        assertThat(ExtismEngineHarness.text(r)).isEqualTo("OK");
    }
}
