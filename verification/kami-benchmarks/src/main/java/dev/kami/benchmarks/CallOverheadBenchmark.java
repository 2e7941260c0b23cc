package dev.kami.benchmarks;

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
 * Per-call cost on the echo sample: {@code kami.call} against raw Chicory (fresh instance from the
 * same compiled factory, same call). Target: KAMI at most 1.3 × raw.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xss16m", "-Xmx1g"})
public class CallOverheadBenchmark {
    private Fixture echo;

    @Setup(Level.Trial)
    public void setUp() {
        echo = new Fixture("echo", "dev.kami.echo", "echo.wasm", "{\"message\":\"hello, benchmark\"}");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        echo.checkAgreement();
        echo.close();
    }

    @Benchmark
    public byte[] echoRawChicory() {
        return echo.callRaw();
    }

    @Benchmark
    public byte[] echoRawChicoryDefaultMemory() {
        return echo.callRawDefaultMemory();
    }

    @Benchmark
    public String echoKamiCall() {
        return echo.callKami().text();
    }
}
