package dev.kami.engine.chicory.extism;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * What an Extism plugin answers (a ListToolsResult, a CallToolResult, an HTTP request) is
 * untrusted JSON read by the engine's own reader: whatever its bytes, it is read or refused with an
 * {@link IllegalArgumentException} (bounded nesting, no other exception), and what is read writes
 * back to text that reads and writes to the same text. Seeds: {@code ExtismJsonFuzzTestInputs/}.
 */
class ExtismJsonFuzzTest {

    @FuzzTest(maxDuration = "20s")
    void readsOrRefusesAndRoundTrips(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        Object value;
        try {
            value = JsonText.parse(text);
        } catch (IllegalArgumentException refused) {
            assertThat(refused.getMessage()).isNotBlank();
            return;
        }
        String written = JsonText.write(value);
        // integral numbers come back as whole numbers: compare the text after one round
        assertThat(JsonText.write(JsonText.parse(written))).isEqualTo(written);
        try {
            assertThat(ExtismCall.toolNamesOf(bytes)).doesNotContainNull();
        } catch (IllegalArgumentException notAList) {
            assertThat(notAList.getMessage()).isNotBlank();
        }
    }
}
