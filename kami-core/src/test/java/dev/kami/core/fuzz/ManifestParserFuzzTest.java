package dev.kami.core.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.kami.ManifestException;
import dev.kami.core.manifest.ManifestParser;

/**
 * {@code tool.toml} is untrusted input (a downloaded package): whatever its bytes, the parser
 * either returns a manifest or refuses it with a {@link ManifestException} that names the file.
 * Seeds: {@code ManifestParserFuzzTestInputs/} (the sample tools' and the original KAMI's
 * manifests). Fuzz for longer with {@code scripts/fuzz.sh}.
 */
class ManifestParserFuzzTest {

    @FuzzTest(maxDuration = "20s")
    void parsesOrRefusesWithAManifestError(byte[] toml) {
        try {
            ManifestParser.ParsedManifest parsed = ManifestParser.parse(toml, "tool.toml");
            assertThat(parsed.manifest()).isNotNull();
            assertThat(parsed.manifest().id()).isNotNull();
        } catch (ManifestException refused) {
            assertThat(refused.getMessage()).isNotBlank().contains("tool.toml");
        }
    }
}
