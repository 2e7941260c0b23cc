package dev.kami;

/**
 * A WebAssembly module cannot be loaded: malformed bytes, no known ABI, unresolved imports, or a declared memory above the cap.
 *
 * <p>Unchecked; thrown by {@link Kami} and by providers. The message says what failed, with the
 * value, and what to do.
 */
public class ModuleRejectedException extends KamiException {
    private static final long serialVersionUID = 1L;

    /** @param message what failed, with the value, and what to do */
    public ModuleRejectedException(String message) {
        super(message);
    }

    /**
     * @param message what failed, with the value, and what to do
     * @param cause the underlying failure, kept for diagnosis
     */
    public ModuleRejectedException(String message, Throwable cause) {
        super(message, cause);
    }
}
