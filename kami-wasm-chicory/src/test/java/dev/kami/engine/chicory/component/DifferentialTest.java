package dev.kami.engine.chicory.component;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kami.LogEntry;
import dev.kami.ToolErrorKind;
import dev.kami.engine.chicory.ChicoryEngineProvider;
import dev.kami.policy.EffectivePermissions;
import dev.kami.spi.CompiledModule;
import dev.kami.spi.EngineConfig;
import dev.kami.spi.EngineResult;
import dev.kami.spi.Invocation;
import dev.kami.spi.ModuleSource;
import dev.kami.spi.ToolEngine;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The same components under a reference host (jco transpile + node, outputs recorded by
 * scripts/build-components.sh in components/expected/) and under KAMI: same results, same errors,
 * same log lines, traps where node traps.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class DifferentialTest {
    private static final List<String> LEVELS = List.of("trace", "debug", "info", "warn", "error");

    static String resource(String path) {
        try (InputStream in = DifferentialTest.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing " + path + " (scripts/build-components.sh writes it)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theCComponentBehavesAsUnderJcoAndNode() {
        compare("c-echo", "c-echo.wasm", "compiled", resource("/components/expected/c-echo.json"));
    }

    @Test
    void theJavaScriptComponentUsingWasiBehavesAsUnderJcoAndNode() {
        compare("js-wasi", "js-wasi.wasm.gz", "interpreter", resource("/components/expected/js-wasi.json"));
    }

    @Test
    void theJavaScriptComponentBehavesAsUnderJcoAndNode() {
        // 12 MB of SpiderMonkey: the interpreter starts it in seconds; compiling it takes minutes
        compare("js-upper", "js-upper.wasm.gz", "interpreter", resource("/components/expected/js-upper.json"));
    }

    /**
     * Reruns the reference host now when node and the transpiled components are here (JCO_DIR,
     * after scripts/build-components.sh); skips otherwise.
     */
    @Test
    void nodeRunNowAgreesWithKami() throws Exception {
        String jco = System.getenv("JCO_DIR");
        Assumptions.assumeTrue(jco != null, "JCO_DIR is not set: the reference host is not rerun (set it to the "
                + "directory scripts/build-components.sh used, holding jco and the transpiled components)");
        Path jcoDir = Path.of(jco);
        Path transpiled = jcoDir.resolve("transpiled/c-echo/c-echo.js");
        Path script = Path.of("..", "scripts", "components", "differential.mjs").toAbsolutePath().normalize();
        Assumptions.assumeTrue(onPath("node"), "node is not on the PATH: the reference host cannot run here");
        Assumptions.assumeTrue(Files.isRegularFile(transpiled), "no transpiled component at " + transpiled
                + ": run scripts/build-components.sh (needs jco in JCO_DIR)");
        Path out = Files.createTempFile("kami-differential", ".json");
        try {
            Process p = new ProcessBuilder("node", script.toString(), transpiled.toString(),
                    script.getParent().resolve("c-echo/inputs.json").toString(), out.toString())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isZero();
            compare("c-echo", "c-echo.wasm", "compiled", Files.readString(out));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    @SuppressWarnings("unchecked")
    private static void compare(String toolId, String fixture, String mode, String expectedJson) {
        List<Object> expected = (List<Object>) MiniJson.parse(expectedJson);
        assertThat(expected).hasSizeGreaterThan(1);
        // the JavaScript components carry 9 MB of SpiderMonkey code: trusted fixtures, so the code limit is raised
        try (ToolEngine engine = new ChicoryEngineProvider().create(new EngineConfig(Map.of(EngineConfig.MODE,
                mode, "module.maxCodeBytes", String.valueOf(16 << 20))))) {
            CompiledModule m = engine.compile(new ModuleSource(toolId, ComponentParserTest.fixture(fixture),
                    "0".repeat(64), null));
            for (Object o : expected) {
                Map<String, Object> want = (Map<String, Object>) o;
                if (want.containsKey("describe")) {
                    continue;
                }
                String input = (String) want.get("input");
                EngineResult r = m.invoke(Invocation.of(toolId, input.getBytes(StandardCharsets.UTF_8),
                        EffectivePermissions.denyAll(256, 60_000)));
                String what = toolId + " on " + input;
                if (Boolean.TRUE.equals(want.get("trap"))) {
                    assertThat(r.errorKind()).as(what).isIn(ToolErrorKind.TRAP, ToolErrorKind.OUT_OF_BOUNDS);
                } else if (Boolean.TRUE.equals(want.get("ok"))) {
                    assertThat(r.errorKind()).as(what + ": " + r.message()).isNull();
                    assertThat(new String(r.output(), StandardCharsets.UTF_8)).as(what).isEqualTo(want.get("value"));
                } else {
                    assertThat(r.errorKind()).as(what).isEqualTo(ToolErrorKind.TOOL_ERROR);
                    assertThat(new String(r.output(), StandardCharsets.UTF_8)).as(what).isEqualTo(want.get("value"));
                }
                List<String> wantLogs = new ArrayList<>();
                for (Object l : (List<Object>) want.get("logs")) {
                    Map<String, Object> line = (Map<String, Object>) l;
                    wantLogs.add(LEVELS.indexOf((String) line.get("level")) + " " + line.get("message"));
                }
                List<String> gotLogs = new ArrayList<>();
                for (LogEntry e : r.logs()) {
                    gotLogs.add(e.level() + " " + e.message());
                }
                assertThat(gotLogs).as(what).isEqualTo(wantLogs);
            }
        }
    }
}
