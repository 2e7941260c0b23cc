package dev.kami;

/**
 * The root of every exception KAMI throws.
 *
 * <p>Unchecked; thrown by {@link Kami} and by providers. The message says what failed, with the
 * value, and what to do.
 */
public class KamiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what failed, with the value, and what to do */
    public KamiException(String message) {
        super(message);
    }

    /**
     * @param message what failed, with the value, and what to do
     * @param cause the underlying failure, kept for diagnosis
     */
    public KamiException(String message, Throwable cause) {
        super(message, cause);
    }
}
