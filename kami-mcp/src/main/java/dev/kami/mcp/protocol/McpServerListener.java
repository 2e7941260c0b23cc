package dev.kami.mcp.protocol;

import java.time.Duration;

/**
 * Observes an {@link McpServer}. Every method has a no-op default; implementations must be quick
 * and must not throw (exceptions are logged and ignored). Called on the server's and KAMI's
 * threads.
 */
public interface McpServerListener {

    /** A {@code tools/call} passed validation and was handed to KAMI; from now on it can be cancelled. */
    default void callStarted(String toolName) {
    }

    /** A {@code tools/call} finished and its result was sent (or dropped after a cancel). */
    default void callFinished(String toolName, boolean isError, Duration took) {
    }

    /**
     * A cancelled {@code tools/call} ended.
     *
     * @param sinceCancel time from receiving {@code notifications/cancelled} to the end of the call
     */
    default void callCancelled(String toolName, Duration sinceCancel) {
    }

    /** A {@code tools/call} was refused because too many calls were in flight. */
    default void callRejected(String toolName, String reason) {
    }
}
