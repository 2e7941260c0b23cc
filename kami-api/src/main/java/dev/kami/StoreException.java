package dev.kami;

/**
 * The tool store failed (I/O, database, schema version newer than the code).
 *
 * <p>Unchecked; thrown by {@link Kami} and by providers. The message says what failed, with the
 * value, and what to do.
 */
public class StoreException extends KamiException {
    private static final long serialVersionUID = 1L;

    /** @param message what failed, with the value, and what to do */
    public StoreException(String message) {
        super(message);
    }

    /**
     * @param message what failed, with the value, and what to do
     * @param cause the underlying failure, kept for diagnosis
     */
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
