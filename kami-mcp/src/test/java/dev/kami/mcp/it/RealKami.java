package dev.kami.mcp.it;

import dev.kami.Kami;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A real in-memory Kami (kami-core + kami-wasm-chicory) with the test tools of
 * {@code src/test/resources/tools}: {@code dev.mcp.echo}, {@code dev.mcp.fail} and
 * {@code dev.mcp.loop} (kami-v1 modules written in WAT).
 */
final class RealKami {
    private RealKami() {
    }

    static Kami withTools() {
        Kami k = Kami.builder().inMemory().build();
        for (String t : new String[] {"echo", "fail", "loop"}) {
            k.install(toolDir(t));
        }
        return k;
    }

    static Path toolDir(String name) {
        try {
            return Path.of(Objects.requireNonNull(RealKami.class.getResource("/tools/" + name + "/tool.toml"),
                    "test tool " + name).toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return a fresh package directory holding {@code dev.mcp.installed} (the echo module under another id) */
    static Path installablePackage() {
        try {
            Path dir = Files.createTempDirectory("kami-mcp-installed");
            Path echo = toolDir("echo");
            Files.copy(echo.resolve("echo.wasm"), dir.resolve("echo.wasm"));
            Files.writeString(dir.resolve("tool.toml"), Files.readString(echo.resolve("tool.toml"))
                    .replace("dev.mcp.echo", "dev.mcp.installed"));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
