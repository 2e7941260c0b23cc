package dev.kami.benchmarks;

import dev.kami.Kami;
import dev.kami.ToolResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The component ABI against the kami-v1 ABI, in the same run (docs/PERFORMANCE.md):
 * {@code kami.call} on the component echo (c-bench-echo: C built with wasi-libc, {@code jco embed}
 * and {@code jco new} with the preview-1 adapter, doing per call what the kami-v1 echo sample
 * does, no log line and no stderr write) against {@code kami.call} on the kami-v1 echo sample.
 * Target: at most 1.5 ×. Instantiation: {@link ComponentInstantiationBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xss16m", "-Xmx1g"})
public class ComponentBenchmark {
    static final String INPUT = "{\"message\":\"hello, benchmark\"}";

    private Path packageDir;
    private Kami kami;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        Path repo = Path.of(System.getProperty("kami.repo", "."));
        byte[] wasm = Files.readAllBytes(repo.resolve(
                "kami-wasm-chicory/src/test/resources/components/c-bench-echo.wasm"));
        packageDir = Files.createTempDirectory("kami-bench-component");
        Files.write(packageDir.resolve("echo.wasm"), wasm);
        // as the kami-v1 echo sample's manifest, without description: describe() gives it
        Files.writeString(packageDir.resolve("tool.toml"), """
                [tool]
                id = "dev.kami.component-echo"
                name = "component-echo"
                version = "1.0.0"
                wasm = "echo.wasm"
                abi = "component"

                [mcp]

                [[mcp.arguments]]
                name = "message"
                type = "string"
                required = true

                [security]
                fs_access = "none"
                max_memory_mb = 16
                max_execution_ms = 1000
                """);
        kami = Kami.builder().inMemory().build();
        kami.install(packageDir);
        kami.install(Path.of(System.getProperty("kami.samples", "samples/tools")).resolve("echo"));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        String component = componentEchoKamiCall();
        String core = coreEchoKamiCall();
        if (!component.equals(INPUT) || !core.equals(INPUT)) {
            throw new IllegalStateException("the echoes disagree: '" + component + "' vs '" + core + "'");
        }
        kami.close();
        try (var files = Files.list(packageDir)) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(packageDir);
    }

    private String call(String tool) {
        ToolResult r = kami.call(tool, INPUT);
        if (r.isError()) {
            throw new IllegalStateException(r.errorKind() + ": " + r.text());
        }
        return r.text();
    }

    @Benchmark
    public String componentEchoKamiCall() {
        return call("dev.kami.component-echo");
    }

    @Benchmark
    public String coreEchoKamiCall() {
        return call("dev.kami.echo");
    }
}
