package dev.kami.engine.chicory.internal;

/**
 * How a call of any ABI ends in words, built in one place: the deadline and cancellation texts,
 * the search through a throwable's causes, and the cap on quoted guest text. Stateless.
 */
final class CallMessages {
    /** The most characters of guest text quoted in a message. */
    static final int MESSAGE_MAX = 2048;

    private CallMessages() {
    }

    static String timeoutMessage(CallState call) {
        return "tool '" + call.toolId + "' ran past its deadline of " + call.invocation.permissions().maxExecutionMs()
                + " ms (max_execution_ms) and was stopped";
    }

    static String cancelledMessage(CallState call) {
        return "tool '" + call.toolId + "' was cancelled by the caller before its deadline of "
                + call.invocation.permissions().maxExecutionMs() + " ms (max_execution_ms)";
    }

    static <T extends Throwable> T find(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }

    static boolean messageContains(Throwable t, String text) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c.getMessage() != null && c.getMessage().contains(text)) {
                return true;
            }
        }
        return false;
    }

    static String shorten(String text) {
        return text.length() <= MESSAGE_MAX ? text : text.substring(0, MESSAGE_MAX) + "… (" + text.length()
                + " characters)";
    }
}
