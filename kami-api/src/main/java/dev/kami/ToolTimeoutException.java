package dev.kami;

/** A tool call passed its deadline and was interrupted ({@link ToolErrorKind#TIMEOUT}). */
public class ToolTimeoutException extends ToolExecutionException {
    private static final long serialVersionUID = 1L;

    /** @param message names the tool and the deadline */
    public ToolTimeoutException(String message) {
        super(ToolErrorKind.TIMEOUT, message);
    }
}
