package dev.kami.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kami.InstalledTool;
import dev.kami.Kami;
import dev.kami.ToolResult;
import dev.kami.manifest.Abi;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A package of the original KAMI, unchanged: its echo tool's tool.toml (the original's
 * manifest, with its wasm path under target/wasm32-wasip2/) next to a kami:tool component, here
 * the C component built by scripts/build-components.sh. It installs as the component ABI and runs
 * through Kami.call.
 */
@Timeout(120)
class OriginalKamiPackageTest {
    private static final Path COMPONENT = Path.of("..", "..", "kami-wasm-chicory", "src", "test", "resources",
            "components", "c-echo.wasm");

    @TempDir
    Path dir;

    @Test
    void theOriginalEchoPackageInstallsAndRunsThroughKamiCall() throws IOException {
        Path pkg = dir.resolve("echo");
        Path wasm = pkg.resolve("target/wasm32-wasip2/release/echo.wasm");
        Files.createDirectories(wasm.getParent());
        Files.copy(COMPONENT, wasm);
        try (InputStream toml = getClass().getResourceAsStream("/original-kami/echo.tool.toml")) {
            Files.write(pkg.resolve("tool.toml"), toml.readAllBytes());
        }
        try (Kami kami = Kami.builder().home(dir.resolve("home"))
                .storeUrl("jdbc:sqlite:" + dir.resolve("kami.db")).build()) {
            InstalledTool installed = kami.install(pkg);
            assertThat(installed.id().value()).isEqualTo("dev.kami.echo");
            assertThat(installed.abi()).isEqualTo(Abi.COMPONENT);
            ToolResult r = kami.call("dev_kami_echo", "{\"input\":\"{\\\"a\\\":1}\"}");
            assertThat(r.isError()).as(r.text()).isFalse();
            assertThat(r.structuredJson()).isEqualTo("{\"input\":\"{\\\"a\\\":1}\"}");
        }
    }
}
