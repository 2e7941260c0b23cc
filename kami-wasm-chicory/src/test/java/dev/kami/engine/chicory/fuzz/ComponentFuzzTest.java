package dev.kami.engine.chicory.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.kami.ModuleRejectedException;
import dev.kami.engine.chicory.ChicoryEngineProvider;
import dev.kami.spi.CompiledModule;
import dev.kami.spi.EngineConfig;
import dev.kami.spi.ModuleSource;
import dev.kami.spi.ToolEngine;
import java.util.Map;

/**
 * A component is untrusted input: whatever its bytes, inspecting it and then preparing it for
 * calls (parsing, the kami:tool world check, linking its core modules) either succeeds or refuses
 * it with a {@link ModuleRejectedException} whose message names the tool and carries no Java
 * class name. The interpreter is used so that a mutated core module costs no compile. Seeds:
 * {@code ComponentFuzzTestInputs/} (the hand-written WAT components and the C component).
 */
class ComponentFuzzTest {
    private static final ToolEngine ENGINE = new ChicoryEngineProvider()
            .create(new EngineConfig(Map.of(EngineConfig.MODE, "interpreter")));

    @FuzzTest(maxDuration = "20s")
    void preparesOrRefusesWithAModuleError(byte[] component) {
        try {
            assertThat(ENGINE.inspect("dev.fuzz.component", component)).isNotNull();
            CompiledModule m = ENGINE.compile(new ModuleSource("dev.fuzz.component", component, "0".repeat(64), null));
            assertThat(m).isNotNull();
        } catch (ModuleRejectedException refused) {
            assertThat(refused.getMessage()).contains("dev.fuzz.component").doesNotContain("java.", "com.dylibso");
        }
    }
}
