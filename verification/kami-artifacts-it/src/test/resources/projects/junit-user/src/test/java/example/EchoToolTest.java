package example;

import static dev.kami.junit.KamiAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kami.Kami;
import dev.kami.ToolErrorKind;
import dev.kami.junit.InstallTool;
import dev.kami.junit.KamiTest;
import org.junit.jupiter.api.Test;

@KamiTest
@InstallTool("classpath:tools/echo")
class EchoToolTest {

    @Test
    void echoesItsInput(Kami kami) {
        assertThat(kami.call("dev.kami.echo", "{\"message\":\"hi\"}"))
                .succeeded()
                .hasStructured("message", "hi");
    }

    @Test
    void refusesArgumentsOutsideTheSchema(Kami kami) {
        assertThat(kami.call("dev.kami.echo", "{}"))
                .failedWith(ToolErrorKind.INVALID_ARGUMENTS)
                .messageContains("message");
    }

    @Test
    void runsOnTheProjectsOwnJupiter() {
        assertEquals("@JUNIT_VERSION@", Test.class.getPackage().getImplementationVersion());
    }
}
