package dev.kami.engine.chicory.extism;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kami.policy.EffectivePermissions;
import dev.kami.spi.CompiledModule;
import dev.kami.spi.EngineResult;
import dev.kami.spi.Invocation;
import dev.kami.spi.ModuleSource;
import dev.kami.tck.engine.EngineFixtures;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A measured loop, not a test: the Extism echo (wat/echo.wat) against the kami-v1 echo of the TCK,
 * a fresh instance per call on both sides, through the same engine. Runs only with
 * {@code -Dkami.bench=true}; prints medians and the 90th percentile (no timing assertion).
 * <pre>
 * mvn -o -q verify -pl kami-wasm-chicory -am -Dtest=ExtismEchoBenchmark -Dkami.bench=true \
 *     -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class ExtismEchoBenchmark {
    private static final int ROUNDS = 10;
    private static final int CALLS = 1000;

    @Test
    void extismEchoAgainstKamiV1Echo() {
        assumeTrue(Boolean.getBoolean("kami.bench"), "skipped: a benchmark; run with -Dkami.bench=true");
        for (String mode : new String[] {"compiled", "interpreter"}) {
            try (ExtismEngineHarness h = new ExtismEngineHarness(mode)) {
                byte[] kami = EngineFixtures.bytes("echo");
                CompiledModule v1 = h.engine().compile(new ModuleSource("bench.kami-echo", kami,
                        ExtismFixtures.sha256(kami), null));
                CompiledModule extism = h.module("wat-echo");
                byte[] input = "{\"message\":\"hello\"}".getBytes(StandardCharsets.UTF_8);
                EffectivePermissions p = ExtismEngineHarness.perms();
                long[] a = new long[ROUNDS * CALLS];
                long[] b = new long[ROUNDS * CALLS];
                // warm-up, then alternate blocks so both see the same machine load
                run(v1, input, p, new long[CALLS * 3], 0, CALLS * 3);
                run(extism, input, p, new long[CALLS * 3], 0, CALLS * 3);
                for (int r = 0; r < ROUNDS; r++) {
                    run(v1, input, p, a, r * CALLS, CALLS);
                    run(extism, input, p, b, r * CALLS, CALLS);
                }
                System.out.printf("[%s] kami-v1 echo: median %.1f us, p90 %.1f us; extism echo: median %.1f us, "
                        + "p90 %.1f us; ratio of medians %.2f (%d calls each)%n", mode, q(a, 0.5), q(a, 0.9), q(b, 0.5),
                        q(b, 0.9), q(b, 0.5) / q(a, 0.5), a.length);
            }
        }
    }

    private static void run(CompiledModule m, byte[] input, EffectivePermissions p, long[] out, int from, int n) {
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            EngineResult r = m.invoke(new Invocation("bench", input, p, Map.of(), t0 + 5_000_000_000L));
            out[from + i] = System.nanoTime() - t0;
            assertThat(r.success()).as(r.message()).isTrue();
        }
    }

    private static double q(long[] nanos, double quantile) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        return s[Math.min(s.length - 1, (int) (quantile * s.length))] / 1000.0;
    }
}
