package dev.kami.engine.chicory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kami.manifest.FsAccess;
import dev.kami.policy.EffectivePermissions;
import dev.kami.spi.CompiledModule;
import dev.kami.spi.EngineConfig;
import dev.kami.spi.EngineResult;
import dev.kami.spi.Invocation;
import dev.kami.spi.ModuleSource;
import dev.kami.spi.ToolEngine;
import dev.kami.tck.engine.EngineFixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 18, finding 1: the file-count bomb (a tool creating empty files in a loop) must not turn
 * the host's heap into its disk. A child JVM with a small heap ({@value #HEAP}) runs three bombs
 * under the default quotas while three other threads call echo again and again; every bomb must
 * stop at the file quota with {@code EDQUOT} and every echo must succeed. Before the quotas the
 * bombs filled the heap until the deadline and unrelated calls failed with OutOfMemoryError.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ScratchBombHeapTest {
    static final String HEAP = "-Xmx96m";
    static final int BOMBS = 3;
    static final int ECHO_THREADS = 3;
    static final int ECHOES = 200;

    @Test
    void fileCountBombsUnderASmallHeapLeaveConcurrentCallsUnharmed() throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, HEAP, "-Xss4m", "-cp", System.getProperty("java.class.path"),
                Child.class.getName())
                .redirectErrorStream(true)
                .start();
        String out;
        try {
            out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            child.waitFor(120, TimeUnit.SECONDS);
            child.destroyForcibly();
        }
        assertThat(child.exitValue()).as("child output:%n%s", out).isZero();
        for (int i = 0; i < BOMBS; i++) {
            assertThat(out).as("bomb %d", i).contains("bomb " + i + ": 10000 ERR19");
        }
        for (int i = 0; i < ECHO_THREADS; i++) {
            assertThat(out).as("echo thread %d", i).contains("echo " + i + ": " + ECHOES + " ok");
        }
        assertThat(out).doesNotContain("OutOfMemoryError");
    }

    /** The child JVM: prints one line per bomb and per echo thread, exits 0 when all went as expected. */
    public static final class Child {
        private Child() {
        }

        public static void main(String[] args) throws Exception {
            boolean ok = true;
            try (ToolEngine engine = new ChicoryEngineProvider().create(EngineConfig.defaults())) {
                CompiledModule bomb = engine.compile(new ModuleSource("bomb", EngineFixtures.bytes("fs-quota"), "0",
                        null));
                CompiledModule echo = engine.compile(new ModuleSource("echo", EngineFixtures.bytes("echo"), "0",
                        null));
                EffectivePermissions sandbox = EffectivePermissions.denyAll(16, 20_000)
                        .withFs(FsAccess.SANDBOX, null);
                EffectivePermissions plain = EffectivePermissions.denyAll(16, 20_000);
                ExecutorService pool = Executors.newFixedThreadPool(BOMBS + ECHO_THREADS);
                List<Future<String>> lines = new ArrayList<>();
                for (int i = 0; i < BOMBS; i++) {
                    int n = i;
                    lines.add(pool.submit(() -> {
                        EngineResult r = bomb.invoke(Invocation.of("bomb", "f".getBytes(StandardCharsets.UTF_8),
                                sandbox));
                        return "bomb " + n + ": " + (r.success() ? new String(r.output(), StandardCharsets.UTF_8)
                                : r.errorKind() + " " + r.message());
                    }));
                }
                for (int i = 0; i < ECHO_THREADS; i++) {
                    int n = i;
                    lines.add(pool.submit(() -> {
                        for (int k = 0; k < ECHOES; k++) {
                            byte[] input = ("{\"call\":" + k + "}").getBytes(StandardCharsets.UTF_8);
                            EngineResult r = echo.invoke(Invocation.of("echo", input, plain));
                            if (!r.success()) {
                                return "echo " + n + ": call " + k + " failed: " + r.errorKind() + " " + r.message();
                            }
                        }
                        return "echo " + n + ": " + ECHOES + " ok";
                    }));
                }
                for (Future<String> f : lines) {
                    String line = f.get(150, TimeUnit.SECONDS);
                    System.out.println(line); // the child's stdout is read by the test
                    ok &= line.endsWith(": 10000 ERR19") || line.endsWith(ECHOES + " ok");
                }
                pool.shutdownNow();
            } catch (Throwable t) {
                System.out.println("child failed: " + t);
                ok = false;
            }
            System.exit(ok ? 0 : 1);
        }
    }
}
