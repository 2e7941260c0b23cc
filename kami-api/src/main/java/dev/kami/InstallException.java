package dev.kami;

/**
 * A package could not be installed: unreadable source, missing module, unsafe archive, download too large. Nothing was installed.
 *
 * <p>Unchecked; thrown by {@link Kami} and by providers. The message says what failed, with the
 * value, and what to do.
 */
public class InstallException extends KamiException {
    private static final long serialVersionUID = 1L;

    /** @param message what failed, with the value, and what to do */
    public InstallException(String message) {
        super(message);
    }

    /**
     * @param message what failed, with the value, and what to do
     * @param cause the underlying failure, kept for diagnosis
     */
    public InstallException(String message, Throwable cause) {
        super(message, cause);
    }
}
