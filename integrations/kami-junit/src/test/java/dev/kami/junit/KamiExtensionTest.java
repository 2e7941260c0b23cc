package dev.kami.junit;

import static dev.kami.junit.KamiAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.kami.Kami;
import dev.kami.ToolErrorKind;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The extension used as a tool author would: real sample packages, a real sandbox. */
@KamiTest
@InstallTool("../../samples/tools/echo")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KamiExtensionTest {

    private Kami fromBeforeEach;

    @BeforeEach
    void remember(Kami kami) {
        fromBeforeEach = kami;
    }

    @Test
    void testGetsAKamiWithTheClassPackagesInstalled(Kami kami) {
        assertThat(kami.call("dev.kami.echo", "{\"message\":\"hi\"}"))
                .succeeded()
                .hasStructured("message", "hi")
                .hasStructuredJson("{\"message\":\"hi\"}");
        assertEquals(1, kami.list().size());
    }

    @Test
    void beforeEachAndTheTestShareOneInstance(Kami kami) {
        assertSame(fromBeforeEach, kami);
    }

    @Test
    @InstallTool("../../samples/tools/json-transform")
    void methodPackagesAddToTheClassPackages(Kami kami) {
        assertEquals(2, kami.list().size());
        assertThat(kami.call("dev_kami_json-transform", "{\"action\":\"count\",\"data\":{\"a\":1,\"b\":[1,2]}}"))
                .succeeded();
    }

    @Test
    void methodPackagesStayWithTheirMethod(Kami kami) {
        assertFalse(kami.find("dev.kami.json-transform").isPresent());
    }

    @Test
    @InstallTool("../../samples/tools/json-transform")
    void toolErrorsAreAssertedByKindAndMessage(Kami kami) {
        assertThat(kami.call("dev.kami.json-transform", "{\"action\":\"explode\",\"data\":{}}"))
                .failedWith(ToolErrorKind.TOOL_ERROR)
                .messageContains("unknown action 'explode'");
        assertThat(kami.call("dev.kami.echo", "not json"))
                .failedWith(ToolErrorKind.INVALID_ARGUMENTS);
    }

    @Nested
    @InstallTool("../../samples/tools/sha256")
    class NestedClass {
        @Test
        void nestedTestsSeeOuterAndOwnPackages(Kami kami) {
            assertEquals(2, kami.list().size());
            assertThat(kami.call("dev.kami.sha256", "{\"data\":\"abc\"}"))
                    .succeeded()
                    .textContains("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        }
    }
}
