package dev.kami.benchmarks;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A CPU-bound tool (iterated SHA-256 over its input) through KAMI against raw Chicory compiled.
 * Target: KAMI at most 1.05 × raw. Raw Chicory is measured with both of Chicory's memories
 * ({@code ByteArrayMemory}, and its default); KAMI's engine uses its own (docs/adr/0106).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xss16m", "-Xmx1g"})
public class CpuBoundBenchmark {
    @Param({"20000"})
    public int rounds;

    private Fixture sha;

    @Setup(Level.Trial)
    public void setUp() {
        sha = new Fixture("sha256", "dev.kami.sha256", "sha256.wasm",
                "{\"data\":\"the quick brown fox\",\"rounds\":" + rounds + "}");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        sha.checkAgreement();
        sha.close();
    }

    @Benchmark
    public byte[] sha256RawChicory() {
        return sha.callRaw();
    }

    @Benchmark
    public byte[] sha256RawChicoryDefaultMemory() {
        return sha.callRawDefaultMemory();
    }

    @Benchmark
    public String sha256KamiCall() {
        return sha.callKami().text();
    }
}
