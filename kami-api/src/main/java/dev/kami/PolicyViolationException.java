package dev.kami;

/**
 * A tool requests more than the host policy allows; the message lists every request beyond the ceiling.
 *
 * <p>Unchecked; thrown by {@link Kami} and by providers. The message says what failed, with the
 * value, and what to do.
 */
public class PolicyViolationException extends KamiException {
    private static final long serialVersionUID = 1L;

    /** @param message what failed, with the value, and what to do */
    public PolicyViolationException(String message) {
        super(message);
    }

    /**
     * @param message what failed, with the value, and what to do
     * @param cause the underlying failure, kept for diagnosis
     */
    public PolicyViolationException(String message, Throwable cause) {
        super(message, cause);
    }
}
