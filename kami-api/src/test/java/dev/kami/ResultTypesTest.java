package dev.kami;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ResultTypesTest {

    @Test
    void orThrowMapsKindsToExceptions() {
        assertThat(ToolResult.success("ok").orThrow().text()).isEqualTo("ok");
        assertThatThrownBy(() -> ToolResult.error(ToolErrorKind.TIMEOUT, "late").orThrow())
                .isInstanceOf(ToolTimeoutException.class).hasMessage("late");
        assertThatThrownBy(() -> ToolResult.error(ToolErrorKind.MEMORY_LIMIT, "big").orThrow())
                .isInstanceOf(ToolLimitException.class)
                .satisfies(e -> assertThat(((ToolExecutionException) e).kind()).isEqualTo(ToolErrorKind.MEMORY_LIMIT));
        assertThatThrownBy(() -> ToolResult.error(ToolErrorKind.TRAP, "trap").orThrow())
                .isExactlyInstanceOf(ToolExecutionException.class);
        assertThatThrownBy(() -> new ToolLimitException(ToolErrorKind.TRAP, "x")).hasMessage("not a limit kind: TRAP");
    }

    @Test
    void theModelSeesTheOutputOrTheErrorKindAndMessage() {
        assertThat(ToolResult.success("ok").textForModel()).isEqualTo("ok");
        assertThat(ToolResult.error(ToolErrorKind.TRAP, "boom").textForModel()).isEqualTo("Error (TRAP): boom");
    }

    @Test
    void selectingToolsNeedsAtLeastOneGlob() {
        assertThatThrownBy(InstalledTool::matchingAny).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one glob");
    }

    @Test
    void resultsAreConsistent() {
        assertThatThrownBy(() -> new ToolResult(true, null, "x", null, List.of(), null))
                .hasMessage("errorKind must be set exactly when isError is true");
        ToolResult err = new ToolResult(true, ToolErrorKind.TRAP, "x", "{\"a\":1}", List.of(), null);
        assertThat(err.structuredJson()).as("a failure has no structured content").isNull();
        assertThat(err.timings()).isEqualTo(ToolResult.Timings.NONE);
        assertThatThrownBy(() -> new LogEntry(7, "x")).hasMessage("log level must be 0..4 (trace..error), got 7");
        assertThat(new LogEntry(3, "w").levelName()).isEqualTo("WARN");
    }

    @Test
    void cancellationRunsCallbacksOnceAndLateRegistrationsAtOnce() {
        CancellationToken t = new CancellationToken();
        AtomicInteger n = new AtomicInteger();
        Registration r = t.onCancel(n::incrementAndGet);
        t.onCancel(n::incrementAndGet).close();
        t.cancel();
        t.cancel();
        assertThat(n).hasValue(1);
        t.onCancel(n::incrementAndGet);
        assertThat(n).hasValue(2);
        r.close();
        assertThat(t.isCancelled()).isTrue();
    }

    @Test
    void callOptionsValidate() {
        assertThatThrownBy(() -> CallOptions.defaults().withTimeout(Duration.ZERO)).hasMessage("timeout must be positive, got PT0S");
        assertThat(CallOptions.defaults().withTimeout(Duration.ofSeconds(1)).timeout()).hasSeconds(1);
        assertThat(InstallOptions.defaults().withForce(true).force()).isTrue();
    }

    @Test
    void manifestExceptionFormatsItsParts() {
        ManifestException e = new ManifestException("a/tool.toml", "tool.id", 3, "bad");
        assertThat(e).hasMessage("a/tool.toml:3: key 'tool.id': bad");
        assertThat(new ManifestException(null, null, 0, "bad")).hasMessage("tool.toml: bad");
    }

    @Test
    void builderRefusesBadCombinationsBeforeLookingForTheCore() {
        assertThatThrownBy(() -> Kami.builder().inMemory().storeUrl("jdbc:sqlite:x").build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("inMemory() and storeUrl('jdbc:sqlite:x') exclude each other");
        assertThatThrownBy(() -> Kami.builder().build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("kami-core is not on the classpath; add the dependency dev.kami:kami-core");
    }
}
