package dev.kami.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code kami inspect} on a component tool shows the WIT world the component implements, and the
 * description its describe() gave when the manifest has none; a core module shows no world.
 */
@Timeout(300)
class CliComponentInspectTest {
    private static final Path COMPONENT = KamiRunner.REPO.resolve(
            "kami-wasm-chicory/src/test/resources/components/c-echo.wasm");

    @TempDir
    Path home;
    @TempDir
    Path packages;

    @Test
    void inspectShowsTheComponentsWorldAndItsOwnDescription() throws Exception {
        Path pkg = packages.resolve("c-echo");
        Files.createDirectories(pkg);
        Files.copy(COMPONENT, pkg.resolve("c-echo.wasm"));
        Files.writeString(pkg.resolve("tool.toml"), """
                [tool]
                id = "dev.kami.c-echo"
                name = "c-echo"
                version = "0.1.0"
                wasm = "c-echo.wasm"

                [mcp]

                [security]
                fs_access = "none"
                max_memory_mb = 16
                max_execution_ms = 5000
                """);
        KamiRunner.inProcess(home, "install", pkg.toString(), "--yes").expect(0);

        String text = KamiRunner.inProcess(home, "inspect", "dev.kami.c-echo").expect(0).out();
        assertThat(text).contains("  description:   Echoes its input (C component)\n",
                "  ABI:           component\n",
                "world (WIT):\n    world kami-tool {\n",
                "      import kami:tool/host@0.1.0 {\n        type log-level = enum { trace, debug, info, warn, "
                        + "error };\n        log: func(level: log-level, message: string);\n      }\n",
                "      export kami:tool/tool@0.1.0 {\n        run: func(input: string) -> result<string, string>;\n"
                        + "        describe: func() -> string;\n      }\n    }\nmanifest (tool.toml):\n");

        JsonNode json = JsonMapper.builder().build().readTree(
                KamiRunner.inProcess(home, "--json", "inspect", "dev.kami.c-echo").expect(0).out());
        assertThat(json.get("world").asString()).startsWith("world kami-tool {\n")
                .contains("  import wasi:cli/stderr@0.2.3 {\n    resource output-stream;\n"
                        + "    get-stderr: func() -> own<output-stream>;\n  }\n");
        assertThat(json.get("description").asString()).isEqualTo("Echoes its input (C component)");

        KamiRunner.inProcess(home, "install", KamiRunner.sample("echo").toString(), "--yes").expect(0);
        String core = KamiRunner.inProcess(home, "inspect", "dev.kami.echo").expect(0).out();
        assertThat(core).contains("  ABI:           kami-v1\n").doesNotContain("world (WIT):");
        JsonNode coreJson = JsonMapper.builder().build().readTree(
                KamiRunner.inProcess(home, "--json", "inspect", "dev.kami.echo").expect(0).out());
        assertThat(coreJson.get("world").isNull()).isTrue();
    }
}
