package dev.kami.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Moving an Extism plugin in with one command (issue 12, ADR 0120 §7 item 8): {@code kami install
 * plugin.wasm --manifest small.toml}; each tool of the plugin is then its own tool. The plugin is
 * kami-wasm-chicory's AssemblyScript hyper-mcp v1 fixture, built with {@code @extism/as-pdk}.
 */
@Timeout(300)
class CliExtismInstallTest {
    private static final Path AS_V1 = KamiRunner.REPO.resolve(
            "kami-wasm-chicory/src/test/resources/dev/kami/engine/chicory/extism/as-v1.wasm");

    @TempDir
    Path home;
    @TempDir
    Path work;

    private Path smallManifest() throws Exception {
        Path toml = work.resolve("small.toml");
        Files.writeString(toml, """
                [tool]
                id = "dev.hyper.v1"
                name = "hyper-mcp v1 sample"
                version = "1.0.0"
                wasm = "plugin.wasm"
                abi = "extism"

                [mcp]
                description = "the AssemblyScript hyper-mcp v1 sample"
                skip_tools = ["http"]
                """);
        return toml;
    }

    @Test
    void aBarePluginAndASmallManifestInstallInOneCommandAndEachToolIsCalledByItsName() throws Exception {
        Path wasm = Files.copy(AS_V1, work.resolve("as-v1.wasm"));
        String out = KamiRunner.inProcess(home, "install", wasm.toString(), "--manifest", smallManifest().toString(),
                "--yes").expect(0).out();
        assertThat(out).contains("installed dev.hyper.v1 1.0.0 (MCP name dev_hyper_v1)\n"
                + "offers 6 tools: dev_hyper_v1__echo, dev_hyper_v1__fail, dev_hyper_v1__config, dev_hyper_v1__vars,"
                + " dev_hyper_v1__log, dev_hyper_v1__upper");

        assertThat(KamiRunner.inProcess(home, "exec", "dev_hyper_v1__upper", "{\"text\":\"moved in\"}").expect(0).out())
                .isEqualTo("MOVED IN\n");
        String list = KamiRunner.inProcess(home, "list").expect(0).out();
        assertThat(list).contains(String.format("%-32s %-10s %-8s %-8s %s%n", "dev_hyper_v1__upper", "1.0.0", "enabled",
                "unsigned", "upper-cases arguments.text")).doesNotContain("dev_hyper_v1__http");
        assertThat(list.lines().filter(l -> l.startsWith("dev_hyper_v1__"))).hasSize(6);
    }

    @Test
    void manifestWithSomethingOtherThanAWasmFileIsAUsageErrorThatSaysWhatToGive() throws Exception {
        Path notWasm = Files.writeString(work.resolve("plugin.txt"), "not a module");
        KamiRunner.Result r = KamiRunner.inProcess(home, "install", notWasm.toString(), "--manifest",
                smallManifest().toString(), "--yes").expect(2);
        assertThat(r.err()).contains("--manifest goes with a .wasm file, and '" + notWasm + "' is not one")
                .contains("kami install plugin.wasm --manifest tool.toml");
    }
}
