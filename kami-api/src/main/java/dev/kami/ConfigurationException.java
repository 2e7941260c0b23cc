package dev.kami;

/**
 * The builder's settings, or the providers found, do not make a working {@link Kami}.
 *
 * <p>Unchecked; thrown by {@link Kami} and by providers. The message says what failed, with the
 * value, and what to do.
 */
public class ConfigurationException extends KamiException {
    private static final long serialVersionUID = 1L;

    /** @param message what failed, with the value, and what to do */
    public ConfigurationException(String message) {
        super(message);
    }

    /**
     * @param message what failed, with the value, and what to do
     * @param cause the underlying failure, kept for diagnosis
     */
    public ConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }
}
