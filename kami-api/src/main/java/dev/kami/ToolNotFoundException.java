package dev.kami;

/**
 * No installed tool has the given id or MCP name (or it is disabled, when the operation needs an enabled tool).
 *
 * <p>Unchecked; thrown by {@link Kami} and by providers. The message says what failed, with the
 * value, and what to do.
 */
public class ToolNotFoundException extends KamiException {
    private static final long serialVersionUID = 1L;

    /** @param message what failed, with the value, and what to do */
    public ToolNotFoundException(String message) {
        super(message);
    }

    /**
     * @param message what failed, with the value, and what to do
     * @param cause the underlying failure, kept for diagnosis
     */
    public ToolNotFoundException(String message, Throwable cause) {
        super(message, cause);
    }
}
