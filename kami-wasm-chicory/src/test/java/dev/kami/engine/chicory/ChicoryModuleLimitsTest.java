package dev.kami.engine.chicory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kami.ModuleRejectedException;
import dev.kami.ToolErrorKind;
import dev.kami.policy.EffectivePermissions;
import dev.kami.spi.CompiledModule;
import dev.kami.spi.EngineResult;
import dev.kami.spi.Invocation;
import dev.kami.policy.HostPolicy;
import dev.kami.policy.ModuleLimits;
import dev.kami.spi.EngineConfig;
import dev.kami.spi.ModuleSource;
import dev.kami.spi.ToolEngine;
import dev.kami.tck.engine.CompileBombs;
import dev.kami.tck.engine.EngineFixtures;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The structural module limits and the compile budget, set through {@link HostPolicy#engineOptions()}. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ChicoryModuleLimitsTest {
    private static ToolEngine engine(ModuleLimits limits) {
        return new ChicoryEngineProvider().create(new EngineConfig(
                HostPolicy.builder().modules(limits).build().engineOptions()));
    }

    private static void refused(ModuleLimits limits, String fixture, String... texts) {
        try (ToolEngine engine = engine(limits)) {
            assertThatThrownBy(() -> engine.inspect("t", EngineFixtures.bytes(fixture)))
                    .isInstanceOf(ModuleRejectedException.class)
                    .hasMessageContainingAll(texts)
                    .hasMessageNotContainingAny("java.", "com.", "dev.kami");
        }
    }

    @Test
    void eachStructuralLimitIsCheckedWithItsFigure() {
        // echo.wat: 4 exports, 4 functions, 1 import, 3 types; fs-stat.wat has 7 imports; fs-quota has locals
        refused(ModuleLimits.builder().maxExports(3).build(), "echo", "it has 4 exports", "limit of 3",
                "module.maxExports");
        refused(ModuleLimits.builder().maxFunctions(2).build(), "echo", "functions", "module.maxFunctions");
        refused(ModuleLimits.builder().maxImports(1).build(), "fs-stat", "it has 7 imports", "module.maxImports");
        refused(ModuleLimits.builder().maxTypes(1).build(), "echo", "types", "module.maxTypes");
        refused(ModuleLimits.builder().maxParams(1).build(), "echo", "parameters", "module.maxParams");
        refused(ModuleLimits.builder().maxLocals(2).build(), "fs-quota", "locals", "module.maxLocals");
        refused(ModuleLimits.builder().maxFunctionBodyBytes(20).build(), "echo", "has a body of",
                "module.maxFunctionBodyBytes");
        refused(ModuleLimits.builder().maxCodeBytes(20).build(), "echo", "its code section holds",
                "module.maxCodeBytes");
        refused(ModuleLimits.builder().maxDataSegments(1).build(), "fs-stat", "data segments",
                "module.maxDataSegments");
    }

    @Test
    void defaultsAcceptEveryFixture() {
        try (ToolEngine engine = engine(ModuleLimits.defaults())) {
            for (String name : EngineFixtures.NAMES) {
                if (!name.equals("unknown-import") && !name.equals("no-abi") && !name.equals("bad-signature")) {
                    assertThat(engine.inspect(name, EngineFixtures.bytes(name))).as(name).isNotNull();
                }
            }
        }
    }

    @Test
    void compilingPastItsBudgetIsRefusedWithTheLimit() {
        byte[] module = CompileBombs.manyFunctions(5_000); // compiles for far longer than 1 ms
        try (ToolEngine engine = engine(ModuleLimits.builder().compileTimeoutMs(1).build())) {
            assertThatThrownBy(() -> engine.compile(new ModuleSource("slow", module, "0", null)))
                    .isInstanceOf(ModuleRejectedException.class)
                    .hasMessageContaining("took longer than 1 ms")
                    .hasMessageContaining("compile.timeoutMs");
        }
    }

    @Test
    void aFunctionTheJvmCannotHoldIsMovedToTheInterpreterToo() {
        // kami_run (210 KB) is interpreted up front; the second body (140 KB, under the raised
        // threshold) is compiled, is too large for one JVM method, and joins the interpreted set
        byte[] module = CompileBombs.largeFunctions(30_000, 20_000);
        try (ToolEngine engine = engine(ModuleLimits.builder().interpretAboveBytes(200_000).build())) {
            CompiledModule m = engine.compile(new ModuleSource("large", module, "0", null));
            EngineResult r = m.invoke(Invocation.of("large", new byte[0], EffectivePermissions.denyAll(16, 30_000)));
            assertThat(r.errorKind()).isEqualTo(ToolErrorKind.TOOL_ERROR);
            assertThat(r.message()).contains("kami_run returned 30000");
        }
    }

    @Test
    void explicitEngineOptionsBeatThePolicy() {
        Map<String, String> options = new java.util.HashMap<>(HostPolicy.defaults().engineOptions());
        options.put("module.maxExports", "3");
        try (ToolEngine engine = new ChicoryEngineProvider().create(new EngineConfig(options))) {
            assertThatThrownBy(() -> engine.inspect(EngineFixtures.bytes("echo")))
                    .hasMessageContaining("limit of 3");
        }
    }

    @Test
    void aLimitThatIsNotPositiveIsRefusedByName() {
        assertThatThrownBy(() -> ModuleLimits.builder().maxFunctions(0).build())
                .hasMessageContaining("module.maxFunctions must be positive, got 0");
        assertThatThrownBy(() -> new ChicoryEngineProvider().create(new EngineConfig(Map.of("fs.maxFiles", "-1"))))
                .hasMessageContaining("fs.maxFiles=-1");
    }
}
