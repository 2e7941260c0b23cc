package dev.kami;

/**
 * A signature is missing where the policy requires one, does not verify, or comes from a key the policy does not trust.
 *
 * <p>Unchecked; thrown by {@link Kami} and by providers. The message says what failed, with the
 * value, and what to do.
 */
public class SignatureException extends KamiException {
    private static final long serialVersionUID = 1L;

    /** @param message what failed, with the value, and what to do */
    public SignatureException(String message) {
        super(message);
    }

    /**
     * @param message what failed, with the value, and what to do
     * @param cause the underlying failure, kept for diagnosis
     */
    public SignatureException(String message, Throwable cause) {
        super(message, cause);
    }
}
