package dev.kami.benchmarks;

import dev.kami.Kami;
import dev.kami.ToolErrorKind;
import dev.kami.ToolResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * How late a looping tool is stopped after its deadline, through {@code kami.call}, in compiled
 * and interpreter mode, for both loop shapes of the engine TCK ({@code br} and {@code br_if}).
 * Target: within 50 ms. Prints percentiles; run by {@code scripts/bench.sh}.
 */
public final class DeadlineOvershoot {
    private static final int CALLS = 40;
    private static final long DEADLINE_MS = 100;

    private DeadlineOvershoot() {
    }

    public static void main(String[] args) throws IOException {
        for (String mode : new String[] {"compiled", "interpreter"}) {
            for (String fixture : new String[] {"loop", "loop-br-if"}) {
                Path pkg = packageOf(fixture);
                try (Kami kami = Kami.builder().inMemory().engineOption("mode", mode).build()) {
                    kami.install(pkg);
                    long[] late = new long[CALLS];
                    for (int i = 0; i < CALLS; i++) {
                        long t0 = System.nanoTime();
                        ToolResult r = kami.call("dev.kami." + fixture, "{}");
                        late[i] = (System.nanoTime() - t0) / 1_000_000 - DEADLINE_MS;
                        if (r.errorKind() != ToolErrorKind.TIMEOUT) {
                            throw new IllegalStateException(mode + " " + fixture + ": " + r.errorKind() + " " + r.text());
                        }
                    }
                    Arrays.sort(late);
                    System.out.printf("deadline overshoot %-11s %-10s p50 %3d ms  p90 %3d ms  max %3d ms  (%d calls, deadline %d ms)%n",
                            mode, fixture, late[CALLS / 2], late[CALLS * 9 / 10], late[CALLS - 1], CALLS, DEADLINE_MS);
                }
            }
        }
        System.exit(0);
    }

    private static Path packageOf(String fixture) throws IOException {
        Path dir = Files.createTempDirectory("kami-overshoot-");
        try (InputStream in = DeadlineOvershoot.class.getResourceAsStream("/dev/kami/tck/engine/" + fixture + ".wasm")) {
            if (in == null) {
                throw new UncheckedIOException(new IOException("fixture " + fixture + ".wasm not on the classpath"));
            }
            Files.copy(in, dir.resolve("t.wasm"));
        }
        Files.writeString(dir.resolve("tool.toml"), """
                [tool]
                id = "dev.kami.%s"
                name = "%s"
                version = "1.0.0"
                wasm = "t.wasm"
                [mcp]
                description = "loops forever"
                [security]
                max_execution_ms = %d
                """.formatted(fixture, fixture, DEADLINE_MS));
        return dir;
    }
}
