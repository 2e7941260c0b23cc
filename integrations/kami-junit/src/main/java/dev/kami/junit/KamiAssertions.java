package dev.kami.junit;

import dev.kami.ToolResult;

/**
 * Entry point for assertions on KAMI results. Needs no assertion library: failures are
 * {@link org.opentest4j.AssertionFailedError}s with expected and actual values, which IDEs show
 * as a diff.
 *
 * <pre>{@code
 * import static dev.kami.junit.KamiAssertions.assertThat;
 *
 * assertThat(kami.call("dev.kami.echo", "{\"message\":\"hi\"}"))
 *         .succeeded()
 *         .hasStructured("message", "hi");
 * assertThat(kami.call("dev.kami.json-transform", "{\"action\":\"explode\",\"data\":{}}"))
 *         .failedWith(ToolErrorKind.TOOL_ERROR)
 *         .messageContains("unknown action");
 * }</pre>
 *
 * <p>If AssertJ's {@code Assertions.assertThat} is also statically imported, call this one as
 * {@code KamiAssertions.assertThat(..)}.
 */
public final class KamiAssertions {

    private KamiAssertions() {
    }

    /**
     * @param actual the result of a call
     * @return assertions on this result
     */
    public static ToolResultAssert assertThat(ToolResult actual) {
        return new ToolResultAssert(actual);
    }
}
