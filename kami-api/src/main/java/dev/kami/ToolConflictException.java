package dev.kami;

/**
 * An install collides with an installed tool: same id and version (use force), or the same MCP name.
 *
 * <p>Unchecked; thrown by {@link Kami} and by providers. The message says what failed, with the
 * value, and what to do.
 */
public class ToolConflictException extends InstallException {
    private static final long serialVersionUID = 1L;

    /** @param message what failed, with the value, and what to do */
    public ToolConflictException(String message) {
        super(message);
    }

    /**
     * @param message what failed, with the value, and what to do
     * @param cause the underlying failure, kept for diagnosis
     */
    public ToolConflictException(String message, Throwable cause) {
        super(message, cause);
    }
}
