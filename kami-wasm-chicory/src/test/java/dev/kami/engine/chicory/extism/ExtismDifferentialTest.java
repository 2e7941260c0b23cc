package dev.kami.engine.chicory.extism;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kami.ToolErrorKind;
import dev.kami.spi.EngineResult;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Each case of {@code cases.json} under KAMI and under Extism's own host for node
 * ({@code @extism/extism}): KAMI must answer what node answered. The node answers are committed
 * ({@code node-expected.json}, written by scripts/build-extism.sh); when node and the package are
 * here (environment variable {@code EXTISM_NODE_MODULES} = the {@code node_modules} directory that
 * holds {@code @extism/extism}), node is run again and must still agree.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ExtismDifferentialTest {
    private static final ExtismEngineHarness COMPILED = new ExtismEngineHarness("compiled");
    private static final ExtismEngineHarness INTERPRETER = new ExtismEngineHarness("interpreter");

    @AfterAll
    static void close() {
        COMPILED.close();
        INTERPRETER.close();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> json(String text) {
        return (List<Map<String, Object>>) JsonText.parse(text);
    }

    @Test
    void kamiAnswersWhatExtismsNodeHostAnswered() {
        List<Map<String, Object>> cases = json(ExtismFixtures.text("cases.json"));
        List<Map<String, Object>> expected = json(ExtismFixtures.text("node-expected.json"));
        assertThat(expected).hasSameSizeAs(cases);
        for (ExtismEngineHarness engine : List.of(COMPILED, INTERPRETER)) {
            for (int i = 0; i < cases.size(); i++) {
                compare(engine, cases.get(i), expected.get(i));
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static void compare(ExtismEngineHarness engine, Map<String, Object> c, Map<String, Object> node) {
        String plugin = (String) c.get("plugin");
        String what = plugin + " " + c.get("tool");
        assertThat(node.get("plugin")).as(what).isEqualTo(plugin);
        Map<String, Object> input = new LinkedHashMap<>();
        input.put(ExtismCall.TOOL_KEY, c.get("tool"));
        input.put("arguments", c.get("arguments"));
        Map<String, String> config = new HashMap<>();
        if (c.get("config") instanceof Map<?, ?> m) {
            m.forEach((k, v) -> config.put((String) k, (String) v));
        }
        EngineResult r = engine.call(plugin, JsonText.write(input), ExtismEngineHarness.perms(), config);
        if (node.containsKey("callError")) {
            // node: "Plugin-originated error: <the plugin's error_set text>"
            String message = ((String) node.get("callError")).replaceFirst("^Plugin-originated error: ", "");
            assertThat(r.errorKind()).as(what).isEqualTo(ToolErrorKind.TOOL_ERROR);
            assertThat(r.message()).as(what).endsWith("): " + message);
        } else if (Boolean.TRUE.equals(node.get("isError"))) {
            assertThat(r.errorKind()).as(what).isEqualTo(ToolErrorKind.TOOL_ERROR);
            assertThat(r.message()).as(what).endsWith("reported an error: " + node.get("text"));
        } else {
            assertThat(r.success()).as(what + ": " + r.message()).isTrue();
            assertThat(new String(r.output(), StandardCharsets.UTF_8)).as(what).isEqualTo(node.get("text"));
        }
    }

    @Test
    void nodeStillAnswersWhatWasCommitted() throws IOException, InterruptedException, URISyntaxException {
        String modules = System.getenv("EXTISM_NODE_MODULES");
        assumeTrue(modules != null && Files.isDirectory(Path.of(modules, "@extism", "extism")),
                "skipped: set EXTISM_NODE_MODULES to a node_modules directory holding @extism/extism "
                        + "(scripts/build-extism.sh installs one) to rerun Extism's node host");
        Path dir = Path.of(ExtismFixtures.class.getResource("cases.json").toURI()).getParent();
        Process node;
        try {
            node = new ProcessBuilder("node", "--no-warnings", dir.resolve("node-run.mjs").toString(), dir.toString())
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
        } catch (IOException e) {
            assumeTrue(false, "skipped: node is not installed (" + e.getMessage() + ")");
            return;
        }
        node.getOutputStream().close();
        String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(node.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(node.exitValue()).as(out).isZero();
        assertThat(json(out)).isEqualTo(json(ExtismFixtures.text("node-expected.json")));
    }
}
