package dev.kami;

/**
 * KAMI is at capacity: every worker is busy and the queue wait bound passed. Retry later, or raise workers / queue capacity.
 *
 * <p>Unchecked; thrown by {@link Kami} and by providers. The message says what failed, with the
 * value, and what to do.
 */
public class BusyException extends KamiException {
    private static final long serialVersionUID = 1L;

    /** @param message what failed, with the value, and what to do */
    public BusyException(String message) {
        super(message);
    }

    /**
     * @param message what failed, with the value, and what to do
     * @param cause the underlying failure, kept for diagnosis
     */
    public BusyException(String message, Throwable cause) {
        super(message, cause);
    }
}
