package dev.kami.core.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.kami.KamiException;
import dev.kami.core.pkg.PackageReader;

/**
 * A package {@code .zip} is untrusted input: whatever its bytes, reading it yields a package or
 * a {@link KamiException} with a message, never another exception, never unbounded memory (the
 * reader's limits are made small here so a zip bomb is refused quickly). Seeds:
 * {@code PackageReaderFuzzTestInputs/} (zips of the sample tools).
 */
class PackageReaderFuzzTest {
    private static final PackageReader READER = new PackageReader(
            new PackageReader.Limits(256 * 1024, 16, 1024 * 1024, 1024 * 1024, java.time.Duration.ofSeconds(1)));

    @FuzzTest(maxDuration = "20s")
    void readsOrRefusesWithAKamiError(byte[] zip) {
        try {
            assertThat(READER.readZip(zip, "fuzz.zip")).isNotNull();
        } catch (KamiException refused) {
            assertThat(refused.getMessage()).isNotBlank();
        }
    }
}
