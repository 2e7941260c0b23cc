package dev.kami.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kami.Kami;
import dev.kami.ToolErrorKind;
import dev.kami.ToolResult;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The sample a host application copies: a JUnit 5 test that installs a tool and asserts on its
 * answer (and on a refusal).
 */
class EchoToolTest {

    @Test
    void echoAnswersWithItsInput() {
        try (Kami kami = Kami.builder().inMemory().build()) {
            kami.install(Path.of("tools/echo"));
            ToolResult r = kami.call("dev.kami.echo", "{\"message\":\"hi\"}");
            assertThat(r.isError()).isFalse();
            assertThat(r.structuredJson()).isEqualTo("{\"message\":\"hi\"}");
        }
    }

    @Test
    void badArgumentsAreAToolErrorTheModelCanRead() {
        try (Kami kami = Kami.builder().inMemory().build()) {
            kami.install(Path.of("tools/echo"));
            ToolResult r = kami.call("dev_kami_echo", "not json");
            assertThat(r.errorKind()).isEqualTo(ToolErrorKind.INVALID_ARGUMENTS);
            assertThat(r.text()).startsWith("arguments to dev.kami.echo are not valid JSON");
        }
    }
}
