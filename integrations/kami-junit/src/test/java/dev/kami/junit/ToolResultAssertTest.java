package dev.kami.junit;

import static dev.kami.junit.KamiAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kami.ToolErrorKind;
import dev.kami.ToolResult;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/** The assertions' own behaviour and failure messages, on hand-made results. */
class ToolResultAssertTest {

    private static final String JSON = "{\"user\":{\"name\":\"Ada\",\"tags\":[\"x\",\"y\"],\"age\":36,\"a.b\":true},\"n\":null}";
    private static final ToolResult OK = new ToolResult(false, null, JSON, JSON, List.of(), null);
    private static final ToolResult FAILED = ToolResult.error(ToolErrorKind.TIMEOUT, "deadline of 1000 ms passed");

    @Test
    void passesOnMatchingValues() {
        assertThat(OK).succeeded()
                .hasText(JSON)
                .textContains("Ada")
                .hasStructured("user.name", "Ada")
                .hasStructured("user.tags[1]", "y")
                .hasStructured("user.age", 36.0)
                .hasStructured("/user/a.b", true)
                .hasStructured("n", null)
                .hasStructuredJson("user.tags", "[\"x\", \"y\"]");
        assertThat(FAILED).failed().failedWith(ToolErrorKind.TIMEOUT).messageContains("deadline");
    }

    @Test
    void succeededOnAFailureShowsKindAndMessage() {
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> assertThat(FAILED).succeeded());
        assertEquals("expected the call to succeed but it failed with TIMEOUT: deadline of 1000 ms passed", e.getMessage());
    }

    @Test
    void failedWithAnotherKindShowsBothKinds() {
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> assertThat(FAILED).failedWith(ToolErrorKind.TRAP));
        assertEquals("expected the call to fail with TRAP but it failed with TIMEOUT: deadline of 1000 ms passed",
                e.getMessage());
        assertEquals(ToolErrorKind.TRAP, e.getExpected().getValue());
    }

    @Test
    void failedOnASuccessShowsTheOutput() {
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> assertThat(OK).failed());
        assertEquals("expected the call to fail but it succeeded with: " + JSON, e.getMessage());
    }

    @Test
    void wrongStructuredValueShowsPathExpectedAndActual() {
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> assertThat(OK).hasStructured("user.name", "Bob"));
        assertEquals("expected user.name to be \"Bob\" but it was \"Ada\" in " + JSON, e.getMessage());
    }

    @Test
    void missingKeyListsTheKeysThere() {
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> assertThat(OK).hasStructured("user.email", "a@b"));
        assertEquals("no \"user.email\" in the output; keys there: [name, tags, age, a.b] in " + JSON, e.getMessage());
    }

    @Test
    void indexOutsideTheArrayIsReported() {
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> assertThat(OK).hasStructured("user.tags[5]", "z"));
        assertEquals("\"user.tags.5\": index 5 outside an array of 2", e.getMessage());
    }

    @Test
    void textOutputHasNoStructure() {
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> assertThat(ToolResult.success("plain")).hasStructured("a", 1));
        assertEquals("expected JSON output but the tool returned text: plain", e.getMessage());
    }

    @Test
    void messageContainsShowsTheMessage() {
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> assertThat(FAILED).messageContains("memory"));
        assertEquals("expected the error message to contain \"memory\" but it was: deadline of 1000 ms passed",
                e.getMessage());
    }

    @Test
    void pathsSplitIntoSteps() {
        assertEquals(List.of("a", "b", "0", "c"), ToolResultAssert.steps("a.b[0].c"));
        assertEquals(List.of("a.b", "c/d"), ToolResultAssert.steps("/a.b/c~1d"));
        assertEquals(List.of("0", "1"), ToolResultAssert.steps("[0][1]"));
    }
}
