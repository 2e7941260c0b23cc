package dev.kami.engine.chicory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kami.spi.EngineConfig;
import dev.kami.spi.EngineProvider;
import dev.kami.spi.ToolEngine;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class ChicoryEngineProviderTest {
    @Test
    void providerIsFoundByServiceLoaderUnderItsId() {
        assertThat(ServiceLoader.load(EngineProvider.class).stream().map(p -> p.get().id()))
                .contains("chicory");
    }

    @Test
    void compiledModeIsTheDefaultAndCountsNoFuel() {
        try (ToolEngine engine = new ChicoryEngineProvider().create(EngineConfig.defaults())) {
            assertThat(engine.id()).isEqualTo("chicory");
            assertThat(engine.supportsFuel()).isFalse();
        }
    }

    @Test
    void interpreterModeCountsFuel() {
        try (ToolEngine engine = new ChicoryEngineProvider().create(new EngineConfig(Map.of("mode", "interpreter")))) {
            assertThat(engine.supportsFuel()).isTrue();
        }
    }

    @Test
    void unknownModeIsRefusedWithTheChoices() {
        assertThatThrownBy(() -> new ChicoryEngineProvider().create(new EngineConfig(Map.of("mode", "jit"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("jit")
                .hasMessageContaining("compiled")
                .hasMessageContaining("interpreter");
    }

    @Test
    void malformedNumberOptionIsRefusedNamingIt() {
        assertThatThrownBy(() -> new ChicoryEngineProvider().create(
                new EngineConfig(Map.of(EngineConfig.HTTP_MAX_REQUESTS, "many"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(EngineConfig.HTTP_MAX_REQUESTS);
        assertThatThrownBy(() -> new ChicoryEngineProvider().create(
                new EngineConfig(Map.of(EngineConfig.HTTP_TIMEOUT_MS, "0"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(EngineConfig.HTTP_TIMEOUT_MS);
    }
}
