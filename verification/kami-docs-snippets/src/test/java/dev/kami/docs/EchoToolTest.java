package dev.kami.docs;

// tag::junit[]
import static dev.kami.junit.KamiAssertions.assertThat;

import dev.kami.Kami;
import dev.kami.ToolErrorKind;
import dev.kami.junit.InstallTool;
import dev.kami.junit.KamiTest;
import org.junit.jupiter.api.Test;

@KamiTest
@InstallTool("classpath:tools/echo")                 // src/test/resources/tools/echo
class EchoToolTest {

    @Test
    void echoesItsInput(Kami kami) {
        assertThat(kami.call("dev.kami.echo", "{\"message\":\"hi\"}"))
                .succeeded()
                .hasStructured("message", "hi");
    }

    @Test
    @InstallTool("classpath:tools/json-transform")   // this test only, after the class's
    void reportsAnUnknownAction(Kami kami) {
        assertThat(kami.call("dev.kami.json-transform", "{\"action\":\"explode\",\"data\":{}}"))
                .failedWith(ToolErrorKind.TOOL_ERROR)
                .messageContains("unknown action");
    }
}
// end::junit[]
