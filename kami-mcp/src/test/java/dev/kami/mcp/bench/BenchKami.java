package dev.kami.mcp.bench;

import dev.kami.Kami;
import java.net.URISyntaxException;
import java.nio.file.Path;

/** The real Kami with the WAT echo tool, for the benchmark. */
final class BenchKami {
    private BenchKami() {
    }

    static Kami create() throws URISyntaxException {
        Kami k = Kami.builder().inMemory().build();
        k.install(Path.of(BenchKami.class.getResource("/tools/echo/tool.toml").toURI()).getParent());
        return k;
    }
}
