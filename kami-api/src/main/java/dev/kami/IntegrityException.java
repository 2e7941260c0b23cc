package dev.kami;

/**
 * A stored module no longer has the SHA-256 recorded at install: it was tampered with or corrupted.
 *
 * <p>Unchecked; thrown by {@link Kami} and by providers. The message says what failed, with the
 * value, and what to do.
 */
public class IntegrityException extends KamiException {
    private static final long serialVersionUID = 1L;

    /** @param message what failed, with the value, and what to do */
    public IntegrityException(String message) {
        super(message);
    }

    /**
     * @param message what failed, with the value, and what to do
     * @param cause the underlying failure, kept for diagnosis
     */
    public IntegrityException(String message, Throwable cause) {
        super(message, cause);
    }
}
