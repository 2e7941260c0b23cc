package dev.kami.engine.chicory.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.kami.ModuleRejectedException;
import dev.kami.engine.chicory.ChicoryEngineProvider;
import dev.kami.spi.EngineConfig;
import dev.kami.spi.ModuleInfo;
import dev.kami.spi.ToolEngine;

/**
 * A module is untrusted input: whatever its bytes, {@code inspect} (the first thing an install
 * does) answers with the module's ABI or refuses it with a {@link ModuleRejectedException} whose
 * message names the tool and carries no Java class name. Seeds: {@code ModuleInspectFuzzTestInputs/}
 * (the sample tools' modules).
 */
class ModuleInspectFuzzTest {
    private static final ToolEngine ENGINE = new ChicoryEngineProvider().create(EngineConfig.defaults());

    @FuzzTest(maxDuration = "20s")
    void inspectsOrRefusesWithAModuleError(byte[] wasm) {
        try {
            ModuleInfo info = ENGINE.inspect("dev.fuzz.tool", wasm);
            assertThat(info.abi()).isNotNull();
        } catch (ModuleRejectedException refused) {
            assertThat(refused.getMessage()).contains("dev.fuzz.tool").doesNotContain("java.", "com.dylibso");
        }
    }
}
