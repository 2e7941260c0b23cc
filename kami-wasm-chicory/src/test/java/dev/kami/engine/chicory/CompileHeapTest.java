package dev.kami.engine.chicory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kami.spi.EngineConfig;
import dev.kami.spi.ModuleSource;
import dev.kami.spi.ToolEngine;
import dev.kami.tck.engine.CompileBombs;
import dev.kami.tck.engine.EngineFixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 18, finding 2: a module whose compile would not fit the heap is refused before it is
 * parsed, with the estimate and the heap, rather than running the JVM out of memory. A child JVM
 * with a 64 MiB heap compiles echo, then is given 15,000 functions (within the structural
 * limits; about 60 MiB to compile by the measured cost model).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CompileHeapTest {
    @Test
    void aModuleTooLargeForTheHeapIsRefusedBeforeParsing() throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                Child.class.getName())
                .redirectErrorStream(true)
                .start();
        String out;
        try {
            out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            child.waitFor(100, TimeUnit.SECONDS);
            child.destroyForcibly();
        }
        assertThat(child.exitValue()).as("child output:%n%s", out).isZero();
        assertThat(out).contains("echo: compiled")
                .contains("bomb: refused: module of tool 'bomb' would take about ")
                .contains("15002 functions), more than half of the JVM's maximum heap of ")
                .contains("Give the JVM more heap (-Xmx)");
    }

    /** The child JVM: one line per module. */
    public static final class Child {
        private Child() {
        }

        public static void main(String[] args) {
            try (ToolEngine engine = new ChicoryEngineProvider().create(EngineConfig.defaults())) {
                engine.compile(new ModuleSource("echo", EngineFixtures.bytes("echo"), "0", null));
                System.out.println("echo: compiled"); // the child's stdout is read by the test
                try {
                    engine.compile(new ModuleSource("bomb", CompileBombs.manyFunctions(15_000), "0", null));
                    System.out.println("bomb: compiled");
                } catch (RuntimeException e) {
                    System.out.println("bomb: refused: " + e.getMessage());
                }
            } catch (Throwable t) {
                System.out.println("child failed: " + t);
                System.exit(1);
            }
            System.exit(0);
        }
    }
}
